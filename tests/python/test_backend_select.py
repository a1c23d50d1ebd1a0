"""Backend selection: a compiled backend missing some parts (a firmware built
with MD_ENABLE_* switches off) is completed from the pure backend."""
import importlib
import sys
import types

from microdot import _backend, _pure
from microdot._pure_fill import functions


def selected(found, monkeypatch):
    """What microdot._backend picks when `import _microdot` gives ``found``
    (its module code run again; restored afterwards)."""
    monkeypatch.setitem(sys.modules, '_microdot', found)
    monkeypatch.delenv('MICRODOT_BACKEND', raising=False)
    saved = dict(vars(_backend))
    try:
        return importlib.reload(_backend).backend
    finally:
        vars(_backend).clear()
        vars(_backend).update(saved)


def test_complete_backend_is_used_as_is(monkeypatch):
    assert selected(_pure, monkeypatch) is _pure
    complete = types.SimpleNamespace(NAME='c', **{
        name: getattr(_pure, name) for name in functions()})
    assert selected(complete, monkeypatch) is complete


def test_partial_backend_gets_pure_functions_for_missing_parts(monkeypatch):
    def fake_parse_request(*args):
        return 'compiled'

    partial = types.SimpleNamespace(NAME='c', parse_request=fake_parse_request)
    combined = selected(partial, monkeypatch)
    assert combined.NAME == 'c+pure'
    assert combined.parse_request is fake_parse_request
    assert combined.ws_mask is _pure.ws_mask
    assert combined.F_KEEP_ALIVE == _pure.F_KEEP_ALIVE
    for name in functions():
        assert callable(getattr(combined, name))


def test_every_backend_function_exists_in_pure():
    for name in functions():
        assert callable(getattr(_pure, name)), name

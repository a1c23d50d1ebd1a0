"""Backend selection: a compiled backend missing some parts (a firmware built
with MD_ENABLE_* switches off) is completed from the pure backend."""
import types

from microdot import _backend, _pure


def test_complete_backend_is_used_as_is():
    assert _backend._complete(_pure) is _pure


def test_partial_backend_gets_pure_functions_for_missing_parts():
    def fake_parse_request(*args):
        return 'compiled'

    partial = types.SimpleNamespace(NAME='c', parse_request=fake_parse_request)
    combined = _backend._complete(partial)
    assert combined.NAME == 'c+pure'
    assert combined.parse_request is fake_parse_request
    assert combined.ws_mask is _pure.ws_mask
    assert combined.F_KEEP_ALIVE == _pure.F_KEEP_ALIVE
    for name in _backend.FUNCTIONS:
        assert callable(getattr(combined, name))


def test_every_backend_function_exists_in_pure():
    for name in _backend.FUNCTIONS:
        assert callable(getattr(_pure, name)), name

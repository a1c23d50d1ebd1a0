"""The cffi backend gives md_pack its limits only when they differ from the
ones its scratch was given (python/microdot/_cffi.py _set_limits): a change
between calls must take effect at once, both ways, as in the pure backend."""
import pytest

from cffi_pair import _cffi, _pure, needs_cffi

pytestmark = needs_cffi

HEAD = (b'GET /a/long/path/for/the/line/limit HTTP/1.1\r\nHost: h\r\n'
        b'X-One: 1\r\nX-Two: 2\r\n\r\n')


def outcome(backend, limits):
    try:
        return backend.parse_request(HEAD, 0, len(HEAD), 0, *limits)
    except ValueError as exc:
        return exc.args[0]


LIMITS = [(2048, 16384, 64), (2048, 16384, 2), (2048, 16384, 64),
          (20, 16384, 64), (2048, 16384, 64), (2048, 30, 64),
          (2048, 16384, 3), (2048, 16384, 64)]


def test_changed_limits_take_effect_at_once():
    got = [outcome(_cffi, limits) for limits in LIMITS]
    assert got == [outcome(_pure, limits) for limits in LIMITS]
    assert [g if isinstance(g, int) else 'ok' for g in got] == [
        'ok', 431, 'ok', 414, 'ok', 431, 'ok', 'ok']


def test_a_bad_limit_raises_and_is_not_kept():
    with pytest.raises((OverflowError, TypeError)):
        _cffi.parse_request(HEAD, 0, len(HEAD), 0, -1, 16384, 64)
    with pytest.raises(TypeError):
        _cffi.parse_request(HEAD, 0, len(HEAD), 0, 2048, 'many', 64)
    assert outcome(_cffi, (2048, 16384, 2)) == 431
    assert outcome(_cffi, (2048, 16384, 64))[0] == 'GET'

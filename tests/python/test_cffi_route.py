"""The cffi backend's match_route slices string captures out of the path
str itself when the path is ASCII, and out of its UTF-8 bytes otherwise:
both ways must give what the pure backend gives."""
import pytest

from cffi_pair import _cffi, _pure, needs_cffi

pytestmark = needs_cffi

PATTERNS = ['/n/<int:id>', '/u/<name>/p/<path:rest>', '/u/<name>',
            '/s/<a>/<int:b>', '/i/<int:a>/<int:b>', '/any/<path:p>']


@pytest.mark.parametrize('path', [
    '/n/42', '/n/-7', '/n/0042', '/u/alice/p/a/b/c.txt', '/u/alice',
    '/u/al%20ice', '/u/caf%C3%A9', '/u/caf\u00e9', '/u/\u00e9/p/\u2603/x',
    '/u/%ff',  # not UTF-8 once decoded: /u/<name> does not match either
    '/any/%ff/x', '/any/ok%2Fslash', '/s/x%20y/-3', '/s/\u00e9/9', '/nothing',
    '/n/abc', '/i/1/-2', '/i/1/x', '',
])
def test_match_route_agrees_with_pure(path):
    results = []
    for backend in (_cffi, _pure):
        router = backend.compile_router(PATTERNS)
        results.append([backend.match_route(router, path, start)
                        for start in range(len(PATTERNS) + 1)])
    assert results[0] == results[1]


def test_captures_are_decoded_str_and_int():
    router = _cffi.compile_router(PATTERNS)
    assert _cffi.match_route(router, '/u/caf%C3%A9/p/x%20y', 0) == \
        (1, ['caf\u00e9', 'x y'])
    assert _cffi.match_route(router, '/u/\u00e9/p/%E2%98%83', 0) == \
        (1, ['\u00e9', '\u2603'])
    assert _cffi.match_route(router, '/n/-12', 0) == (0, [-12])
    assert _cffi.match_route(router, '/i/7/-8', 0) == (4, [7, -8])
    assert _cffi.match_route(router, '/s/%C3%A9/5', 0) == (3, ['\u00e9', 5])
    assert _cffi.match_route(router, '/u/%ff', 0) is None


@pytest.mark.parametrize('s, plus, want', [
    (b'plain', False, 'plain'), (b'a+b', False, 'a+b'), (b'a+b', True, 'a b'),
    (b'%41%42', False, 'AB'), (bytearray(b'caf\xc3\xa9'), False, 'caf\u00e9'),
    (memoryview(b'\xc3%A9'), False, '\u00e9'), (b'\xff', False, 400),
    (b'%ff', False, 400), ('x%20y', True, 'x y'), ('a+b', True, 'a b'),
])
def test_url_decode(s, plus, want):
    for backend in (_cffi, _pure):
        try:
            got = backend.url_decode(s, plus)
        except ValueError as e:
            got = e.args[0]
        assert got == want

"""Repeated Cookie fields give the same cookies whichever of
Request.headers and Request.cookies is read first, with each backend's
parser (CPython: microdot._cpython's builders). headers joins repeated
fields with ', '; cookies reads the Cookie fields as one '; ' list."""
import pytest

from cffi_pair import _cffi, _pure
from microdot import Microdot, Request

BACKENDS = [pytest.param(_pure, id='pure'),
            pytest.param(_cffi, id='cffi', marks=pytest.mark.skipif(
                _cffi is None, reason='the cffi extension is not built'))]

HEADS = [
    # (the Cookie lines, the cookies expected)
    ([b'Cookie: a=1', b'Cookie: b=2'], {'a': '1', 'b': '2'}),
    ([b'Cookie: a=1; b=2', b'cookie: c=3; a=4'],
     {'a': '1', 'b': '2', 'c': '3'}),
    ([b'COOKIE: x=1', b'Host: h', b'Cookie: y=2', b'Cookie: z=3'],
     {'x': '1', 'y': '2', 'z': '3'}),
    ([b'Cookie: s=a,b', b'Cookie: t=c'], {'s': 'a,b', 't': 'c'}),
    ([b'Cookie: a=1'], {'a': '1'}),
    ([b'Accept: x', b'accept: y', b'Cookie: a=1; b=2'], {'a': '1', 'b': '2'}),
]


def make(backend, lines):
    head = b'GET /p?q=1 HTTP/1.1\r\nHost: h\r\n' + b''.join(
        line + b'\r\n' for line in lines if not line.startswith(b'Host')) \
        + b'\r\n'
    method, path, query, minor, headers, _, _, _ = backend.parse_request(
        head, 0, len(head), 0, 2048, 16384, 64)
    return Request(Microdot(), None, method, path + '?' + query,
                   '1.1' if minor else '1.0', headers)


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('lines, cookies', HEADS)
def test_cookies_do_not_depend_on_what_was_read_first(
        backend, lines, cookies):
    first = make(backend, lines)
    assert first.cookies == cookies
    second = make(backend, lines)
    headers = second.headers
    assert second.cookies == cookies
    assert list(second.cookies) == list(first.cookies)
    assert headers == first.headers  # (read second there)


@pytest.mark.parametrize('backend', BACKENDS)
def test_repeated_cookie_fields_stay_joined_with_commas_in_headers(backend):
    req = make(backend, [b'Cookie: a=1', b'cookie: b=2'])
    assert req.headers['Cookie'] == 'a=1, b=2'
    assert req.cookies == {'a': '1', 'b': '2'}


@pytest.mark.parametrize('backend', BACKENDS)
def test_a_cookie_header_set_after_headers_were_built_is_read(backend):
    req = make(backend, [b'Cookie: a=1', b'Cookie: b=2'])
    req.headers['Cookie'] = 'c=3, d=4'
    assert req.cookies == {'c': '3, d=4'}
    req = make(backend, [b'Cookie: a=1', b'Cookie: b=2'])
    req.headers['Cookie'] = 'e=5'
    assert req.cookies == {'e': '5'}

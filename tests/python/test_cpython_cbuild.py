"""microdot._cbuild (ports/cffi/md_pybuild.c), the CPython C-API builders of
Request.headers, .args and .cookies that microdot._cpython calls when the
module was built: each answers what the general rules give for a plain
value, or None for anything else. The Request-level tests of
test_cpython_builders.py run here again without them (the Python path)."""
import os
import random
import subprocess
import sys
import tracemalloc

import pytest

import test_cpython_builders as builders
from cffi_pair import _pure
from microdot import MultiDict, NoCaseDict, Request
from microdot import _cpython

try:
    from microdot import _cbuild
except ImportError:
    _cbuild = None

needs_cbuild = pytest.mark.skipif(
    _cbuild is None, reason='microdot._cbuild is not built '
    '(python ports/cffi/build_cffi.py)')


def general_cookies(header):
    flat = _pure.parse_cookies(header)
    cookies = {}
    for i in range(0, len(flat), 2):
        cookies.setdefault(flat[i], flat[i + 1])
    return cookies


def general_args(query):
    """[(key, [values])] in order, by the pure backend's rules."""
    flat = _pure.parse_query(query)
    lists = {}
    for i in range(0, len(flat), 2):
        lists.setdefault(flat[i], []).append(flat[i + 1])
    return list(lists.items())


# The module's functions ------------------------------------------------------

PLAIN_COOKIES = ['a=1', 'session=4f2a9c0e7b1d; cart=1703; theme=dark',
                 'a=; b=', '=v; w=x', 'x="q"; y=<>', 'a=\x00']
OTHER_COOKIES = ['', 'a', 'a=1;b=2', 'a=1;  b=2', ' a=1', 'a=1 ', 'a=1; ',
                 '; a=1', 'a=1;', 'a=b=c', 'a=1; a=2', 'a=1\t; b=2',
                 'a=1, b=2', 'é=ü', 'a=1; b', 'a=1;; b=2']


@needs_cbuild
@pytest.mark.parametrize('header', PLAIN_COOKIES)
def test_plain_cookies(header):
    cookies = _cbuild.cookies(header)
    assert type(cookies) is dict
    assert list(cookies.items()) == list(general_cookies(header).items())


@needs_cbuild
@pytest.mark.parametrize('header', OTHER_COOKIES)
def test_other_cookie_values_are_left_to_python(header):
    assert _cbuild.cookies(header) is None


@needs_cbuild
def test_cookies_of_what_is_not_a_str():
    class Text(str):
        pass

    for value in (b'a=1', None, 3, Text('a=1')):
        assert _cbuild.cookies(value) is None


PLAIN_QUERIES = ['a=1', 'color=blue&size=m', 'a=&b=', '=1&x=2', 'a=/p?q;r']
OTHER_QUERIES = ['', 'a', 'a&b=1', 'a=1&', '&a=1', 'a=1&&b=2', 'a=b=c',
                 'a=1&a=2', 'a=%20', 'a=x+y', 'é=1', 'a=1; b=2&c']


@needs_cbuild
@pytest.mark.parametrize('query', PLAIN_QUERIES)
def test_plain_queries(query):
    args = _cbuild.args(MultiDict, query)
    assert type(args) is MultiDict and args._more is None
    assert [(k, [v]) for k, v in args.items()] == general_args(query)


@needs_cbuild
@pytest.mark.parametrize('query', OTHER_QUERIES)
def test_other_queries_are_left_to_python(query):
    assert _cbuild.args(MultiDict, query) is None


def random_text(rng, pieces, most):
    return ''.join(rng.choice(pieces) for _ in range(rng.randrange(most)))


@needs_cbuild
def test_random_cookie_values_and_queries():
    rng = random.Random(7)
    pieces = ['a', 'b', 'cd', '=', ';', '; ', ' ', '\t', '&', '%', '+', ',',
              'é', '"']
    plain = {'cookies': 0, 'args': 0}
    for _ in range(3000):
        text = random_text(rng, pieces, 9)
        cookies = _cbuild.cookies(text)
        if cookies is not None:
            plain['cookies'] += 1
            assert list(cookies.items()) == \
                list(general_cookies(text).items()), text
        args = _cbuild.args(MultiDict, text)
        if args is not None:
            plain['args'] += 1
            assert [(k, [v]) for k, v in args.items()] == \
                general_args(text), text
    assert plain['cookies'] > 50 and plain['args'] > 50  # (both were tried)


@needs_cbuild
def test_fill_is_update_of_the_pairs():
    class Counted(dict):
        inits = 0

        def __init__(self, *args):
            Counted.inits += 1
            super().__init__(*args)

    for flat in ([], ['a', '1'], ['a', '1', 'b', '2', 'a', '3'],
                 ['a', '1', 'b'], [1, 'x', (2, 3), 'y']):
        for cls in (dict, NoCaseDict, Counted):
            d = _cbuild.fill(cls, flat)
            want = {}
            it = iter(flat)
            want.update(zip(it, it))
            assert type(d) is cls and list(d.items()) == list(want.items())
    assert Counted.inits == 0  # made as dict.__new__ makes it


@needs_cbuild
def test_wrong_arguments_raise():
    for call in (lambda: _cbuild.fill(list, []),
                 lambda: _cbuild.fill(NoCaseDict, ('a', '1')),
                 lambda: _cbuild.fill(NoCaseDict),
                 lambda: _cbuild.args(str, 'a=1'),
                 lambda: _cbuild.args('a=1')):
        with pytest.raises(TypeError):
            call()
    with pytest.raises(TypeError):
        _cbuild.fill(NoCaseDict, [[1], 'unhashable'])


@needs_cbuild
def test_no_memory_kept_by_the_builders():
    flat = ['Host', 'h', 'Accept', 'a', 'Cookie', 'c=1']

    def run(n):
        for _ in range(n):
            _cbuild.cookies('session=4f2a9c0e7b1d; cart=1703; theme=dark')
            _cbuild.cookies('a=1; a=2')
            _cbuild.args(MultiDict, 'color=blue&size=m')
            _cbuild.args(MultiDict, 'a=1&a=2')
            _cbuild.fill(NoCaseDict, flat)

    run(1000)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        run(20000)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024, grown  # (a leaked string per call: megabytes)


# Request-level: the same results with and without the module ----------------

@needs_cbuild
def test_the_request_builders_use_it():
    if _cpython.NAME == 'pure':
        pytest.skip('MICRODOT_BACKEND=pure: no C code at all')
    assert _cpython._c_fill is _cbuild.fill
    assert _cpython._c_args is _cbuild.args
    assert _cpython._c_cookies is _cbuild.cookies


@pytest.fixture(params=['with', 'without'])
def c_builders(request, monkeypatch):
    if request.param == 'with' and _cbuild is None:
        pytest.skip('microdot._cbuild is not built')
    if request.param == 'without':
        for name in ('_c_fill', '_c_args', '_c_cookies'):
            monkeypatch.setattr(_cpython, name, None)
    return request.param


def test_forcing_the_pure_backend_keeps_it_out():
    code = ('from microdot import _cpython\n'
            'print(_cpython._c_fill, _cpython._c_args, _cpython._c_cookies)')
    env = dict(os.environ, MICRODOT_BACKEND='pure')
    out = subprocess.run([sys.executable, '-c', code], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ['None', 'None', 'None']


def test_random_requests(c_builders):
    builders.test_headers_of_random_lists_with_case_variants()
    builders.test_args_of_random_queries()
    builders.test_cookies_of_random_headers()
    for query in builders.QUERIES:
        builders.test_args(query)
    for header in builders.COOKIES + PLAIN_COOKIES + OTHER_COOKIES:
        builders.test_cookies(header)


def test_parsed_heads(c_builders):
    builders.test_headers_of_parsed_heads_with_and_without_repeats()
    builders.test_cookies_read_first_from_parsed_heads()


def test_repeated_cookie_fields_joined_for_headers(c_builders):
    # headers joins them with ', ' (never a plain list), cookies with '; '
    for first in ('headers', 'cookies'):
        req = Request(None, None, 'GET', '/p?a=1&b=2', '1.1',
                      ['Cookie', 'a=1', 'Host', 'h', 'cookie', 'b=2; a=3'])
        if first == 'headers':
            assert req.headers['cookie'] == 'a=1, b=2; a=3'
        assert req.cookies == {'a': '1', 'b': '2'}
        assert req.headers['Cookie'] == 'a=1, b=2; a=3'
        assert dict(req.args) == {'a': '1', 'b': '2'}


def test_builders_give_new_objects_each_time(c_builders):
    flat = ['Host', 'h', 'Cookie', 'a=1; b=2']
    one = Request(None, None, 'GET', '/p?x=1', '1.1', list(flat))
    two = Request(None, None, 'GET', '/p?x=1', '1.1', list(flat))
    for name in ('headers', 'args', 'cookies'):
        assert getattr(one, name) == getattr(two, name)
        assert getattr(one, name) is not getattr(two, name)
    one.cookies['a'] = 'changed'
    one.args['x'] = 'changed'
    assert two.cookies['a'] == '1' and two.args['x'] == '1'


# Heads: _cffi's parse_request with head() and without it ---------------------

HEADS = [
    b'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    b'GET /a?b=c HTTP/1.0\r\n\r\n',
    b'GET /p? HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: \r\n\r\n',
    'GET /\u00e9 HTTP/1.1\r\nX: caf\u00e9\r\nY: 1\r\nZ: 2\r\nW: 3\r\n\r\n'
    .encode(),
    b'POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n'
    b'Cookie: a=1; b=2\r\nAccept: */*\r\n\r\nabc',
    b'GET / HTTP/1.1\r\nHost: h\r\nHost: i\r\nhost: j\r\nX-A: 1\r\n\r\n',
    b'GET / HTTP/1.1\r\nHost: h\r\n',  # incomplete
    b'GET / HTTP/1.1\r\nBad Name: h\r\n\r\n',  # rejected
]


def outcome(parse, head):
    try:
        return parse(head, 0, len(head), 0, 2048, 16384, 64)
    except ValueError as e:
        return ('ValueError', e.args)


def vector_heads():
    import json
    import os
    path = os.path.join(os.path.dirname(__file__), '..', 'vectors',
                        'http.json')
    with open(path) as f:
        return [case['input'].encode('latin-1')
                for case in json.load(f)['cases']]


@needs_cbuild
def test_heads_parse_the_same_with_and_without_head():
    from cffi_pair import _cffi
    if _cffi is None:
        pytest.skip('the cffi extension is not built')
    assert _cffi.parse_request is _cbuild.parse_request
    heads = HEADS + vector_heads()
    rng = random.Random(3)
    # each head three times (a slot is kept, then seen), in random orders
    sequence = heads * 3
    rng.shuffle(sequence)
    for head in heads * 3 + sequence:
        _cffi.distinct_headers = _cffi.plain_cookie = None
        text = outcome(_cffi._parse_request_text, head)
        hints = (_cffi.distinct_headers, _cffi.plain_cookie)
        for parse in (_cbuild.parse_request,):
            _cffi.distinct_headers = _cffi.plain_cookie = None
            c = outcome(parse, head)
            assert c == text, (parse, head)
            if isinstance(c, tuple) and len(c) == 8:
                assert [type(v) for v in c] == [type(v) for v in text]
                assert (_cffi.distinct_headers is c[4]) == \
                    (hints[0] is text[4])
            assert _cffi.plain_cookie == hints[1]
            assert (_cffi.distinct_headers is None) == (hints[0] is None)


# parse_request: all of _cffi.parse_request in one C-API call -----------------

def both(head, *args):
    """The outcomes of _cbuild.parse_request and of _cffi's Python version
    (the cffi path) on the same arguments."""
    from cffi_pair import _cffi
    out = []
    for parse in (_cbuild.parse_request, _cffi._parse_request_text):
        try:
            out.append(parse(head, *args))
        except ValueError as e:  # (the same arguments)
            out.append((type(e).__name__, e.args))
        except Exception as e:  # (conversions: only the same type)
            out.append(type(e).__name__)
    return out


@needs_cbuild
@pytest.mark.parametrize('kind', [bytes, bytearray, memoryview])
def test_parse_request_takes_any_byte_buffer(kind):
    raw = b'xxGET /a?b=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab'
    got = _cbuild.parse_request(kind(raw), 2, len(raw), 0, 2048, 16384, 64)
    assert got == ('GET', '/a', 'b=1', 1, ['Host', 'h', 'Content-Length', '2'],
                   len(raw) - 4, 2, 2)  # (2: keep-alive)
    one, two = both(kind(raw), 2, len(raw), 5, 2048, 16384, 64)
    assert one == two == got
    view = memoryview(raw)[2:]
    assert _cbuild.parse_request(view, 0, len(view), 0, 2048, 16384, 64) \
        == got


@needs_cbuild
def test_parse_request_errors_match_the_python_version():
    head = b'GET / HTTP/1.1\r\nHost: h\r\n\r\n'
    n = len(head)
    for args in ((0, n + 1, 0, 2048, 16384, 64),  # past the buffer
                 (-1, n, 0, 2048, 16384, 64),
                 (5, 4, 0, 2048, 16384, 64),
                 (0, n, 0, 8, 16384, 64),  # line too long
                 (0, n, 0, 2048, 10, 64),  # head too long
                 (0, n, 0, 2048, 16384, 0),  # too many fields
                 (0, n, 0, -1, 16384, 64),
                 (0, n, 0, 2048, 16384, 2 ** 70),
                 (0, n, 2 ** 70, 2048, 16384, 64),
                 (0, 'x', 0, 2048, 16384, 64),
                 (0, n - 2, 0, 2048, 16384, 64),  # incomplete
                 (0, n, n - 2, 2048, 16384, 64)):  # scanned
        one, two = both(head, *args)
        assert one == two, args
    for bad in (b'GET / HTTP/1.1\r\nBad Name: h\r\n\r\n',
                b'GET / HTTP/9.9\r\n\r\n', b'\r\n\r\n',
                b'G\x00T / HTTP/1.1\r\n\r\n'):
        one, two = both(bad, 0, len(bad), 0, 2048, 16384, 64)
        assert one == two and one[0] == 'ValueError', bad
        assert isinstance(one[1][0], int) and isinstance(one[1][1], str)
    with pytest.raises(TypeError):
        _cbuild.parse_request('GET / HTTP/1.1\r\n\r\n', 0, 18, 0, 1, 1, 1)
    with pytest.raises(TypeError):
        _cbuild.parse_request(head, 0, n, 0, 2048, 16384)


@needs_cbuild
def test_parse_request_grows_for_big_heads():
    fields = b''.join(b'X-%d: %s\r\n' % (i, b'v' * 200) for i in range(300))
    head = b'GET / HTTP/1.1\r\nHost: h\r\n' + fields + b'\r\n'
    for _ in range(2):
        one, two = both(head, 0, len(head), 0, 8192, 1 << 20, 1000)
        assert one == two and len(one[4]) == 602
    small = b'GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n'
    for _ in range(3):  # (the slot is kept, then seen)
        one, two = both(small, 0, len(small), 0, 8192, 16384, 64)
        assert one == two


@needs_cbuild
def test_parse_request_keeps_no_memory():
    heads = [h for h in HEADS] + [
        b'GET / HTTP/1.1\r\n' + b''.join(b'X-%d: v\r\n' % i
                                         for i in range(40)) + b'\r\n']

    def run(n):
        for _ in range(n):
            for head in heads:
                try:
                    _cbuild.parse_request(bytearray(head), 0, len(head), 0,
                                          2048, 16384, 64)
                except ValueError:
                    pass
            try:
                _cbuild.parse_request(b'x', 0, 2, 0, 2048, 16384, 64)
            except ValueError:
                pass

    run(300)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        run(3000)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024, grown

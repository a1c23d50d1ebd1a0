"""CPython's builders of Request.headers, .args and .cookies
(microdot._cpython): their shortcuts (the cffi parser's "no repeated field
name" hint, plain queries split without decoding, browser-style cookie
headers) must give what the general rules give, which this file spells out
as loops over the pure backend's splitting functions."""
import asyncio
import random

import pytest

from cffi_pair import _cffi, _pure, needs_cffi
from microdot import Microdot, MultiDict, NoCaseDict, Request
from microdot import _cpython
from microdot._backend import backend
from microdot.microdot import HTTPException
from microdot.test_client import TestClient


# The rules, as loops ------------------------------------------------------------

def expected_headers(flat):
    """[(name as first sent, values joined with ', '), ...] in order."""
    order = []
    values = {}
    spelling = {}
    for i in range(0, len(flat), 2):
        lower = flat[i].lower()
        if lower in values:
            values[lower] += ', ' + flat[i + 1]
        else:
            order.append(lower)
            spelling[lower] = flat[i]
            values[lower] = flat[i + 1]
    return [(spelling[k], values[k]) for k in order]


def expected_args(query):
    flat = _pure.parse_query(query)
    lists = {}
    for i in range(0, len(flat), 2):
        lists.setdefault(flat[i], []).append(flat[i + 1])
    return lists


def expected_cookies(header):
    flat = _pure.parse_cookies(header)
    cookies = {}
    for i in range(0, len(flat), 2):
        cookies.setdefault(flat[i], flat[i + 1])
    return cookies


def request(headers=(), query=None):
    url = '/p' if query is None else '/p?' + query
    return Request(None, None, 'GET', url, '1.1', list(headers))


def check_headers(req, flat):
    headers = req.headers
    want = expected_headers(flat)
    assert isinstance(headers, NoCaseDict)
    assert list(headers.items()) == want
    for name, value in want:  # in every case
        for key in (name, name.lower(), name.upper(), name.swapcase()):
            assert headers[key] == value and key in headers
            assert headers.get(key) == value


def check_args(req, query):
    args = req.args
    want = expected_args(query)
    assert isinstance(args, MultiDict)
    assert list(args) == list(want)
    for key, values in want.items():
        assert args[key] == values[0] and args.getlist(key) == values


# Headers ------------------------------------------------------------------------

HEADER_CASES = [
    [],
    ['Host', 'x'],
    ['Host', 'x', 'Accept', 'a', 'accept', 'b', 'ACCEPT', 'c'],
    ['A', '1', 'a', '2', 'B', '3'],
    ['X-Empty', '', 'x-empty', '', 'Other', 'v'],
    ['Same', '1', 'Same', '2'],
    ['Content-Type', 'text/plain', 'Content-Length', '3'],
]


@pytest.mark.parametrize('flat', HEADER_CASES)
def test_headers_from_lists(flat):
    check_headers(request(flat), flat)


def test_headers_of_parsed_heads_with_and_without_repeats():
    heads = [
        b'Host: h\r\nAccept: a\r\nCookie: c=1\r\n',
        b'Host: h\r\nAccept: a\r\naccept: b\r\nACCEPT: c\r\n',
        b'Host: h\r\nX-A: 1\r\nx-b: 2\r\nX-a: 3\r\n',
        b'x-h: h\r\nX-H: i\r\n',
        b'X-Empty:\r\nx-empty: \r\nY: y\r\n',
        b''.join(b'X-%d: %d\r\n' % (i, i) for i in range(70)),
        b''.join(b'X-%d: %d\r\n' % (i, i) for i in range(70)) + b'x-3: again\r\n',
    ]
    for fields in heads:
        head = b'GET / HTTP/1.0\r\n' + fields + b'\r\n'
        parsed = backend.parse_request(head, 0, len(head), 0, 2048, 16384,
                                       100)
        flat = parsed[4]
        req = Request(None, None, 'GET', '/', '1.1', flat)
        check_headers(req, list(flat))


@needs_cffi
def test_the_distinct_hint_names_only_heads_without_repeats():
    def parse(fields):
        head = b'GET / HTTP/1.0\r\n' + fields + b'\r\n'
        return _cffi.parse_request(head, 0, len(head), 0, 2048, 16384, 100)[4]

    for fields in (b'Host: h\r\nAccept: a\r\n', b'Host: h\r\n', b'',
                   b'Ab: 1\r\nAc: 2\r\nBb: 3\r\n',
                   b'a^: 1\r\na~: 2\r\n'):  # ('^' | 0x20 == '~')
        flat = parse(fields)
        assert _cffi.distinct_headers is flat
    for fields in (b'X-H: h\r\nx-h: i\r\n', b'A-B: 1\r\nX: 2\r\na-b: 3\r\n',
                   b'X: 1\r\nX: 2\r\n',
                   b''.join(b'X-%d: 1\r\n' % i for i in range(65))):
        before = _cffi.distinct_headers
        flat = parse(fields)
        assert _cffi.distinct_headers is before and flat is not before


def test_headers_set_and_deleted_in_another_case_after_the_fill():
    req = request(['Content-Type', 'text/plain', 'X-A', '1'])
    headers = req.headers
    headers['content-type'] = 'application/json'
    headers['X-NEW'] = 'n'
    assert list(headers.items()) == [('Content-Type', 'application/json'),
                                     ('X-A', '1'), ('X-NEW', 'n')]
    del headers['x-a']
    assert 'X-A' not in headers and headers.get('x-new') == 'n'
    assert headers.pop('CONTENT-TYPE') == 'application/json'
    assert list(headers) == ['X-NEW']


@needs_cffi
def test_headers_looked_up_in_another_case_after_a_hinted_fill():
    head = (b'GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: u\r\n'
            b'Accept-Language: en\r\n\r\n')
    flat = _cffi.parse_request(head, 0, len(head), 0, 2048, 16384, 64)[4]
    req = Request(None, None, 'GET', '/', '1.1', flat)
    headers = req.headers
    assert headers['accept-language'] == 'en' and headers['USER-AGENT'] == 'u'
    headers['HOST'] = 'other'  # replaces, keeping the first spelling
    assert list(headers.items()) == [('Host', 'other'), ('User-Agent', 'u'),
                                     ('Accept-Language', 'en')]


def test_headers_of_random_lists_with_case_variants():
    rng = random.Random(7)
    names = ['Host', 'Accept', 'X-Id', 'Cookie', 'ab', 'AB', 'Ab']
    for _ in range(300):
        flat = []
        for _ in range(rng.randrange(0, 8)):
            name = rng.choice(names)
            name = ''.join(c.upper() if rng.random() < 0.3 else c
                           for c in name)
            flat += [name, rng.choice(['', 'v', 'w x', 'é'])]
        check_headers(request(flat), flat)


# Args -----------------------------------------------------------------------------

QUERIES = [
    'a=1', 'color=blue&size=m', 'a=1&a=2&b=3', 'a=&b=', 'a', 'a&b=2',
    'a=1&&b=2', '&a=1&', '=v', 'a=b=c', 'q=hello+world', 'q=%41%42',
    'q=%e2%82%ac&r=%2B', 'k%3D=v%26', 'a=%zz', 'a=%', 'x=1&x=%31', 'é=ü',
]


@pytest.mark.parametrize('query', QUERIES)
def test_args(query):
    check_args(request(query=query), query)


def test_args_without_a_query_are_empty():
    for url in ('/p', '/p?'):
        args = Request(None, None, 'GET', url, '1.1', []).args
        assert isinstance(args, MultiDict) and len(args) == 0


@pytest.mark.parametrize('query', ['a=%ff', 'a=%c3', '%80=1', 'a=1&b=%ed%a0%80'])
def test_args_not_utf8_once_decoded_abort_with_400(query):
    with pytest.raises(HTTPException) as info:
        request(query=query).args
    assert info.value.status_code == 400


def test_args_not_utf8_answer_400_through_a_server():
    app = Microdot()

    @app.route('/a')
    async def a(req):
        return repr(req.args.getlist('q'))

    client = TestClient(app)
    assert asyncio.run(client.get('/a?q=%ff')).status_code == 400
    res = asyncio.run(client.get('/a?q=%C3%A9&q=x+y'))
    assert res.status_code == 200 and res.text == "['é', 'x y']"


def test_args_of_random_queries():
    rng = random.Random(11)
    pieces = ['a', 'b', 'é', '=', '&', '%', '%4', '%41', '+', ' ', '%26', '%3d']
    for _ in range(500):
        query = ''.join(rng.choice(pieces) for _ in range(rng.randrange(1, 10)))
        try:
            want = expected_args(query)
        except ValueError:
            with pytest.raises(HTTPException):
                request(query=query).args
            continue
        args = request(query=query).args
        assert {k: args.getlist(k) for k in args} == want, query
        assert list(args) == list(want), query


def test_from_flat_keeps_every_value_of_a_repeated_key():
    d = MultiDict._from_flat(['a', '1', 'b', '2', 'a', '3'])
    assert isinstance(d, MultiDict) and list(d) == ['a', 'b']
    assert d.getlist('a') == ['1', '3'] and d['b'] == '2'
    d = MultiDict._from_flat(['a', '1', 'b', '2'])
    assert d.getlist('a') == ['1'] and d.getlist('b') == ['2']


# Cookies -------------------------------------------------------------------------

COOKIES = [
    'a=1', 'session=4f2a9c0e7b1d; cart=1703; theme=dark', 'a=1;b=2',
    'a=1;  b=2', ' a = 1 ; b=2 ', 'a=1\t;\tb=2', 'a="x y"; b=2',
    'a="q"; b="r s"', 'a=1; a=2; b=3', 'a=; b=', 'a; b=2', 'a=b=c; d=e==',
    '=v; w=x', 'a=1; ', '; a=1', ';;', 'a=1; b', 'é=ü; x=y',
]


@pytest.mark.parametrize('header', COOKIES)
def test_cookies(header):
    req = request(['Host', 'h', 'Cookie', header])
    assert req.cookies == expected_cookies(header)
    assert list(req.cookies) == list(expected_cookies(header))
    # and after headers were built
    req = request(['Host', 'h', 'Cookie', header])
    req.headers
    assert req.cookies == expected_cookies(header)


@pytest.mark.parametrize('name', ['Cookie', 'cookie', 'COOKIE', 'cOoKiE'])
def test_cookie_header_in_any_case(name):
    for build_headers_first in (False, True):
        req = request(['Host', 'h', name, 'a=1; b=2'])
        if build_headers_first:
            req.headers
        assert req.cookies == {'a': '1', 'b': '2'}


def test_without_cookies():
    req = request(['Host', 'h'])
    assert req.cookies == {}
    req = request(['Host', 'h'])
    req.headers
    assert req.cookies == {}
    req = request(['Cookie', ''])
    assert req.cookies == {}


def test_repeated_cookie_headers():
    # Cookie lines joined with '; ' when read from the raw list
    req = request(['Cookie', 'a=1', 'cookie', 'b=2; a=3'])
    assert req.cookies == {'a': '1', 'b': '2'}


def test_cookies_with_headers_replaced_by_a_plain_dict():
    req = request(['Cookie', 'a=1'])
    req.headers
    req.headers = {'cookie': 'z=9'}
    assert req.cookies == {'z': '9'}


def test_cookies_of_random_headers():
    rng = random.Random(13)
    pieces = ['a', 'b', 'é', '=', ';', '; ', ' ', '\t', '"', '==', 'x']
    for _ in range(500):
        header = ''.join(rng.choice(pieces)
                         for _ in range(rng.randrange(1, 10)))
        req = request(['Host', 'h', 'Cookie', header])
        req.headers
        got = req.cookies
        want = expected_cookies(header)
        assert got == want and list(got) == list(want), header


def test_builders_are_installed():
    assert NoCaseDict._fill is _cpython.fill_headers
    assert isinstance(Request.__dict__['headers'], _cpython._Headers)
    assert isinstance(Request.__dict__['args'], _cpython._Args)
    assert isinstance(Request.__dict__['cookies'], _cpython._Cookies)


def test_a_subclass_with_its_own_lazy_builds_them_there():
    class Own(Request):
        def _lazy(self, name):
            if name in ('headers', 'args', 'cookies'):
                value = 'own ' + name
                setattr(self, name, value)
                return value
            return Request._lazy(self, name)

    class Plain(Request):
        pass

    req = Own(None, None, 'GET', '/p?a=1', '1.1', [])
    assert (req.headers, req.args, req.cookies) == (
        'own headers', 'own args', 'own cookies')
    req = Plain(None, None, 'GET', '/p?a=1', '1.1', ['Cookie', 'c=2'])
    assert req.args == {'a': '1'} and req.cookies == {'c': '2'}
    assert req.headers == {'Cookie': 'c=2'}


def test_descriptors_called_without_a_class():
    req = request(['Cookie', 'c=2'], 'a=1')
    assert Request.__dict__['args'].__get__(req) == {'a': '1'}
    assert Request.__dict__['cookies'].__get__(req) == {'c': '2'}
    assert Request.__dict__['headers'].__get__(req) == {'Cookie': 'c=2'}


@needs_cffi
def test_cookies_read_first_from_parsed_heads():
    heads = [
        (b'Host: h\r\nCookie: a=1; b=2\r\n', {'a': '1', 'b': '2'}),
        (b'Host: h\r\ncookie: a=1\r\n', {'a': '1'}),
        (b'Host: h\r\nX-V: Cookie\r\nCOOKIE: c=3\r\n', {'c': '3'}),
        (b'Host: h\r\nX-V: Cookie\r\n', {}),
        (b'Host: h\r\n', {}),
        (b'Cookie: a=1\r\ncookie: b=2\r\n', {'a': '1', 'b': '2'}),
        (b'Cookie: a=1\r\nX: y\r\nCookie: a=2; c=3\r\n', {'a': '1', 'c': '3'}),
    ]
    for fields, want in heads:
        head = b'GET / HTTP/1.0\r\n' + fields + b'\r\n'
        flat = _cffi.parse_request(head, 0, len(head), 0, 2048, 16384, 64)[4]
        req = Request(None, None, 'GET', '/', '1.1', flat)
        assert req.cookies == want, fields
        check_headers(req, list(flat))  # still whole afterwards


# NoCaseDict and MultiDict lookups -----------------------------------------------

def test_dict_lookups_are_installed():
    assert NoCaseDict.get is _cpython.nocase_get
    assert NoCaseDict.__getitem__ is _cpython.nocase_getitem
    assert NoCaseDict.__contains__ is _cpython.nocase_contains
    assert NoCaseDict.__setitem__ is _cpython.nocase_setitem
    assert MultiDict.get is _cpython.multi_get
    assert 'letter case' in NoCaseDict.get.__doc__  # the documented one


def test_nocase_dict_against_a_model_of_random_operations():
    rng = random.Random(7)
    # (more than _cpython._SCAN_MAX of them: small dicts are scanned, larger
    # ones use their lower-case map)
    names = ['Accept', 'Content-Type', 'X-Id', 'cookie', 1, (2, 3), 'Host',
             'Age', 'ETag', 'Vary', 'Date', 'Server', 'Via', 'From']

    def spell(name):
        if not isinstance(name, str):
            return name
        return ''.join(c.upper() if rng.random() < 0.5 else c.lower()
                       for c in name)

    def fold(key):
        return key.lower() if isinstance(key, str) else key

    for _ in range(200):
        d = NoCaseDict()
        model = {}  # folded key -> [spelling as first inserted, value]
        for step in range(60):
            key = spell(rng.choice(names))
            op = rng.random()
            if op < 0.4:
                d[key] = step
                if fold(key) in model:
                    model[fold(key)][1] = step
                else:
                    model[fold(key)] = [key, step]
            elif op < 0.5 and fold(key) in model:
                del d[key]
                del model[fold(key)]
            entry = model.get(fold(key))
            assert (key in d) == (entry is not None)
            assert d.get(key) == (entry[1] if entry else None)
            assert d.get(key, 'none') == (entry[1] if entry else 'none')
            if entry:
                assert d[key] == entry[1]
            else:
                with pytest.raises(KeyError):
                    d[key]
            assert list(d.items()) == [tuple(e) for e in model.values()]


def test_nocase_dict_lookups_of_unhashable_keys_raise():
    d = NoCaseDict({'A': 1})
    for lookup in (d.get, d.__getitem__, d.__contains__):
        with pytest.raises(TypeError):
            lookup([])
    with pytest.raises(TypeError):
        d[[]] = 1


def test_nocase_dict_of_lower_case_names_found_in_title_case():
    d = NoCaseDict()
    dict.update(d, {'accept-language': 'en', 'host': 'x'})  # (as ASGI's)
    assert d.get('Accept-Language') == 'en'
    assert d['HOST'] == 'x' and 'Host' in d and 'Other' not in d


def test_multidict_get():
    d = MultiDict([('a', '1'), ('a', '2'), ('b', 'x'), ('n', None)])
    assert d.get('a') == '1' and d.get('c') is None and d.get('c', 5) == 5
    assert d.get('a', type=int) == 1
    assert d.get('b', 7, type=int) == 7  # ValueError
    assert d.get('n', 8, type=int) == 8  # TypeError
    assert d.get('c', 9, type=int) == 9
    assert d.get('n', 3) is None


# Routes without URL components (answered from the router's table) ---------------

def dispatch(app, method, path):
    return asyncio.run(app.dispatch_request(Request(app, None, method, path,
                                                    '1.1', [])))


def test_url_args_stay_per_request():
    app = Microdot()

    @app.route('/items/<int:id>')
    async def item(req, id):
        value = req.url_args['id']
        req.url_args['id'] = -1  # a handler changing them
        return str(value)

    @app.route('/about')
    async def about(req):
        seen = dict(req.url_args)
        req.url_args['x'] = 1  # a handler writing to its (fresh) url_args
        return repr(seen)

    for _ in range(3):
        assert dispatch(app, 'GET', '/items/4').body == b'4'
        assert dispatch(app, 'GET', '/about').body == b'{}'
        assert dispatch(app, 'HEAD', '/about').status_code == 200


def test_routes_added_later_are_found():
    app = Microdot()

    @app.route('/<name>')
    async def name(req, name):
        return 'name ' + name

    assert dispatch(app, 'GET', '/a').body == b'name a'
    assert dispatch(app, 'POST', '/a').status_code == 405

    @app.route('/a', methods=['GET', 'POST'])
    async def a(req):
        return 'a'

    assert dispatch(app, 'GET', '/a').body == b'name a'  # the first route
    assert dispatch(app, 'POST', '/a').body == b'a'


def test_custom_components_are_parsed_every_time():
    calls = []

    app = Microdot()
    from microdot import URLPattern
    URLPattern.register_type('even', '[0-9]+',
                             lambda s: calls.append(s) or int(s))

    @app.route('/<even:n>')
    async def even(req, n):
        return str(n)

    @app.route('/about')
    async def about(req):
        return 'about'

    for _ in range(3):
        assert dispatch(app, 'GET', '/4').body == b'4'
        assert dispatch(app, 'GET', '/about').body == b'about'
    assert len(calls) == 3


# Response.complete ---------------------------------------------------------------

def test_complete_is_installed():
    from microdot import Response
    assert Response.complete.__code__.co_filename == _cpython.__file__
    assert 'Content-Length' in Response.complete.__doc__


@pytest.mark.parametrize('headers, body, expected', [
    (None, 'hi', {'Content-Length': '2',
                  'Content-Type': 'text/plain; charset=UTF-8'}),
    (None, bytearray(b'abc'), {'Content-Length': '3',
                               'Content-Type': 'text/plain; charset=UTF-8'}),
    ({'content-type': 'text/html'}, 'hi', {'content-type': 'text/html',
                                           'Content-Length': '2'}),
    ({'CONTENT-LENGTH': '9'}, 'hi', {'CONTENT-LENGTH': '9',
                                     'Content-Type':
                                     'text/plain; charset=UTF-8'}),
    (None, {'a': 1}, {'Content-Type': 'application/json; charset=UTF-8',
                      'Content-Length': '8'}),
    ({'X-A': '1'}, iter([b'x']), {'X-A': '1', 'Content-Type':
                                  'text/plain; charset=UTF-8'}),
])
def test_complete(headers, body, expected):
    from microdot import Response
    res = Response(body, headers=headers)
    res.complete()
    assert list(res.headers.items()) == list(expected.items())
    assert 'content-length' in res.headers or 'Content-Length' not in expected


def test_complete_with_another_default_type_and_a_plain_dict():
    from microdot import Response

    class Html(Response):
        default_content_type = 'text/html'

    res = Html('<p>')
    res.complete()
    assert res.headers == {'Content-Length': '3',
                           'Content-Type': 'text/html; charset=UTF-8'}
    res = Response('x')
    res.headers = {'content-type': 'a/b'}  # a plain dict set by the app
    res.complete()
    assert res.headers['Content-Length'] == '1'

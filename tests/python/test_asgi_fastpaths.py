"""The shortcuts of microdot.asgi's request/response path give what the
general code gives: headers decoded from the scope's byte pairs, single
headers read without building ``headers``, the response header list, and
the memo of routes without URL components. Each test compares against the
general behaviour (Request/NoCaseDict/Response.complete()), so a shortcut
that drifts from it fails here."""
import json

import pytest

from microdot import NoCaseDict, Response
from microdot import asgi
from microdot.asgi import Microdot

from test_asgi_direct import call, make_scope

BROWSER = [(b'host', b'shop.example.org'), (b'user-agent', b'Mozilla/5.0'),
           (b'accept', b'text/html'), (b'accept-language', b'en-GB'),
           (b'cookie', b'session=4f2a; cart=17; theme=dark'),
           (b'cache-control', b'max-age=0')]


def request_of(scope, app=None):
    return asgi._ASGIRequest(app or Microdot(), scope, scope['method'])


def general_headers(pairs):
    """What Request builds from a flat [name, value, ...] list."""
    headers = NoCaseDict()
    headers._fill([text.decode('latin-1') for pair in pairs
                   for text in pair])
    return headers


@pytest.mark.parametrize('pairs', [
    BROWSER,
    [],
    [(b'accept', b'a'), (b'x-two', b'1'), (b'accept', b'b')],  # repeated
    [(b'X-Mixed', b'1'), (b'x-mixed', b'2'), (b'Host', b'h')],  # not lower
    [(b'x-latin', b'caf\xe9'), (b'x-nl', b'a\nb')],  # latin-1, odd bytes
    [[b'host', b'list-pairs.example']],  # pairs as lists
])
def test_headers_match_the_general_build(pairs):
    for _ in range(2):  # the second time with the names cached
        headers = request_of(make_scope(headers=pairs)).headers
        expected = general_headers(pairs)
        assert isinstance(headers, NoCaseDict)
        assert list(headers.items()) == list(expected.items())
        for name, value in expected.items():
            assert headers[name.upper()] == value
            assert headers.get(name.title()) == value
            assert name.swapcase() in headers


def test_headers_dict_behaves_after_the_shortcut():
    headers = request_of(make_scope(headers=BROWSER)).headers
    headers['Accept'] = 'application/json'  # replaces, keeps the spelling
    assert list(headers).count('accept') == 1
    assert 'Accept' not in list(headers)
    assert headers['ACCEPT'] == 'application/json'
    del headers['User-Agent']
    assert 'user-agent' not in headers
    assert headers.get('USER-AGENT') is None
    headers['X-New'] = '1'
    assert headers['x-new'] == '1'
    assert headers.pop('Cache-Control') == 'max-age=0'
    assert 'cache-control' not in headers
    assert len(headers) == 5


def test_headers_beyond_the_name_cache():
    saved = dict(asgi._names)
    try:
        pairs = [(b'x-many-%d' % i, b'%d' % i)
                 for i in range(asgi._NAMES_MAX + 20)]
        req = request_of(make_scope(headers=pairs))
        assert req._header('x-many-3') == '3'
        headers = req.headers
        assert len(headers) == len(pairs)
        assert headers['X-Many-%d' % (len(pairs) - 1)] == str(len(pairs) - 1)
        assert len(asgi._names) <= asgi._NAMES_MAX
        # a full cache: new names take the general way, still right
        req = request_of(make_scope(headers=[(b'x-unseen', b'1'),
                                             (b'cookie', b'a=b')]))
        assert req._fields is None
        assert req.cookies == {'a': 'b'}
        assert req.headers['X-Unseen'] == '1'
    finally:
        asgi._names.clear()
        asgi._names.update(saved)


@pytest.mark.parametrize('pairs', [
    [(b'content-length', b'0')],
    [(b'content-length', b'00')],
    [(b'content-length', b'7')],
    [(b'transfer-encoding', b'chunked')],
    [(b'host', b'h'), (b'Content-Length', b'3')],
    [(b'content-length', b'0'), (b'content-length', b'0')],
    [(b'x-content-length', b'5')],
    [],
])
def test_body_check_matches_the_loop(pairs):
    req = request_of(make_scope('POST', headers=pairs))
    expected = any(
        name.lower() == b'transfer-encoding' or (
            name.lower() == b'content-length' and
            not (value.isdigit() and int(value) == 0))
        for name, value in pairs)
    assert asgi._may_have_body(req) is expected


@pytest.mark.parametrize('pairs,cookies', [
    ([(b'Cookie', b'a=1'), (b'cookie', b'b=2; a=3'),
      (b'content-type', b'text/csv'), (b'Content-Length', b'12'),
      (b'x-latin', b'caf\xe9')], {'a': '1', 'b': '2'}),
    ([(b'cookie', b'b=2; a=3'), (b'content-type', b'text/csv'),
      (b'content-length', b'12'), (b'x-latin', b'caf\xe9')],
     {'a': '3', 'b': '2'}),
])
def test_single_headers_from_the_scope(pairs, cookies):
    req = request_of(make_scope(headers=pairs))
    assert req.cookies == cookies
    assert req.content_type == 'text/csv'
    assert req.content_length == 12
    assert req._header('x-latin') == 'caf\u00e9'
    assert req._header('x-missing') is None
    assert 'headers' not in vars(req)  # none of that built headers
    # an app that replaces the headers: single reads follow it
    req.headers = NoCaseDict({'Content-Type': 'text/html'})
    assert req.content_type == 'text/html'


def test_request_attributes_from_the_scope():
    req = request_of(make_scope(path='/a%20b', query=b'x=1&y=%C3%A9',
                                client=['10.0.0.2', 5], http_version='1.0',
                                method='PUT'))
    assert req.path == '/a%20b'
    assert req.url == '/a%20b?x=1&y=%C3%A9'
    assert req.query_string == 'x=1&y=%C3%A9'
    assert req.args.getlist('y') == ['\u00e9']
    assert req.client_addr == ('10.0.0.2', 5)
    assert req.http_version == '1.0'
    assert req.method == 'PUT'
    req = request_of(make_scope(path='/p', client=None, http_version=None))
    assert req.url == '/p' and req.query_string is None
    assert req.client_addr is None
    assert req.http_version == '1.1'


def complete_headers(res):
    """What Response.complete() + lower-casing give (the general path)."""
    res.complete()
    out = []
    for name, value in res.headers.items():
        for item in value if isinstance(value, list) else [value]:
            out.append((name.lower().encode(), str(item).encode()))
    return out


@pytest.mark.parametrize('make', [
    lambda: Response('text'),
    lambda: Response({'a': [1, 2]}),
    lambda: Response({'a': 1}, headers={'Content-Type': 'application/x'}),
    lambda: Response([1], headers={'content-type': 'text/json'}),
    lambda: Response(b'xy', headers={'Content-Length': '2', 'X-N': 7}),
    lambda: Response('c', headers={'Set-Cookie': ['a=1', 'b=2']}),
    lambda: Response('', 204),
])
def test_response_headers_match_complete(make):
    res = make()
    got = asgi._whole_headers(res, res.body)
    assert sorted(got) == sorted(complete_headers(make()))
    assert len(got) == len(set(got))


def test_response_headers_order_of_a_json_body():
    res = Response({'k': 'v'})
    assert asgi._whole_headers(res, res.body) == [
        (b'content-type', b'application/json; charset=UTF-8'),
        (b'content-length', b'%d' % len(res.body))]


def test_static_route_memo_follows_the_routes():
    app = Microdot()

    @app.get('/')
    async def index(request):
        request.url_args['leak'] = 1  # private to this request
        return 'index'

    @app.get('/<name>')
    async def named(request, name):
        return 'named ' + name

    for _ in range(2):
        sent, _ = call(app, make_scope())
        assert sent[1]['body'] == b'index'
        sent, _ = call(app, make_scope(path='/static'))
        assert sent[1]['body'] == b'named static'
        sent, _ = call(app, make_scope(path='/static/x'))
        assert sent[0]['status'] == 404
        sent, _ = call(app, make_scope(method='POST'))
        assert sent[0]['status'] == 405

    @app.get('/static/x')
    async def late(request):
        return 'late'

    @app.post('/')
    async def post(request):
        return 'posted'

    sent, _ = call(app, make_scope(path='/static/x'))
    assert sent[1]['body'] == b'late'
    sent, _ = call(app, make_scope(method='POST'))
    assert sent[1]['body'] == b'posted'
    sent, _ = call(app, make_scope(method='HEAD'))
    assert sent[0]['status'] == 200 and sent[1]['body'] == b''
    sent, _ = call(app, make_scope())
    assert sent[1]['body'] == b'index'


def test_realistic_request_end_to_end():
    # the benchmark's realistic route, through the ASGI interface
    app = Microdot()

    @app.get('/catalog/items/<int:item_id>')
    async def item(request, item_id):
        return {'id': item_id, 'color': request.args.get('color'),
                'session': request.cookies.get('session'),
                'language': request.headers.get('Accept-Language')}

    for _ in range(3):
        sent, reads = call(app, make_scope(
            path='/catalog/items/421', query=b'color=blue&size=m',
            headers=BROWSER))
        assert reads == 0
        assert sent[0]['status'] == 200
        assert json.loads(sent[1]['body']) == {
            'id': 421, 'color': 'blue', 'session': '4f2a',
            'language': 'en-GB'}
        assert (b'content-length', b'%d' % len(sent[1]['body'])) in \
            sent[0]['headers']


def test_scope_without_headers_key():
    app = Microdot()

    @app.get('/')
    async def index(request):
        return {'h': dict(request.headers), 'c': request.cookies,
                't': request.content_type}

    scope = make_scope()
    del scope['headers']
    sent, _ = call(app, scope)
    assert json.loads(sent[1]['body']) == {'h': {}, 'c': {}, 't': None}


@pytest.mark.parametrize('query', [
    b'color=blue&size=m', b'a', b'a=', b'=v', b'&&a=1&&b=2&', b'a=1=2',
    b'a=1&',
    b'a=1&a=2&b=3', b'q=caf%C3%A9', b'q=a+b', b'x=caf\xe9', b'a=1;b=2',
    b'%41=1&A=2',
])
def test_args_match_the_general_parse(query):
    from microdot import Request
    req = request_of(make_scope(query=query))
    general = Request(Microdot(), None, 'GET',
                      '/?' + query.decode('latin-1'), '1.1', {})
    assert type(req.args) is type(general.args)
    assert list(req.args.items()) == list(general.args.items())
    for name in general.args:
        assert req.args.getlist(name) == general.args.getlist(name)


@pytest.mark.parametrize('cookie', [
    b'session=4f2a9c0e7b1d; cart=1703; theme=dark', b'a=1;b=2', b'a=1; a=2',
    b' a = 1 ;\tb=2\t; noeq; =empty; c==x=; d=', b'', b';;', b'x=caf\xe9',
])
def test_cookies_match_the_general_parse(cookie):
    from microdot import Request
    req = request_of(make_scope(headers=[(b'cookie', cookie)]))
    general = Request(Microdot(), None, 'GET', '/', '1.1',
                      {'Cookie': cookie.decode('latin-1')})
    assert req.cookies == general.cookies
    assert list(req.cookies) == list(general.cookies)


def test_lazy_client_and_scheme_are_settable():
    req = request_of(make_scope(client=('1.2.3.4', 5), scheme='https'))
    assert req.client_addr == ('1.2.3.4', 5)
    assert req.scheme == 'https'
    req.client_addr = ('9.9.9.9', 1)
    req.scheme = 'http'
    assert (req.client_addr, req.scheme) == (('9.9.9.9', 1), 'http')
    req = request_of(make_scope(scheme='http'))
    assert req.scheme == 'http'
    scope = make_scope()
    del scope['scheme'], scope['client']
    req = request_of(scope)
    assert (req.client_addr, req.scheme) == (None, 'http')

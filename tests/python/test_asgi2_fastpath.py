"""microdot.asgi answers a body-less request for an async route without URL
components, and no request hooks, without dispatch_request (and a str
answer without a Response). These tests run the same requests through that
shortcut and through the general path (an app whose dispatch_request is
overridden, which turns the shortcut off) and compare every message sent:
status, headers, body, for plain, HEAD, error, streaming, cookie and
after_request answers."""
import asyncio
import json

import pytest

from microdot import NoCaseDict, Request, Response, abort
from microdot import asgi
from microdot.asgi import Microdot

from test_asgi_direct import make_scope


class GeneralMicrodot(Microdot):
    async def dispatch_request(self, req):  # (any override: no shortcut)
        return await Microdot.dispatch_request(self, req)


def build(cls):
    app = cls()
    seen = []

    @app.get('/')
    async def index(request):
        return 'Hello, World!'

    @app.get('/unicode')
    async def unicode(request):
        return 'caf\u00e9 \u20ac'

    @app.route('/head', methods=['GET', 'HEAD'])
    async def head(request):
        return 'has a body on GET'

    @app.get('/json')
    async def as_json(request):
        return {'args': request.args.get('a'),
                'cookie': request.cookies.get('sid'),
                'agent': request.headers.get('User-Agent')}

    @app.get('/tuple')
    async def as_tuple(request):
        return 'created', 201, {'X-Thing': 'yes'}

    @app.get('/status')
    async def status_only(request):
        return 204

    @app.get('/bytes')
    async def as_bytes(request):
        return Response(bytearray(b'raw bytes'),
                        headers={'Content-Type': 'application/octet-stream'})

    @app.get('/cookie')
    async def cookie(request):
        res = Response('with cookies')
        res.set_cookie('sid', 'abc', http_only=True)
        res.set_cookie('theme', 'dark', path='/')
        return res

    @app.get('/stream')
    async def stream(request):
        async def chunks():
            for i in range(3):
                yield 'chunk %d\n' % i
        return chunks()

    @app.get('/abort')
    async def aborts(request):
        abort(403)

    @app.get('/boom')
    async def boom(request):
        raise ValueError('boom')

    @app.get('/teapot')
    async def teapot(request):
        raise KeyError('handled')

    @app.errorhandler(KeyError)
    async def key_error(request, exc):
        return 'no such key', 418

    @app.get('/after')
    async def after(request):
        @request.after_request
        async def add_header(request, response):
            response.headers['X-After'] = 'req'
            return response
        return 'after'

    @app.get('/after-str')
    async def after_str(request):
        @request.after_request
        def replace(request, response):
            return 'replaced'
        return 'original'

    @app.get('/none')
    async def none(request):
        return None

    @app.get('/sync')
    def sync(request):
        return 'sync'

    @app.get('/route')
    async def route(request):
        seen.append(request.route)
        return 'route'

    @app.get('/user/<name>')
    async def user(request, name):
        return 'user ' + name

    @app.post('/post')
    async def post(request):
        return 'posted ' + request.body.decode()

    @app.after_error_request
    async def after_error(request, response):
        response.headers['X-Error'] = str(response.status_code)

    return app, seen


def run(app, scope, body=None):
    sent = []
    messages = [] if body is None else [
        {'type': 'http.request', 'body': body, 'more_body': False}]

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)  # (until the response is sent)

    async def send(message):
        sent.append(message)

    async def main():
        await asyncio.wait_for(app(scope, receive, send), 10)

    asyncio.run(main())
    return sent


REQUESTS = [
    ('GET', '/', b'', [], None),
    ('GET', '/unicode', b'', [], None),
    ('HEAD', '/head', b'', [], None),
    ('GET', '/head', b'', [], None),
    ('HEAD', '/', b'', [], None),  # (HEAD of a GET route: general path)
    ('GET', '/json', b'a=1&b=2', [(b'cookie', b'sid=x1; t=2'),
                                  (b'user-agent', b'test/1.0')], None),
    ('GET', '/tuple', b'', [], None),
    ('GET', '/status', b'', [], None),
    ('GET', '/bytes', b'', [], None),
    ('GET', '/cookie', b'', [], None),
    ('GET', '/stream', b'', [], None),
    ('HEAD', '/stream', b'', [], None),
    ('GET', '/abort', b'', [], None),
    ('GET', '/boom', b'', [], None),
    ('GET', '/teapot', b'', [], None),
    ('GET', '/after', b'', [], None),
    ('GET', '/after-str', b'', [], None),
    ('GET', '/none', b'', [], None),
    ('GET', '/sync', b'', [], None),
    ('GET', '/user/ann', b'', [], None),
    ('GET', '/missing', b'', [], None),
    ('DELETE', '/', b'', [], None),
    ('POST', '/post', b'', [(b'content-length', b'4')], b'data'),
    ('GET', '/', b'', [(b'content-length', b'0')], None),
    ('GET', '/', b'', [(b'Host', b'mixed.case')], None),
    ('GET', '/', b'', [(b'accept', b'a'), (b'accept', b'b')], None),
    ('GET', '/json', b'', [(b'user-agent', b'caf\xe9')], None),
]


@pytest.mark.parametrize('method,path,query,headers,body', REQUESTS)
def test_shortcut_answers_as_the_general_path(method, path, query, headers,
                                              body, capsys):
    fast, _ = build(Microdot)
    general, _ = build(GeneralMicrodot)
    for _ in range(2):  # (the second time with the router made)
        expected = run(general, make_scope(method, path, query, headers),
                       body)
        got = run(fast, make_scope(method, path, query, headers), body)
        assert got == expected
    assert got[0]['type'] == 'http.response.start'
    assert got[-1]['type'] == 'http.response.body'


def test_shortcut_is_taken_and_answers_hello():
    app, seen = build(Microdot)
    calls = []
    original = Microdot.dispatch_request

    async def counting(self, req):
        calls.append(req.path)
        return await original(self, req)

    Microdot.dispatch_request = counting
    try:
        run(app, make_scope('GET', '/'))  # (the first makes the router)
        del calls[:]
        # with dispatch_request replaced on the class the shortcut is off
        run(app, make_scope('GET', '/'))
        assert calls == ['/']
    finally:
        Microdot.dispatch_request = original
    del calls[:]
    sent = run(app, make_scope('GET', '/route'))
    assert seen and seen[0].__name__ == 'route'  # (request.route is set)
    sent = run(app, make_scope('GET', '/'))
    assert sent == [
        {'type': 'http.response.start', 'status': 200,
         'headers': [(b'content-length', b'13'),
                     (b'content-type', b'text/plain; charset=UTF-8')]},
        {'type': 'http.response.body', 'body': b'Hello, World!'}]


@pytest.mark.parametrize('hook', ['before', 'after'])
def test_app_hooks_run_on_routes_that_could_take_the_shortcut(hook):
    app, _ = build(Microdot)
    if hook == 'before':
        @app.before_request
        async def before(request):
            if request.path == '/':
                return 'from before', 202
    else:
        @app.after_request
        async def after(request, response):
            response.headers['X-Hook'] = 'ran'
    for _ in range(2):
        sent = run(app, make_scope('GET', '/'))
        headers = dict(sent[0]['headers'])
        if hook == 'before':
            assert (sent[0]['status'], sent[1]['body']) == (202,
                                                            b'from before')
        else:
            assert headers[b'x-hook'] == b'ran'
            assert sent[1]['body'] == b'Hello, World!'


def test_default_content_type_change_is_seen():
    app, _ = build(Microdot)
    saved = Response.default_content_type
    try:
        run(app, make_scope('GET', '/'))
        Response.default_content_type = 'text/html'
        sent = run(app, make_scope('GET', '/'))
        assert dict(sent[0]['headers'])[b'content-type'] == \
            b'text/html; charset=UTF-8'
        Response.default_content_type = 'application/x-thing'
        sent = run(app, make_scope('GET', '/'))
        assert dict(sent[0]['headers'])[b'content-type'] == \
            b'application/x-thing'
    finally:
        Response.default_content_type = saved
    sent = run(app, make_scope('GET', '/'))
    assert dict(sent[0]['headers'])[b'content-type'] == \
        b'text/plain; charset=UTF-8'


def test_mounted_static_route_keeps_its_subapp_hooks():
    sub = Microdot()

    @sub.get('/')
    async def sub_index(request):
        return 'sub'

    @sub.after_request
    async def sub_after(request, response):
        response.headers['X-Sub'] = 'yes'

    @sub.get('/page')
    async def sub_page(request):
        return 'sub'

    app = Microdot()
    app.mount(sub, url_prefix='/sub', local=True)
    for _ in range(2):
        sent = run(app, make_scope('GET', '/sub/page'))
        assert sent[1]['body'] == b'sub'
        assert dict(sent[0]['headers'])[b'x-sub'] == b'yes'


def test_str_answers_in_turn_match_the_general_path():
    # (the shortcut keeps the latest short str answer's body and headers)
    fast, general = Microdot(), GeneralMicrodot()
    texts = {'/a': 'first', '/b': 'second \u00e9', '/empty': '',
             '/long': 'x' * 300 + '\u20ac'}
    for app in (fast, general):
        for path, text in texts.items():
            async def handler(request, text=text):
                return text
            app.get(path)(handler)
    for path in ['/a', '/a', '/b', '/a', '/long', '/long', '/empty', '/b',
                 '/empty', '/a']:
        got = run(fast, make_scope('GET', path))
        assert got == run(general, make_scope('GET', path))
        assert got[1]['body'] == texts[path].encode()
        assert dict(got[0]['headers'])[b'content-length'] == \
            str(len(texts[path].encode())).encode()


@pytest.mark.parametrize('extra,path', [
    ({}, '/caf%C3%A9/a%20b'),
    ({'raw_path': None}, '/caf%C3%A9/a%20b'),
    ({'raw_path': b'/caf%C3%A9/a%20b?x=1'}, '/caf%C3%A9/a%20b'),
    ({'root_path': '/root', 'raw_path': None}, '/root/caf%C3%A9/a%20b'),
])
def test_request_path_from_the_scope(extra, path):
    app = Microdot()

    @app.route('/<path:p>')
    async def echo(request, p):
        return {'path': request.path, 'query': request.query_string,
                'version': request.http_version}

    scope = make_scope('GET', '/caf%C3%A9/a%20b')
    scope['path'] = '/caf\u00e9/a b'
    scope.update(extra)
    for _ in range(2):  # (the second time from the path cache)
        sent = run(app, dict(scope))
        assert json.loads(sent[1]['body']) == {
            'path': path, 'query': None, 'version': '1.1'}


def test_scope_without_optional_keys():
    app, _ = build(Microdot)
    scope = make_scope('GET', '/json')
    for key in ('raw_path', 'query_string', 'headers', 'http_version'):
        del scope[key]
    scope['path'] = '/json'
    sent = run(app, scope)
    assert sent[0]['status'] == 200
    assert json.loads(sent[1]['body']) == {
        'args': None, 'cookie': None, 'agent': None}


def test_many_paths_through_the_path_cache():
    app = Microdot()

    @app.route('/n/<int:i>')
    async def number(request, i):
        return '%d %s' % (i, request.path)

    for i in range(asgi._PATHS_MAX * 2 + 5):
        sent = run(app, make_scope('GET', '/n/%d' % i))
        assert sent[1]['body'] == b'%d /n/%d' % (i, i)
    assert len(asgi._paths) <= asgi._PATHS_MAX


COOKIES = ['a=1; b=2', 'a=1;b=2', ' a = 1 ;\tb=2\t', 'a=1; a=2; b=3',
           'a=1; novalue; b=', 'a=x=y; b="q"', '; ;a=1;', 'caf\u00e9=1',
           'a=1;  b=2', 'session=4f2a9c0e7b1d; cart=1703; theme=dark']
QUERIES = ['a=1&b=2', 'a=1&a=2', 'a=%41&b=x+y', 'a&b=1', '&&a=1&', 'a=',
           'q=caf%C3%A9', 'a=1&&b=2', '=x', 'color=blue&size=m']


@pytest.mark.parametrize('cookie', COOKIES)
def test_cookies_as_the_general_request(cookie):
    general = Request(None, None, 'GET', '/', '1.1',
                      NoCaseDict({'Cookie': cookie})).cookies
    scope = make_scope(headers=[(b'cookie', cookie.encode())])
    assert asgi._ASGIRequest(Microdot(), scope, 'GET').cookies == general


@pytest.mark.parametrize('query', QUERIES)
def test_args_as_the_general_request(query):
    general = Request(None, None, 'GET', '/?' + query, '1.1',
                      NoCaseDict()).args
    scope = make_scope(query=query.encode())
    args = asgi._ASGIRequest(Microdot(), scope, 'GET').args
    assert type(args) is type(general)
    assert list(args.items()) == list(general.items())
    for name in general:
        assert args.getlist(name) == general.getlist(name)


@pytest.mark.parametrize('pairs', [
    [(b'host', b'h'), (b'x-utf8', 'caf\u00e9'.encode()),
     (b'accept', b'*/*')],
    [(b'host', b'h'), (b'x-latin', b'caf\xe9'), (b'accept', b'*/*')],
    [(b'host', bytearray(b'h')), (b'accept', b'*/*')],
])
def test_headers_decoded_as_text(pairs):
    headers = asgi._ASGIRequest(Microdot(), make_scope(headers=pairs),
                                'GET').headers
    assert list(headers.items()) == [
        (name.decode(), asgi._text(bytes(value))) for name, value in pairs]
    assert headers['HOST'] == 'h'
    assert 'Accept' in headers

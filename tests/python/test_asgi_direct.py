"""microdot.asgi called directly through the ASGI interface (scope, receive,
send), as a server calls it: what the request sees of the scope, the
messages the response becomes, and when the body is received."""
import asyncio

import pytest

from microdot import Response
from microdot.asgi import Microdot


def make_scope(method='GET', path='/', query=b'', headers=(), **extra):
    scope = {'type': 'http', 'asgi': {'version': '3.0'},
             'http_version': '1.1', 'method': method, 'scheme': 'http',
             'path': path, 'raw_path': path.encode(), 'query_string': query,
             'root_path': '', 'headers': list(headers),
             'client': ('127.0.0.1', 40000), 'server': ('127.0.0.1', 8000)}
    scope.update(extra)
    return scope


def call(app, scope, body=None):
    """Runs one request; returns (messages sent, number of receive calls).
    With body=None, receive() fails the test: nothing should be read."""
    sent = []
    received = []

    async def receive():
        received.append(1)
        if body is None:
            raise AssertionError('receive() called for a request without body')
        if len(received) == 1:
            return {'type': 'http.request', 'body': body, 'more_body': False}
        return {'type': 'http.disconnect'}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent, len(received)


@pytest.fixture
def app():
    app = Microdot()

    @app.route('/', methods=['GET', 'POST'])
    async def index(request):
        return 'hi'

    @app.get('/info/<name>')
    async def info(request, name):
        return {'name': name, 'path': request.path, 'url': request.url,
                'query': request.query_string, 'args': request.args.get('a'),
                'client': list(request.client_addr),
                'scheme': request.scheme,
                'version': request.http_version,
                'agent': request.headers.get('User-Agent'),
                'accept': request.headers.get('accept'),
                'cookie': request.cookies.get('sid'),
                'type': request.content_type}

    @app.get('/lazy')
    async def lazy(request):
        # content_type and cookies are read before headers is built
        return {'type': request.content_type, 'cookie': request.cookies,
                'length': request.content_length,
                'host': request.headers.get('host')}

    @app.post('/echo')
    async def echo(request):
        return request.body

    @app.get('/cookies')
    async def cookies(request):
        res = Response('c', headers={'X-Custom': 'yes'})
        res.set_cookie('a', '1')
        res.set_cookie('b', '2')
        return res

    @app.get('/array')
    async def array(request):
        return bytearray(b'abc')

    return app


def test_plain_response_messages(app):
    sent, reads = call(app, make_scope())
    assert reads == 0
    assert sent == [
        {'type': 'http.response.start', 'status': 200,
         'headers': [(b'content-length', b'2'),
                     (b'content-type', b'text/plain; charset=UTF-8')]},
        {'type': 'http.response.body', 'body': b'hi'},
    ]


def test_request_from_scope(app):
    headers = [(b'user-agent', b'test/1'), (b'accept', b'text/html'),
               (b'accept', b'application/json'),
               (b'cookie', b'sid=42; x=y'),
               (b'content-type', b'text/plain')]
    sent, _ = call(app, make_scope(path='/info/a%20b', query=b'a=%C3%A9',
                                   headers=headers, scheme='https',
                                   client=['10.0.0.1', 1234]))
    assert sent[0]['status'] == 200
    import json
    assert json.loads(sent[1]['body']) == {
        'name': 'a b', 'path': '/info/a%20b', 'url': '/info/a%20b?a=%C3%A9',
        'query': 'a=%C3%A9', 'args': '\u00e9', 'client': ['10.0.0.1', 1234],
        'scheme': 'https', 'version': '1.1', 'agent': 'test/1',
        'accept': 'text/html, application/json', 'cookie': '42',
        'type': 'text/plain'}


def test_single_headers_before_headers_dict(app):
    headers = [(b'host', b'example.com'), (b'cookie', b'a=1'),
               (b'cookie', b'b=2'), (b'content-type', b'text/csv')]
    sent, _ = call(app, make_scope(path='/lazy', headers=headers))
    import json
    assert json.loads(sent[1]['body']) == {
        'type': 'text/csv', 'cookie': {'a': '1', 'b': '2'}, 'length': 0,
        'host': 'example.com'}


@pytest.mark.parametrize('headers', [
    [(b'content-length', b'5')],
    [(b'Content-Length', b'5')],
    [(b'transfer-encoding', b'chunked')],
])
def test_body_received_when_announced(app, headers):
    sent, reads = call(app, make_scope('POST', '/echo', headers=headers),
                       body=b'hello')
    assert reads == 1
    assert sent[0]['status'] == 200
    assert sent[1]['body'] == b'hello'


def test_no_receive_for_zero_length_body(app):
    sent, reads = call(app, make_scope(
        'POST', '/', headers=[(b'content-length', b'0')]))
    assert reads == 0
    assert sent[1]['body'] == b'hi'


def test_http2_body_always_received(app):
    sent, reads = call(app, make_scope('POST', '/echo', http_version='2'),
                       body=b'h2 body')
    assert reads == 1
    assert sent[1]['body'] == b'h2 body'


def test_head_keeps_length_sends_no_body(app):
    sent, _ = call(app, make_scope('HEAD'))
    assert (b'content-length', b'2') in sent[0]['headers']
    assert sent[1]['body'] == b''


def test_response_headers_lower_case_and_repeated(app):
    sent, _ = call(app, make_scope(path='/cookies'))
    headers = sent[0]['headers']
    assert (b'x-custom', b'yes') in headers
    assert [v for k, v in headers if k == b'set-cookie'] == [b'a=1', b'b=2']
    assert (b'content-length', b'1') in headers
    assert all(k == k.lower() for k, v in headers)


def test_bytearray_body_sent_as_bytes(app):
    sent, _ = call(app, make_scope(path='/array'))
    assert type(sent[1]['body']) is bytes
    assert sent[1]['body'] == b'abc'


def test_default_content_type_follows_the_class_attribute(app):
    saved = Response.default_content_type
    try:
        Response.default_content_type = 'text/html'
        sent, _ = call(app, make_scope())
        assert (b'content-type', b'text/html; charset=UTF-8') in \
            sent[0]['headers']
        Response.default_content_type = 'application/octet-stream'
        sent, _ = call(app, make_scope())
        assert (b'content-type', b'application/octet-stream') in \
            sent[0]['headers']
    finally:
        Response.default_content_type = saved
    sent, _ = call(app, make_scope())
    assert (b'content-type', b'text/plain; charset=UTF-8') in \
        sent[0]['headers']


def test_errors_are_responses(app):
    sent, _ = call(app, make_scope(path='/missing'))
    assert sent[0]['status'] == 404
    sent, _ = call(app, make_scope('DELETE'))
    assert sent[0]['status'] == 405
    sent, _ = call(app, make_scope('POST', '/echo', headers=[
        (b'content-length', b'%d' % (1 << 30))]), body=b'')
    assert sent[0]['status'] == 413


def test_path_without_raw_path(app):
    scope = make_scope(path='/info/a b')
    del scope['raw_path']
    sent, _ = call(app, scope)
    import json
    assert json.loads(sent[1]['body'])['path'] == '/info/a%20b'

"""review5, the WSGI adapter checked by the standard library's WSGI
conformance checker (wsgiref.validate, PEP 3333) under the standard
library's WSGI server, with the guide's kinds of routes and a CORS
preflight."""
import http.client
import threading
from wsgiref.simple_server import make_server, WSGIRequestHandler
from wsgiref.validate import validator

import pytest

from microdot import Response
from microdot.cors import CORS
from microdot.wsgi import Microdot


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def validated_server():
    """(port, errors): the app, wrapped in wsgiref's validator, served by
    wsgiref on 127.0.0.1; errors collects what the validator raised."""
    app = Microdot()
    CORS(app, allowed_origins=['https://example.com'],
         allow_credentials=True)

    @app.get('/')
    async def index(request):
        return 'Hello, World!'

    @app.get('/stream')
    async def stream(request):
        def generate():
            yield 'one '
            yield 'two'
        return generate()

    @app.get('/cookies')
    async def cookies(request):
        res = Response('cookies')
        res.set_cookie('a', '1')
        res.set_cookie('b', '2', http_only=True)
        return res

    @app.post('/items')
    async def items(request):
        return {'got': request.json}, 201

    @app.delete('/items/<int:n>')
    async def delete(request, n):
        return '', 204

    @app.get('/cached')
    async def cached(request):
        return '', 304

    errors = []

    def checked(environ, start_response):
        try:
            return validator(app)(environ, start_response)
        except AssertionError as exc:
            errors.append(str(exc))
            raise

    server = make_server('127.0.0.1', 0, checked,
                         handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={'poll_interval': 0.05})
    thread.start()
    yield server.server_address[1], errors
    server.shutdown()
    thread.join(10)
    server.server_close()


REQUESTS = [
    ('GET', '/', None, {}, 200, b'Hello, World!'),
    ('HEAD', '/', None, {}, 200, b''),
    ('GET', '/stream', None, {}, 200, b'one two'),
    ('GET', '/cookies', None, {}, 200, b'cookies'),
    ('POST', '/items', b'[1]', {'Content-Type': 'application/json'}, 201,
     b'{"got": [1]}'),
    ('DELETE', '/items/3', None, {}, 204, b''),
    ('GET', '/cached', None, {}, 304, b''),
    ('OPTIONS', '/items', None, {
        'Origin': 'https://example.com',
        'Access-Control-Request-Method': 'POST'}, 204, b''),
    ('GET', '/missing', None, {}, 404, b'Not Found'),
]


# A 204 or 304 response came with a Content-Type header, which PEP 3333's
# checker refuses ("Content-Type header found in a 204 response, which
# must not return content"): wsgiref answered those with its own 500, and
# so every DELETE route returning '', 204 and every CORS preflight failed
# for a user checking the app with wsgiref.validate. No server adds a
# default Content-Type (or Content-Length) to a 1xx, 204 or 304 now.
def test_responses_pass_the_wsgi_validator(validated_server):
    port, errors = validated_server
    got = []
    for method, path, body, headers, _, _ in REQUESTS:
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers)
            res = conn.getresponse()
            got.append((method, path, res.status, res.read()))
        finally:
            conn.close()
    assert errors == []
    assert got == [(m, p, s, b) for m, p, _, _, s, b in REQUESTS]

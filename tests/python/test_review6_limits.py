"""review6, the guide's "Request Limits" with the guide's error handlers
("413 for requests that are larger than the allowed size ... the
application might want to provide custom responses for them"), on every
server: a body up to ``max_body_length`` is in ``request.body``, a larger
one only in ``request.stream``, one over ``max_content_length`` gets the
application's 413 answer (with its CORS headers, so a page of another
origin can read it) whether it has a Content-Length or comes chunked; the
request line over ``max_readline`` gets 414 and a header line over it 431
on the built-in server (behind uvicorn and gunicorn those servers read the
head and apply their own limits). Built-in server on CPython and
MicroPython, uvicorn, gunicorn."""
import json
import socket

import pytest

from test_review5_support import KINDS
import test_review5_support

serve = test_review5_support.serve  # the fixture

APP = '''
from microdot import Request
from microdot.cors import CORS

Request.max_content_length = 1000
Request.max_body_length = 100
Request.max_readline = 200
app = Microdot()
CORS(app, allowed_origins=['https://app.example'])


@app.errorhandler(413)
async def too_large(request):
    return {'error': 'at most 1000 bytes'}, 413


@app.post('/size')
async def size(request):
    if request.body:
        return 'body %d' % len(request.body)
    data = await request.stream.read()
    return 'stream %d' % len(data)
'''


def exchange(port, data):
    """Sends `data` on a new connection; returns (status, headers, body)
    of the answer, read until the server closes."""
    sock = socket.create_connection(('127.0.0.1', port), 10)
    try:
        sock.sendall(data)
        answer = b''
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
    finally:
        sock.close()
    head, _, body = answer.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    if headers.get('transfer-encoding') == 'chunked':
        decoded = b''
        while True:
            size, _, body = body.partition(b'\r\n')
            size = int(size, 16)
            if size == 0:
                break
            decoded += body[:size]
            body = body[size + 2:]
        body = decoded
    return int(lines[0].split()[1]), headers, body


def post(length, chunked=False):
    head = ('POST /size HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
            'Origin: https://app.example\r\n')
    if not chunked:
        return (head + 'Content-Length: %d\r\n\r\n' % length).encode() + \
            b'x' * length
    body = b''
    left = length
    while left:
        part = min(300, left)
        body += b'%x\r\n' % part + b'x' * part + b'\r\n'
        left -= part
    return (head + 'Transfer-Encoding: chunked\r\n\r\n').encode() + body + \
        b'0\r\n\r\n'


@pytest.mark.parametrize('kind', KINDS)
def test_request_limits_and_their_error_handler(serve, kind):
    port = serve(kind, APP).port
    for length, chunked, expected in [
            (100, False, b'body 100'), (101, False, b'stream 101'),
            (1000, False, b'stream 1000'), (900, True, b'stream 900')]:
        status, _, body = exchange(port, post(length, chunked))
        assert (status, body) == (200, expected), (length, chunked)
    for request in (post(1001), post(1200, chunked=True),
                    post(1001)[:post(1001).find(b'\r\n\r\n') + 4]):
        status, headers, body = exchange(port, request)
        assert (status, json.loads(body)) == \
            (413, {'error': 'at most 1000 bytes'})
        assert headers['access-control-allow-origin'] == 'https://app.example'

    if kind in ('builtin', 'micropython'):
        long_line = b'GET /size?' + b'a' * 200 + b' HTTP/1.1\r\nHost: x\r\n\r\n'
        assert exchange(port, long_line)[0] == 414
        long_header = b'GET /size HTTP/1.1\r\nHost: x\r\nX-Long: ' + \
            b'b' * 200 + b'\r\n\r\n'
        assert exchange(port, long_header)[0] == 431
        # and a request line just under the limit is served
        status, _, _ = exchange(port, b'GET /size?' + b'a' * 170 +
                                b' HTTP/1.1\r\nHost: x\r\n'
                                b'Connection: close\r\n\r\n')
        assert status == 405

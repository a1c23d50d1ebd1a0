"""review5, the guide's "Streaming Responses" and "File Responses" and the
SSE extension, as a user writes them, asked by a real client on the
built-in server (CPython and MicroPython), uvicorn and gunicorn."""
import http.client
import socket
import time

import pytest

from test_review5_support import KINDS
import test_review5_support

serve = test_review5_support.serve  # the fixture

APP = '''
import asyncio
from microdot import send_file
from microdot.sse import with_sse

app = Microdot()


@app.get('/fibonacci')
async def fibonacci(request):
    # the guide's example as it is (MicroPython makes a plain generator of
    # an async def with yield, which the server handles)
    async def generate_fibonacci():
        a, b = 0, 1
        while a < 100:
            yield str(a) + '\\n'
            a, b = b, a + b

    return generate_fibonacci()


class Countdown:
    # "Asynchronous class-based generators are supported"
    def __init__(self, n):
        self.n = n

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.n == 0:
            raise StopAsyncIteration
        await asyncio.sleep(0)
        self.n -= 1
        return str(self.n) + '\\n'


@app.get('/countdown')
async def countdown(request):
    return Countdown(3)


@app.route('/static/<path:path>')
async def static(request, path):
    if '..' in path:
        # directory traversal is not allowed
        return 'Not found', 404
    return send_file('static/' + path, max_age=86400)


@app.route('/events')
@with_sse
async def events(request, sse):
    n = int(request.headers.get('Last-Event-ID', '0'))
    try:
        while True:
            n += 1
            await sse.send({'n': n}, event='tick', event_id=str(n))
            await asyncio.sleep(0.05)
    finally:
        # the client went away: the handler is cancelled and cleans up
        with open('ended.txt', 'w') as f:
            f.write(str(n))
'''

FIBONACCI = '0\n1\n1\n2\n3\n5\n8\n13\n21\n34\n55\n89\n'


def get(port, path, method='GET', headers=None):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.headers, res.read()
    finally:
        conn.close()


@pytest.mark.parametrize('kind', KINDS)
def test_streams_files_and_events(serve, kind, tmp_path):
    (tmp_path / 'static').mkdir()
    page = b'<h1>hello</h1>\n' * 100
    (tmp_path / 'static' / 'index.html').write_bytes(page)
    (tmp_path / 'secret.txt').write_text('secret')
    served = serve(kind, APP)
    port = served.port

    status, _, body = get(port, '/fibonacci')
    assert (status, body.decode()) == (200, FIBONACCI)
    status, _, body = get(port, '/countdown')
    assert (status, body) == (200, b'2\n1\n0\n')

    status, headers, body = get(port, '/static/index.html')
    assert (status, body) == (200, page)
    assert headers['Content-Type'].startswith('text/html')
    assert headers['Cache-Control'] == 'max-age=86400'
    assert headers['Content-Length'] == str(len(page))
    status, headers, body = get(port, '/static/index.html', 'HEAD')
    assert (status, body) == (200, b'')
    assert headers['Content-Length'] == str(len(page))
    # the guide promises no Range or If-Modified-Since: the whole file,
    # which HTTP allows a server to send for either
    status, _, body = get(port, '/static/index.html', headers={
        'Range': 'bytes=0-9',
        'If-Modified-Since': 'Sun, 22 Nov 2099 00:00:00 GMT'})
    assert (status, body) == (200, page)
    assert get(port, '/static/../secret.txt')[0] == 404
    assert get(port, '/static/%2e%2e/secret.txt')[0] == 404
    assert get(port, '/static/missing.html')[0] == 404

    # SSE: events with ids and types; a reconnecting client's Last-Event-ID
    # reaches the handler; a client that leaves ends the handler
    sock = socket.create_connection(('127.0.0.1', port), 10)
    try:
        sock.sendall(b'GET /events HTTP/1.1\r\nHost: x\r\n'
                     b'Last-Event-ID: 41\r\n\r\n')
        data = b''
        while data.count(b'\n\n') < 3:
            chunk = sock.recv(4096)
            assert chunk, data
            data += chunk
    finally:
        sock.close()
    head = data[:data.find(b'\r\n\r\n')].decode().lower()
    assert 'content-type: text/event-stream' in head
    assert b'event: tick\nid: 42\ndata: {"n": 42}\n\n' in data
    assert b'event: tick\nid: 43\ndata: {"n": 43}\n\n' in data
    ended = tmp_path / 'ended.txt'
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if ended.exists() and ended.read_text():  # (written, not just made)
            break
        time.sleep(0.05)
    assert ended.exists() and ended.read_text(), served.stop()
    assert int(ended.read_text()) >= 43

"""Review findings under real servers (uvicorn, gunicorn) with raw-socket
clients; each test failed on the code before its fix.

A client that declares a Content-Length and goes away (half-closes) before
sending all of it must not have its handler run on the part that arrived as
if it were the whole body. The built-in server raises EOFError from
request.stream (and never runs the handler for a short body it loads
itself); microdot.wsgi handed the handler the truncated body (a short body
in request.body, a long one from request.stream) and microdot.asgi ended
request.stream early without an error.

Header values with non-ASCII text: the built-in server reads request header
bytes as UTF-8 and writes response headers in UTF-8. microdot.asgi and
microdot.wsgi read them as Latin-1 (so a UTF-8 cookie or header read as
mojibake) and a response header outside Latin-1 ('\u20ac') was a 500.
"""
import os
import signal
import socket
import subprocess
import textwrap
import time

import pytest

from ext_servers import free_port, package_path, tool

APP = textwrap.dedent('''
    import os
    if os.environ['REVIEW2_FLAVOR'] == 'asgi':
        from microdot.asgi import Microdot
    else:
        from microdot.wsgi import Microdot
    from microdot import Request

    Request.max_content_length = 1024 * 1024
    STATE = os.environ['REVIEW2_STATE']
    app = Microdot()


    def record(text):
        with open(STATE, 'a') as f:
            f.write(text + '\\n')


    @app.post('/save')
    async def save(request):
        try:
            body = request.body
            if request.content_length > Request.max_body_length:
                body = await request.stream.read()
        except EOFError:
            record('EOFError')
            raise
        record('saved {}'.format(len(body)))
        return 'saved {}'.format(len(body))


    @app.get('/header/<value>')
    async def header(request, value):
        return {'x-name': request.headers.get('X-Name'),
                'cookie': request.cookies.get('c')}, {'X-Echo': value}
''')


class Server:
    def __init__(self, kind, tmp_path):
        self.kind = kind
        self.port = free_port()
        self.state = tmp_path / 'state.txt'
        self.state.write_text('')
        (tmp_path / 'review2_app.py').write_text(APP)
        env = dict(os.environ, PYTHONPATH=package_path() + ':' + str(tmp_path),
                   REVIEW2_STATE=str(self.state), PYTHONUNBUFFERED='1',
                   REVIEW2_FLAVOR='asgi' if kind == 'uvicorn' else 'wsgi')
        env.pop('MICRODOT_BACKEND', None)
        if kind == 'uvicorn':
            cmd = [tool('uvicorn'), 'review2_app:app', '--port',
                   str(self.port), '--log-level', 'warning']
        else:
            cmd = [tool('gunicorn'), 'review2_app:app', '-b',
                   '127.0.0.1:{}'.format(self.port), '--timeout', '30',
                   '--graceful-timeout', '2']
        self.log = open(str(tmp_path / 'server.log'), 'wb')
        self.proc = subprocess.Popen(cmd, env=env, cwd=str(tmp_path),
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(('127.0.0.1', self.port), 1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(kind + ' did not start')

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log.close()

    def events(self, count, timeout=5):
        """The first ``count`` events the app recorded (waits for them)."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.state.read_text().splitlines()
            if len(lines) >= count or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)

    def send_partial(self, declared, sent):
        """POSTs ``sent`` of ``declared`` bytes, half-closes, and returns
        the status line the server answers (b'' when it answers nothing)."""
        with socket.create_connection(('127.0.0.1', self.port), 5) as s:
            s.sendall(b'POST /save HTTP/1.1\r\nHost: x\r\n'
                      b'Content-Length: %d\r\n\r\n' % declared + b'a' * sent)
            time.sleep(0.2)
            s.shutdown(socket.SHUT_WR)
            reply = b''
            try:
                while b'\r\n' not in reply:
                    data = s.recv(4096)
                    if not data:
                        break
                    reply += data
            except OSError:
                pass
            return reply.split(b'\r\n', 1)[0]


@pytest.fixture(params=['gunicorn', 'uvicorn'])
def server(request, tmp_path):
    srv = Server(request.param, tmp_path)
    yield srv
    srv.stop()


def test_short_body_cut_short_never_reaches_the_handler(server):
    status = server.send_partial(10000, 3000)
    if server.kind == 'gunicorn':
        assert status.startswith(b'HTTP/1.1 400'), status
    # (uvicorn reports the disconnect before the app runs: nothing sent)
    assert server.send_partial(5, 5).startswith(b'HTTP/1.1 200')
    assert server.events(1) == ['saved 5']


def test_streamed_body_cut_short_is_an_error_in_the_handler(server):
    status = server.send_partial(100000, 30000)
    if server.kind == 'gunicorn':  # (a 400, not a 500 with a traceback)
        assert status.startswith(b'HTTP/1.1 400'), status
    assert server.events(1) == ['EOFError']
    assert server.send_partial(20000, 20000).startswith(b'HTTP/1.1 200')
    assert server.events(2) == ['EOFError', 'saved 20000']


def raw_exchange(port, request):
    with socket.create_connection(('127.0.0.1', port), 5) as s:
        s.sendall(request)
        data = b''
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return data
            data += chunk


def test_non_ascii_header_values_as_on_the_builtin_server(server):
    from microdot import Microdot
    from microdot.test_client import TestClient
    import asyncio
    import json

    request = ('GET /header/%E2%82%AC HTTP/1.1\r\nHost: x\r\n'
               'X-Name: caf\u00e9 \u20ac\r\nCookie: c=\u00e9\r\n'
               'Connection: close\r\n\r\n').encode()
    reply = raw_exchange(server.port, request)
    head, _, body = reply.partition(b'\r\n\r\n')
    lines = head.split(b'\r\n')
    assert lines[0] == b'HTTP/1.1 200 OK', reply
    assert b'x-echo: \xe2\x82\xac' in [line.lower() for line in lines]
    if b'chunked' in head.lower():
        body = body.split(b'\r\n')[1]
    got = json.loads(body)
    assert got == {'x-name': 'caf\u00e9 \u20ac', 'cookie': '\u00e9'}

    # the built-in server's request loop, through the test client
    app = Microdot()

    @app.get('/header/<value>')
    async def header(request, value):
        return {'x-name': request.headers.get('X-Name'),
                'cookie': request.cookies.get('c')}, {'X-Echo': value}

    res = asyncio.run(TestClient(app).get(
        '/header/%E2%82%AC', headers={'X-Name': 'caf\u00e9 \u20ac',
                                      'Cookie': 'c=\u00e9'}))
    assert res.json == got
    assert res.headers['X-Echo'] == '\u20ac'  # (its head read as UTF-8)


# -- a chunked request body under a WSGI server that does not decode it
# (the standard library's wsgiref: no Content-Length, no
# wsgi.input_terminated) was read as an empty body, and the handler ran on
# it (silent data loss); it is refused with 411 Length Required now

def test_chunked_body_on_a_wsgi_server_that_cannot_end_it():
    import threading
    from wsgiref.simple_server import make_server, WSGIRequestHandler
    from microdot.wsgi import Microdot as WSGIMicrodot

    app = WSGIMicrodot()

    @app.post('/len')
    async def length(request):
        return str(len(request.body))

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server('127.0.0.1', 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        reply = raw_exchange(server.server_port, (
            b'POST /len HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked'
            b'\r\n\r\n5\r\nhello\r\n0\r\n\r\n'))
        assert reply.split(b'\r\n')[0].split()[1] == b'411', reply
        reply = raw_exchange(server.server_port, (
            b'POST /len HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n'
            b'hello'))
        assert reply.endswith(b'\r\n\r\n5'), reply
    finally:
        server.shutdown()
        server.server_close()

"""The built-in server over real sockets on 127.0.0.1: keep-alive,
pipelining, HTTP/1.0, chunked bodies, 100-continue, limits, timeouts,
errors, shutdown. The app runs with run() in a thread of this process."""
import asyncio
import os
import socket
import sys
import threading
import time

try:
    import microdot  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..',
                                    'python'))

import pytest

from microdot import Microdot, Request

TIMEOUT = 10


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server:
    """Runs app.run() in a thread; stop() shuts it down and joins."""

    def __init__(self, app, debug=False):
        self.app = app
        self.port = free_port()
        self.loop = None
        self.thread = threading.Thread(target=self._run, args=(debug,),
                                       daemon=True)
        self.thread.start()
        deadline = time.time() + TIMEOUT
        while True:
            try:
                socket.create_connection(('127.0.0.1', self.port), 1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError('server did not start')
                time.sleep(0.02)

    def _run(self, debug):
        original = self.app.start_server

        async def start_server(*args, **kwargs):
            self.loop = asyncio.get_running_loop()
            await original(*args, **kwargs)

        self.app.start_server = start_server
        self.app.run(host='127.0.0.1', port=self.port, debug=debug)

    def connect(self):
        sock = socket.create_connection(('127.0.0.1', self.port), TIMEOUT)
        sock.settimeout(TIMEOUT)
        return Client(sock)

    def stop(self):
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.app.shutdown)
            self.thread.join(TIMEOUT)
        assert not self.thread.is_alive()


class Client:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b''

    def send(self, data):
        self.sock.sendall(data)

    def request(self, method='GET', path='/', headers=None, body=b'',
                version='1.1'):
        head = '{} {} HTTP/{}\r\nHost: x\r\n'.format(method, path, version)
        for name, value in (headers or {}).items():
            head += name + ': ' + value + '\r\n'
        if body:
            head += 'Content-Length: {}\r\n'.format(len(body))
        self.send(head.encode() + b'\r\n' + body)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError('closed')
        self.buf += data

    def read_until(self, marker):
        while marker not in self.buf:
            self._fill()
        i = self.buf.index(marker) + len(marker)
        data, self.buf = self.buf[:i], self.buf[i:]
        return data

    def read_exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self, head_only=False):
        """Reads one response: (status line, headers dict, body)."""
        head = self.read_until(b'\r\n\r\n').decode()
        lines = head.split('\r\n')
        headers = {}
        for line in lines[1:]:
            if line:
                name, value = line.split(':', 1)
                headers[name.lower()] = value.strip()
        body = b''
        if head_only:
            pass
        elif headers.get('transfer-encoding') == 'chunked':
            while True:
                size = int(self.read_until(b'\r\n')[:-2], 16)
                if size == 0:
                    self.read_until(b'\r\n')
                    break
                body += self.read_exactly(size + 2)[:-2]
        elif 'content-length' in headers:
            body = self.read_exactly(int(headers['content-length']))
        else:
            body = self.read_to_close()
        return lines[0], headers, body

    def read_to_close(self):
        while True:
            try:
                self._fill()
            except EOFError:
                break
        data, self.buf = self.buf, b''
        return data

    def is_closed(self):
        """True when the server closed the connection (waits for it)."""
        try:
            data = self.sock.recv(1)
        except ConnectionResetError:
            return True
        return data == b''

    def close(self):
        self.sock.close()


def make_app():
    app = Microdot()

    @app.route('/', methods=['GET', 'POST'])
    async def index(req):
        return 'hello ' + req.method + ' ' + req.body.decode()

    @app.get('/n/<int:n>')
    async def number(req, n):
        if n == 2:
            await asyncio.sleep(0.05)  # finishing late must not reorder
        return str(n)

    @app.post('/echo')
    async def echo(req):
        return req.body

    @app.post('/stream')
    async def stream(req):
        size = 0
        while True:
            data = await req.stream.read(1000)
            if not data:
                break
            size += len(data)
        return str(size)

    @app.get('/fail')
    async def fail(req):
        raise RuntimeError('handler failure')

    @app.get('/gen')
    async def gen(req):
        def generate():
            for i in range(3):
                yield 'part{};'.format(i)
        return generate()

    @app.get('/big')
    async def big(req):
        async def generate():
            for i in range(2000):
                yield b'x' * 10000
                await asyncio.sleep(0)
        return generate()

    @app.get('/slow')
    async def slow(req):
        await asyncio.sleep(0.3)
        return 'slow done'

    @app.get('/shutdown')
    async def shutdown(req):
        req.app.shutdown()
        return 'bye'

    return app


@pytest.fixture
def server():
    srv = Server(make_app())
    yield srv
    srv.stop()


def test_keep_alive_http11(server):
    c = server.connect()
    for i in range(3):
        c.request()
        status, headers, body = c.response()
        assert status == 'HTTP/1.1 200 OK'
        assert body == b'hello GET '
        assert 'connection' not in headers
    c.close()


def test_pipelined_requests_answered_in_order(server):
    c = server.connect()
    c.send(b''.join(
        'GET /n/{} HTTP/1.1\r\nHost: x\r\n\r\n'.format(i).encode()
        for i in range(1, 5)) + b'POST /echo HTTP/1.1\r\nHost: x\r\n'
        b'Content-Length: 3\r\n\r\nabc')
    bodies = [c.response()[2] for _ in range(5)]
    assert bodies == [b'1', b'2', b'3', b'4', b'abc']
    c.close()


def test_http10_closes_by_default(server):
    c = server.connect()
    c.request(version='1.0')
    status, headers, body = c.response()
    assert status == 'HTTP/1.0 200 OK'
    assert headers['connection'] == 'close'
    assert c.is_closed()


def test_http10_keep_alive_when_asked(server):
    c = server.connect()
    for _ in range(2):
        c.request(version='1.0', headers={'Connection': 'keep-alive'})
        status, headers, body = c.response()
        assert status == 'HTTP/1.0 200 OK'
        assert headers['connection'] == 'keep-alive'
    c.close()


def test_connection_close_honoured(server):
    c = server.connect()
    c.request(headers={'Connection': 'close'})
    status, headers, body = c.response()
    assert headers['connection'] == 'close' and body == b'hello GET '
    assert c.is_closed()


def test_chunked_request_body_in_pieces(server):
    c = server.connect()
    c.send(b'POST /echo HTTP/1.1\r\nHost: x\r\n'
           b'Transfer-Encoding: chunked\r\n\r\n5\r\nhel')
    time.sleep(0.05)
    c.send(b'lo\r\n6\r\n world\r\n0\r\n\r\n')
    assert c.response()[2] == b'hello world'
    c.request()  # the connection is still usable
    assert c.response()[2] == b'hello GET '
    c.close()


def test_expect_100_continue(server):
    c = server.connect()
    c.send(b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n'
           b'Expect: 100-continue\r\n\r\n')
    assert c.read_until(b'\r\n\r\n') == b'HTTP/1.1 100 Continue\r\n\r\n'
    c.send(b'data')
    status, headers, body = c.response()
    assert status == 'HTTP/1.1 200 OK' and body == b'data'
    c.close()


def test_large_body_streamed(server, monkeypatch):
    monkeypatch.setattr(Request, 'max_content_length', 100000)
    c = server.connect()
    c.request('POST', '/stream', body=b'y' * 50000)
    assert c.response()[2] == b'50000'
    c.request()
    assert c.response()[2] == b'hello GET '
    c.close()


def test_unread_large_body_is_skipped(server, monkeypatch):
    monkeypatch.setattr(Request, 'max_content_length', 100000)
    c = server.connect()
    c.request('POST', '/', body=b'z' * 40000)
    assert c.response()[2] == b'hello POST '
    c.request()
    assert c.response()[2] == b'hello GET '
    c.close()


@pytest.mark.parametrize('raw,status', [
    (b'GARBAGE\r\n\r\n', 400),
    (b'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 400),
    (b'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505),
    (b'GET /' + b'a' * 3000 + b' HTTP/1.1\r\nHost: x\r\n\r\n', 414),
    (b'GET / HTTP/1.1\r\nHost: x\r\nX-Long: ' + b'b' * 3000 + b'\r\n\r\n',
     431),
    (b'GET / HTTP/1.1\r\nHost: x\r\n' +
     b''.join(b'X-H%d: v\r\n' % i for i in range(100)) + b'\r\n', 431),
    (b'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n', 501),
    (b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n\r\n', 413),
    (b'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'
     b'zz\r\n', 400),
])
def test_bad_requests_get_clear_errors(server, raw, status):
    c = server.connect()
    c.send(raw)
    line, headers, body = c.response()
    assert line.startswith('HTTP/1.1 {} '.format(status))
    assert headers['connection'] == 'close'
    assert c.is_closed()
    c2 = server.connect()  # the server is still fine
    c2.request()
    assert c2.response()[2] == b'hello GET '
    c2.close()


def test_handler_exception_is_500_and_connection_survives(server, capsys):
    c = server.connect()
    c.request(path='/fail')
    status, headers, body = c.response()
    assert status == 'HTTP/1.1 500 Internal Server Error'
    assert b'handler failure' not in body
    c.request()
    assert c.response()[2] == b'hello GET '
    c.close()
    assert 'handler failure' in capsys.readouterr().err


def test_streamed_response_chunked_and_http10(server):
    c = server.connect()
    c.request(path='/gen')
    status, headers, body = c.response()
    assert headers['transfer-encoding'] == 'chunked'
    assert body == b'part0;part1;part2;'
    c.close()
    c = server.connect()
    c.request(path='/gen', version='1.0',
              headers={'Connection': 'keep-alive'})
    status, headers, body = c.response()
    assert 'transfer-encoding' not in headers
    assert body == b'part0;part1;part2;'  # read to close


def test_head_request_sends_no_body(server):
    c = server.connect()
    c.request('HEAD', '/')
    status, headers, body = c.response(head_only=True)
    assert headers['content-length'] == str(len('hello HEAD '))
    c.request()
    status, headers, body = c.response()
    assert status == 'HTTP/1.1 200 OK' and body == b'hello GET '
    c.close()


def test_client_disconnect_mid_response_is_quiet(server, capsys):
    c = server.connect()
    c.request(path='/big')
    c.read_until(b'\r\n\r\n')
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                      b'\x01\x00\x00\x00\x00\x00\x00\x00')
    c.close()
    time.sleep(0.2)
    c2 = server.connect()
    c2.request()
    assert c2.response()[2] == b'hello GET '
    c2.close()
    assert 'Traceback' not in capsys.readouterr().err


def test_slow_client_does_not_block_others(server):
    slow = server.connect()
    slow.send(b'GET / HTTP/1.1\r\nHo')
    fast = server.connect()
    fast.request()
    assert fast.response()[2] == b'hello GET '
    slow.send(b'st: x\r\n\r\n')
    assert slow.response()[2] == b'hello GET '
    slow.close()
    fast.close()


def test_idle_keep_alive_connection_is_closed():
    app = make_app()
    app.keep_alive_timeout = 1
    srv = Server(app)
    try:
        c = srv.connect()
        c.request()
        c.response()
        start = time.time()
        assert c.is_closed()
        assert time.time() - start < TIMEOUT
    finally:
        srv.stop()


def test_shutdown_completes_request_then_run_returns():
    srv = Server(make_app())
    other = srv.connect()
    other.request(path='/slow')
    time.sleep(0.05)
    c = srv.connect()
    c.request(path='/shutdown')
    status, headers, body = c.response()
    assert body == b'bye' and headers['connection'] == 'close'
    assert other.response()[2] == b'slow done'  # in-flight one completes
    srv.thread.join(TIMEOUT)
    assert not srv.thread.is_alive()
    with pytest.raises(OSError):
        socket.create_connection(('127.0.0.1', srv.port), 1).close()


def test_debug_logs_one_line_per_request(capsys):
    srv = Server(make_app(), debug=True)
    try:
        c = srv.connect()
        c.request(path='/n/7')
        c.response()
        c.request(path='/missing')
        c.response()
        c.close()
    finally:
        srv.stop()
    out = capsys.readouterr().out
    assert 'GET /n/7 200' in out
    assert 'GET /missing 404' in out


def test_start_server_as_a_task():
    app = make_app()
    port = free_port()
    result = {}

    async def main():
        server = asyncio.create_task(app.start_server(host='127.0.0.1',
                                                      port=port))
        for _ in range(100):
            try:
                reader, writer = await asyncio.open_connection('127.0.0.1',
                                                               port)
                break
            except OSError:
                await asyncio.sleep(0.02)
        writer.write(b'GET /n/5 HTTP/1.1\r\nHost: x\r\n\r\n')
        result['head'] = await reader.readuntil(b'\r\n\r\n')
        result['body'] = await reader.readexactly(1)
        writer.close()
        app.shutdown()
        await asyncio.wait_for(server, TIMEOUT)

    asyncio.run(main())
    assert result['head'].startswith(b'HTTP/1.1 200 OK')
    assert result['body'] == b'5'


def test_handle_request_serves_asyncio_streams():
    app = make_app()
    result = {}

    async def main():
        server = await asyncio.start_server(app.handle_request, '127.0.0.1',
                                            0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection('127.0.0.1', port)
        writer.write(b'GET /n/8 HTTP/1.1\r\nHost: x\r\n\r\n'
                     b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2'
                     b'\r\nConnection: close\r\n\r\nok')
        result['data'] = await asyncio.wait_for(reader.read(), TIMEOUT)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    data = result['data']
    assert data.startswith(b'HTTP/1.1 200 OK\r\n')
    assert data.count(b'HTTP/1.1 200 OK') == 2
    assert data.endswith(b'\r\n\r\nok')


def test_sweeper_leaves_detached_connections_alone():
    # a handler that takes the connection over (as a WebSocket does) marks
    # it detached: it may then stay quiet past the timeouts
    app = Microdot()
    app.keep_alive_timeout = app.request_timeout = 1
    from microdot import Response

    @app.get('/take')
    async def take(req):
        conn = req.sock[0]
        conn.detached = True
        conn.write(b'taken\n')
        await conn.drain()
        line = await conn.readline()  # waits on a quiet peer
        conn.write(b'got ' + line)
        await conn.drain()
        conn.close()
        return Response.already_handled

    srv = Server(app)
    try:
        c = srv.connect()
        c.sock.sendall(b'GET /take HTTP/1.1\r\nHost: x\r\n\r\n')
        assert c.sock.recv(6) == b'taken\n'
        time.sleep(2.5)  # past both timeouts, and sweeps
        c.sock.sendall(b'ping\n')
        data = b''
        while not data.endswith(b'\n'):
            chunk = c.sock.recv(100)
            assert chunk, 'the connection was closed while detached'
            data += chunk
        assert data == b'got ping\n'
    finally:
        srv.stop()

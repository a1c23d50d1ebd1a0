"""The first bytes of a connection on the built-in CPython server are parsed
where they arrive (microdot._aioserver._serve_now with ``data``): only what
follows the first head goes to the connection's buffer. Whatever the first
chunk holds (one request, several, a part of one, blank lines, garbage), the
answers must be those of the request loop."""
import socket
import sys

import pytest

from microdot import Microdot
from servers import serve_in_thread

pytestmark = pytest.mark.skipif(sys.implementation.name != 'cpython',
                                reason='the CPython server')

IO_TIMEOUT = 10


def make_app():
    app = Microdot()

    @app.route('/echo', methods=['GET', 'POST'])
    async def echo(req):
        return req.path + ' ' + (req.body or b'').decode()

    return app


@pytest.fixture
def server():
    yield from serve_in_thread(make_app(), IO_TIMEOUT)


def exchange(port, first, rest=b''):
    """Sends ``first`` in one send, then ``rest``, on a new connection;
    returns all the server sent until it closed the connection."""
    with socket.create_connection(('127.0.0.1', port),
                                  timeout=IO_TIMEOUT) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(first)
        if rest:
            sock.sendall(rest)
        data = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk


def get(path, close=False):
    return ('GET {} HTTP/1.1\r\nHost: x\r\n{}\r\n'.format(
        path, 'Connection: close\r\n' if close else '')).encode()


def bodies(data):
    out = []
    while data:
        head, data = data.split(b'\r\n\r\n', 1)
        length = int(head.lower().split(b'content-length: ')[1].split(
            b'\r\n')[0])
        out.append((head.split(b'\r\n')[0], data[:length]))
        data = data[length:]
    return out


def test_one_closing_request(server):
    assert bodies(exchange(server, get('/echo', True))) == [
        (b'HTTP/1.1 200 OK', b'/echo ')]


def test_blank_lines_before_the_first_request(server):
    assert bodies(exchange(server, b'\r\n\r\n' + get('/echo', True))) == [
        (b'HTTP/1.1 200 OK', b'/echo ')]


def test_bad_first_head(server):
    got = bodies(exchange(server, b'GET /echo HTTP/1.1\r\nBad Header\r\n\r\n'))
    assert got[0][0] == b'HTTP/1.1 400 Bad Request'


def test_first_chunk_holds_several_requests(server):
    post = b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc'
    data = exchange(server, get('/echo?a') + get('/echo?b') + post +
                    get('/echo?c', True))
    assert bodies(data) == [(b'HTTP/1.1 200 OK', b'/echo ')] * 2 + [
        (b'HTTP/1.1 200 OK', b'/echo abc'), (b'HTTP/1.1 200 OK', b'/echo ')]


def test_first_chunk_ends_inside_a_request(server):
    second = get('/echo', True)
    data = exchange(server, get('/echo') + second[:10], second[10:])
    assert bodies(data) == [(b'HTTP/1.1 200 OK', b'/echo ')] * 2


def test_first_chunk_ends_inside_a_body(server):
    post = (b'POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
            b'Content-Length: 6\r\n\r\nabcdef')
    data = exchange(server, post[:-4], post[-4:])
    assert bodies(data) == [(b'HTTP/1.1 200 OK', b'/echo abcdef')]


def test_many_pipelined_requests_in_the_first_chunk(server):
    # (more than 64 KiB of them: the buffer is compacted on the way)
    n = 3000
    data = exchange(server, get('/echo') * (n - 1) + get('/echo', True))
    assert bodies(data) == [(b'HTTP/1.1 200 OK', b'/echo ')] * n

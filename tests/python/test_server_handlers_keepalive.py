"""Handlers on a kept-alive connection of the built-in CPython server, where
the server may start a request from its protocol callback instead of the
connection's task: the handler must still see a current task, the task's
context variables, asyncio.timeout(), and awaits of every kind."""
import asyncio
import contextvars
import socket
import sys

import pytest

from microdot import Microdot
from servers import serve_in_thread

IO_TIMEOUT = 10
counter = contextvars.ContextVar('counter', default=0)


def make_app():
    app = Microdot()

    @app.get('/task')
    async def task(req):
        return 'task' if asyncio.current_task() is not None else 'none'

    @app.get('/count')
    async def count(req):
        # one connection, one task: the variable lives on between requests
        counter.set(counter.get() + 1)
        return str(counter.get())

    @app.get('/timeout')
    async def timeout(req):
        if not hasattr(asyncio, 'timeout'):
            return 'skip'
        try:
            async with asyncio.timeout(0.05):
                await asyncio.sleep(5)
        except TimeoutError:
            return 'timed out'
        return 'not timed out'

    @app.get('/sleep')
    async def sleep(req):
        await asyncio.sleep(0.01)
        return 'slept'

    @app.get('/yield')
    async def yield_once(req):
        await asyncio.sleep(0)
        return 'yielded'

    @app.get('/fail')
    async def fail(req):
        raise RuntimeError('handler failure for the tests')

    @app.get('/stream')
    async def stream(req):
        return (chunk for chunk in (b'a', b'b'))

    return app


@pytest.fixture
def server():
    yield from serve_in_thread(make_app(), IO_TIMEOUT)


def read_reply(sock, buf):
    """(status, body, rest) of the next response (Content-Length or
    chunked), reading more as needed."""
    while b'\r\n\r\n' not in buf:
        data = sock.recv(65536)
        assert data, 'connection closed'
        buf += data
    head, buf = buf.split(b'\r\n\r\n', 1)
    lines = head.decode().split('\r\n')
    status = int(lines[0].split()[1])
    headers = dict(line.split(': ', 1) for line in lines[1:])
    if headers.get('Transfer-Encoding') == 'chunked':
        body = b''
        while True:
            while b'\r\n' not in buf:
                buf += sock.recv(65536)
            size_line, buf = buf.split(b'\r\n', 1)
            size = int(size_line, 16)
            while len(buf) < size + 2:
                buf += sock.recv(65536)
            body += buf[:size]
            buf = buf[size + 2:]
            if not size:
                return status, body, buf
    length = int(headers['Content-Length'])
    while len(buf) < length:
        data = sock.recv(65536)
        assert data, 'connection closed'
        buf += data
    return status, buf[:length], buf[length:]


def requests(port, paths, pipelined=False):
    replies = []
    with socket.create_connection(('127.0.0.1', port),
                                  timeout=IO_TIMEOUT) as sock:
        raw = [('GET %s HTTP/1.1\r\nHost: x\r\n\r\n' % path).encode()
               for path in paths]
        buf = b''
        if pipelined:
            sock.sendall(b''.join(raw))
        for data in raw:
            if not pipelined:
                sock.sendall(data)
            status, body, buf = read_reply(sock, buf)
            replies.append((status, body))
    return replies


PATHS = ['/task', '/task', '/count', '/count', '/timeout', '/count',
         '/sleep', '/task', '/yield', '/count', '/fail', '/stream',
         '/count', '/task']
EXPECTED = [(200, b'task'), (200, b'task'), (200, b'1'), (200, b'2'),
            (200, b'timed out'), (200, b'3'), (200, b'slept'),
            (200, b'task'), (200, b'yielded'), (200, b'4'),
            (500, b'Internal Server Error'), (200, b'ab'), (200, b'5'),
            (200, b'task')]


@pytest.mark.skipif(sys.implementation.name != 'cpython',
                    reason='the CPython server')
@pytest.mark.parametrize('pipelined', [False, True])
def test_handlers_on_a_kept_alive_connection(server, pipelined):
    expected = list(EXPECTED)
    if not hasattr(asyncio, 'timeout'):
        expected[4] = (200, b'skip')
    assert requests(server, PATHS, pipelined) == expected


@pytest.mark.skipif(sys.implementation.name != 'cpython',
                    reason='the CPython server')
def test_context_is_per_connection(server):
    assert requests(server, ['/count'] * 3) == [(200, b'1'), (200, b'2'),
                                                (200, b'3')]
    assert requests(server, ['/count'] * 2) == [(200, b'1'), (200, b'2')]

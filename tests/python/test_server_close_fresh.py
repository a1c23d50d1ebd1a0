"""The first requests of a fresh connection on the built-in CPython server,
which serves them straight from its protocol callback (and closes the
connection there after a Connection: close or HTTP/1.0 request) unless the
handler must wait or the request needs more bytes. Whatever path a request
takes, its handler must see a current task, a context of its own
connection, timeouts and cancellations as in a task, and the client the
same responses, in order, and the connection closed when it should be."""
import asyncio
import contextvars
import socket
import sys
import time

import pytest

from microdot import Microdot
from servers import serve_in_thread

pytestmark = pytest.mark.skipif(sys.implementation.name != 'cpython',
                                reason='the CPython server')

IO_TIMEOUT = 10
counter = contextvars.ContextVar('counter', default=0)


def make_app():
    app = Microdot()

    @app.get('/task')
    async def task(req):
        return 'task' if asyncio.current_task() is not None else 'none'

    @app.get('/count')
    async def count(req):
        counter.set(counter.get() + 1)
        return str(counter.get())

    @app.get('/sleep')
    async def sleep(req):
        await asyncio.sleep(0.01)
        counter.set(counter.get() + 1)
        same = asyncio.current_task() is req.app.tasks.get(req.path)
        return 'slept {} {}'.format(counter.get(), same)

    @app.before_request
    async def remember_task(req):
        app.tasks[req.path] = asyncio.current_task()

    app.tasks = {}

    @app.get('/fail')
    async def fail(req):
        raise RuntimeError('handler failure for the tests')

    @app.get('/fail-later')
    async def fail_later(req):
        await asyncio.sleep(0)
        raise RuntimeError('handler failure for the tests')

    @app.get('/timeout')
    async def timeout(req):
        if not hasattr(asyncio, 'timeout'):
            return 'timed out'
        try:
            async with asyncio.timeout(0.05):
                await asyncio.sleep(5)
        except TimeoutError:
            return 'timed out'
        return 'not timed out'

    @app.get('/cancel-self')
    async def cancel_self(req):
        asyncio.current_task().cancel()
        try:
            await asyncio.sleep(0)
        except asyncio.CancelledError:
            return 'caught'
        return 'not cancelled'

    @app.get('/cancel-self-uncaught')
    async def cancel_self_uncaught(req):
        asyncio.current_task().cancel()
        await asyncio.sleep(0)
        return 'not cancelled'

    @app.get('/stream')
    async def stream(req):
        return (chunk for chunk in (b'a', b'b'))

    @app.post('/echo')
    async def echo(req):
        return req.body

    return app


@pytest.fixture
def server():
    yield from serve_in_thread(make_app(), IO_TIMEOUT)


def exchange(port, *pieces, half_close=False):
    """Sends the pieces (a short pause between them) on a new connection
    and returns all the server sent until it closed the connection."""
    with socket.create_connection(('127.0.0.1', port),
                                  timeout=IO_TIMEOUT) as sock:
        for i, piece in enumerate(pieces):
            if i:
                time.sleep(0.05)
            sock.sendall(piece)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        data = b''
        while True:
            chunk = sock.recv(65536)  # (times out if never closed)
            if not chunk:
                return data
            data += chunk


def responses(data, heads=()):
    """[(status line, headers, body)] of the responses in ``data``: bodies
    by Content-Length, chunked, or up to the end; none for the responses
    whose index is in ``heads`` (answers to HEAD)."""
    out = []
    while data:
        head, data = data.split(b'\r\n\r\n', 1)
        lines = head.decode().split('\r\n')
        headers = dict(line.lower().split(': ', 1) for line in lines[1:])
        if len(out) in heads:
            body = b''
        elif 'content-length' in headers:
            n = int(headers['content-length'])
            body, data = data[:n], data[n:]
        elif headers.get('transfer-encoding') == 'chunked':
            body = b''
            while True:
                size, data = data.split(b'\r\n', 1)
                size = int(size, 16)
                body += data[:size]
                data = data[size + 2:]
                if not size:
                    break
        else:
            body, data = data, b''
        out.append((lines[0], headers, body))
    return out


def get(path, version='1.1', close=True, extra=''):
    return ('GET {} HTTP/{}\r\nHost: x\r\n{}{}\r\n'.format(
        path, version, 'Connection: close\r\n' if close else '',
        extra)).encode()


@pytest.mark.parametrize('path, status, body', [
    ('/task', 200, b'task'),
    ('/count', 200, b'1'),
    ('/sleep', 200, b'slept 1 True'),
    ('/fail', 500, b'Internal Server Error'),
    ('/fail-later', 500, b'Internal Server Error'),
    ('/timeout', 200, b'timed out'),
    ('/cancel-self', 200, b'caught'),
    ('/stream', 200, b'ab'),
    ('/nowhere', 404, b'Not Found'),
])
def test_close_request_answered_then_closed(server, path, status, body):
    for _ in range(2):  # (each connection with a context of its own)
        [(line, headers, got)] = responses(exchange(server, get(path)))
        assert line.startswith('HTTP/1.1 {} '.format(status))
        assert headers['connection'] == 'close'
        assert got == body


def test_cancelled_handler_closes_without_answer(server):
    assert exchange(server, get('/cancel-self-uncaught')) == b''
    # the server goes on serving
    [(line, _, body)] = responses(exchange(server, get('/task')))
    assert (line, body) == ('HTTP/1.1 200 OK', b'task')


@pytest.mark.parametrize('path, body', [('/count', b'1'),
                                        ('/sleep', b'slept 1 True'),
                                        ('/stream', b'ab')])
def test_http10_without_keep_alive_is_closed(server, path, body):
    [(line, headers, got)] = responses(exchange(
        server, get(path, version='1.0', close=False)))
    assert line == 'HTTP/1.0 200 OK'
    assert headers.get('connection', 'close') == 'close'
    assert got == body


def test_http10_keep_alive_stays_open(server):
    data = exchange(server, get('/count', '1.0', False,
                                'Connection: keep-alive\r\n'),
                    get('/count', '1.0', False))
    assert [(line, body) for line, _, body in responses(data)] == [
        ('HTTP/1.0 200 OK', b'1'), ('HTTP/1.0 200 OK', b'2')]


def test_close_request_with_body_in_pieces(server):
    head = (b'POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
            b'Content-Length: 10\r\n\r\n')
    for pieces in ([head + b'hello', b'world'],
                   [head[:20], head[20:], b'hel', b'lowor', b'ld'],
                   [head + b'helloworld']):
        [(line, headers, body)] = responses(exchange(server, *pieces))
        assert (line, body) == ('HTTP/1.1 200 OK', b'helloworld')
        assert headers['connection'] == 'close'


def test_close_request_in_pieces(server):
    request = get('/count')
    [(line, _, body)] = responses(exchange(server, request[:7],
                                           request[7:30], request[30:]))
    assert (line, body) == ('HTTP/1.1 200 OK', b'1')


def test_nothing_answered_after_a_close_request(server):
    data = exchange(server, get('/count') + get('/count', close=False))
    assert [(line, body) for line, _, body in responses(data)] == [
        ('HTTP/1.1 200 OK', b'1')]


@pytest.mark.parametrize('first', ['/count', '/sleep', '/fail-later',
                                   '/stream', '/timeout'])
def test_pipelined_after_a_first_request(server, first):
    # whatever way the first request is served (at once, or by the task
    # after waiting), the next ones, already received, follow it in order
    # and in the same context
    head_request = b'HEAD /count HTTP/1.1\r\nHost: x\r\n\r\n'
    post = (b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n'
            b'abc')
    data = exchange(server, get(first, close=False) +
                    get('/count', close=False) + head_request + post +
                    get('/count'))
    got = [(line.split(' ', 1)[1], body) for line, _, body in
           responses(data, heads=(2,))]
    first_reply = {'/count': b'1', '/sleep': b'slept 1 True',
                   '/fail-later': b'Internal Server Error', '/stream': b'ab',
                   '/timeout': b'timed out'}[first]
    n = 1 if first in ('/count', '/sleep') else 0
    assert got[0][1] == first_reply
    assert got[1:] == [('200 OK', str(n + 1).encode()),
                       ('200 OK', b''), ('200 OK', b'abc'),
                       ('200 OK', str(n + 3).encode())]


def test_client_half_closes_after_close_request(server):
    [(line, _, body)] = responses(exchange(server, get('/sleep'),
                                           half_close=True))
    assert (line, body) == ('HTTP/1.1 200 OK', b'slept 1 True')

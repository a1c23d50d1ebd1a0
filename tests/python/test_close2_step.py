"""The built-in CPython server's first-bytes path (microdot._aioserver):
the handler's step made by microdot._cbuild.step (no StopIteration), the
connection's state kept in its class until the connection goes on past
data_received, and the client address read from the transport's extra
info. Each answer is compared with the one made through dispatch_request
(an app with a before-request handler that does nothing)."""
import asyncio
import socket
import sys

import pytest

from microdot import Microdot
from microdot import _aioserver
from servers import serve_in_thread

pytestmark = pytest.mark.skipif(sys.implementation.name != 'cpython',
                                reason='the CPython server')

IO_TIMEOUT = 10


def send_step(coro):
    # what _serve_now does without microdot._cbuild.step
    try:
        return coro.send(None), False
    except StopIteration as exc:
        return exc.value, True


def steppers():
    out = [send_step]
    if _aioserver._step is not None:
        out.append(_aioserver._step)
    return out


@pytest.mark.parametrize('step', steppers())
def test_step_returns_yields_and_raises_like_send(step):
    async def returns():
        return 'value'

    async def waits():
        await asyncio.sleep(0)
        return 2

    async def raises():
        raise KeyError('k')

    async def stops():
        raise StopIteration  # (a coroutine turns it into RuntimeError)

    assert step(returns()) == ('value', True)
    coro = waits()
    assert step(coro) == (None, False)
    assert step(coro) == (2, True)
    with pytest.raises(KeyError):
        step(raises())
    with pytest.raises(RuntimeError):
        step(stops())
    done = returns()
    step(done)
    with pytest.raises(RuntimeError):  # (cannot reuse a finished one)
        step(done)


def make_app(through_dispatch):
    app = Microdot()
    if through_dispatch:
        @app.before_request
        async def nothing(req):
            return None

    @app.get('/')
    async def index(req):
        return 'Hello, World!'

    @app.get('/addr')
    async def addr(req):
        return '{}:{}'.format(*req.client_addr)

    @app.get('/wait')
    async def wait(req):
        await asyncio.sleep(0)
        return 'waited'

    @app.get('/big')
    async def big(req):
        return 'y' * (600 * 1024)  # (pauses the transport's writing)

    return app


@pytest.fixture(scope='module', params=[False, True],
                ids=['direct', 'dispatch'])
def served(request):
    app = make_app(request.param)
    for port in serve_in_thread(app):
        yield port


def exchange(port, data, shut=False):
    """Sends data on a new connection; returns (all it received, the
    client's own address)."""
    with socket.create_connection(('127.0.0.1', port),
                                  IO_TIMEOUT) as sock:
        sock.sendall(data)
        if shut:
            sock.shutdown(socket.SHUT_WR)
        got = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
        return got, sock.getsockname()


CLOSE = b'Connection: close\r\n\r\n'


def test_close_answers_and_client_addr(served):
    got, me = exchange(served, b'GET / HTTP/1.1\r\nHost: x\r\n' + CLOSE)
    assert got.startswith(b'HTTP/1.1 200 OK\r\n')
    assert got.endswith(b'\r\n\r\nHello, World!')
    got, me = exchange(served,
                       b'GET /addr HTTP/1.1\r\nHost: x\r\n' + CLOSE)
    assert got.endswith('{}:{}'.format(*me).encode())


def test_keep_alive_then_close_on_the_same_connection(served):
    # the first request goes on past data_received (keep-alive), the
    # second closes: the state left in the class must be right for both
    got, _ = exchange(served, b'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
                      b'GET /wait HTTP/1.1\r\nHost: x\r\n\r\n'
                      b'GET /addr HTTP/1.1\r\nHost: x\r\n' + CLOSE)
    assert got.count(b'HTTP/1.1 200 OK\r\n') == 3
    assert b'Hello, World!' in got and b'waited' in got


def test_waiting_handler_then_close(served):
    got, _ = exchange(served,
                      b'GET /wait HTTP/1.1\r\nHost: x\r\n' + CLOSE)
    assert got.startswith(b'HTTP/1.1 200 OK\r\n')
    assert got.endswith(b'waited')


def test_paused_writing_then_close(served):
    got, _ = exchange(served,
                      b'GET /big HTTP/1.1\r\nHost: x\r\n' + CLOSE)
    assert got.startswith(b'HTTP/1.1 200 OK\r\n')
    assert got.endswith(b'y' * 1000)
    assert len(got.split(b'\r\n\r\n', 1)[1]) == 600 * 1024


def test_eof_after_a_head_that_is_cut(served):
    # the first bytes are not a whole head: kept, then the client's eof
    got, _ = exchange(served, b'GET / HTTP/1.1\r\nHo', shut=True)
    assert got == b'' or got.startswith(b'HTTP/1.1 400')


def test_same_bytes_direct_and_through_dispatch():
    apps = [make_app(False), make_app(True)]
    answers = []
    for app in apps:
        for port in serve_in_thread(app):
            got = []
            for path in ('/', '/wait', '/big'):
                head = 'GET {} HTTP/1.1\r\nHost: x\r\n'.format(path)
                data, _ = exchange(port, head.encode() + CLOSE)
                got.append(data)
            answers.append(got)
    assert answers[0] == answers[1]

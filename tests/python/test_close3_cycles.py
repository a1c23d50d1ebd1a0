"""The built-in server (CPython) leaves no reference cycle behind a closed
connection: asyncio's socket transport keeps its reading callback, a bound
method of its own, so a closed transport (with its socket and extra info)
waited for the cyclic collector. The server breaks that cycle once the
connection is lost, so closed connections are freed at once."""
import asyncio
import gc
import sys

import pytest

from microdot import Microdot
from microdot import _aioserver

pytestmark = pytest.mark.skipif(
    sys.implementation.name != 'cpython' or _aioserver._TCPTransport is None,
    reason="CPython's selector transports")

CONNECTIONS = 30


def make_app():
    app = Microdot()

    @app.get('/')
    async def index(request):
        return 'hello'

    @app.get('/wait')
    async def wait(request):
        await asyncio.sleep(0)
        return 'waited'

    return app


def closed_server_transports(port):
    # (the client's transports, in this process too, keep their cycle:
    # not the server's to break)
    return [o for o in gc.get_objects()
            if o.__class__ is _aioserver._TCPTransport and o._sock is None
            and o._extra.get('sockname', ('', 0))[1] == port]


async def fetch(port, path, close):
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    head = 'GET {} HTTP/1.1\r\nHost: x\r\n'.format(path)
    if close:
        head += 'Connection: close\r\n'
    writer.write((head + '\r\n').encode())
    if close:
        data = await asyncio.wait_for(reader.read(), 10)
    else:
        data = await asyncio.wait_for(reader.readuntil(b'\r\n\r\n'), 10)
        data += await asyncio.wait_for(reader.read(5), 10)
    writer.close()
    await writer.wait_closed()
    return data


async def serve_and_count(path, close):
    app = make_app()
    listener = await _aioserver.start_server(app, set(), 'http', '127.0.0.1',
                                             0, None)
    port = listener.sockets[0].getsockname()[1]
    try:
        await fetch(port, path, close)  # (the spare task made)
        gc.collect()
        gc.disable()
        try:
            for _ in range(CONNECTIONS):
                data = await fetch(port, path, close)
                assert data.startswith(b'HTTP/1.1 200 OK\r\n')
                assert data.endswith(b'hello' if path == '/' else b'waited')
            for _ in range(20):  # (connection_lost comes a pass later)
                await asyncio.sleep(0)
            return len(closed_server_transports(port))
        finally:
            gc.enable()
    finally:
        listener.close()
        await listener.wait_closed()


@pytest.mark.parametrize('path,close', [
    ('/', True),       # closed from data_received (no task)
    ('/wait', True),   # the handler waits: the connection takes the spare
    ('/', False),      # kept alive, closed by the client
])
def test_closed_connections_need_no_cyclic_collection(path, close):
    left = asyncio.run(serve_and_count(path, close))
    assert left == 0, left

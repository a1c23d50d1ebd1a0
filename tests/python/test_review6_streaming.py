"""review6, the guide's "Streaming Responses" with an endless generator (a
live feed, a camera's MJPEG stream) and a client that goes away after
reading some of it, as every viewer of such a stream eventually does: the
server must stop iterating, close the generator (its ``finally`` runs,
releasing the camera) and go on serving others. The three kinds of
generator the guide lists (``def``, ``async def``, class-based async), on
the built-in server (CPython and MicroPython), uvicorn and gunicorn.

Found: a ``def`` generator on the built-in CPython server and under
uvicorn is never closed, and the server stops answering anyone: the body
loop never yields to the event loop (a sync generator awaits nothing, and
the built-in server's ``drain()`` / uvicorn's ``send()`` return at once on
a connection being closed), so asyncio never runs the callbacks that
would end it, and writes to the dead transport forever ("socket.send()
raised exception." flooding the log). Fixed: the built-in server's
drain() raises once the transport is closing, and the ASGI adapter gives
the loop a turn after each chunk (microdot/_aioserver.py, asgi.py).
"""
import os
import signal
import socket
import time

import pytest

from test_review5_support import KINDS
import test_review5_support

serve = test_review5_support.serve  # the fixture

APP = '''
import asyncio

app = Microdot()


def mark(name):
    with open(name + '.closed', 'w') as f:
        f.write('closed')


@app.get('/feed/sync')
async def sync_feed(request):
    def frames():
        try:
            while True:
                yield b'x' * 1000
        finally:
            mark('sync')
    return frames()


@app.get('/feed/async')
async def async_feed(request):
    async def frames():
        try:
            while True:
                await asyncio.sleep(0.001)
                yield b'y' * 1000
        finally:
            mark('async')
    return frames()


class Frames:
    def __aiter__(self):
        return self

    async def __anext__(self):
        await asyncio.sleep(0.001)
        return b'z' * 1000

    async def aclose(self):
        mark('class')


@app.get('/feed/class')
async def class_feed(request):
    return Frames()


@app.get('/')
async def index(request):
    return 'still serving'
'''

CASES = [pytest.param(_kind, _feed, id=_kind + '-' + _feed)
         for _kind in KINDS for _feed in ('sync', 'async', 'class')]


def read_some_and_leave(port, path, size=200000):
    sock = socket.create_connection(('127.0.0.1', port), 10)
    try:
        sock.sendall(b'GET ' + path.encode() + b' HTTP/1.1\r\nHost: x\r\n\r\n')
        received = 0
        while received < size:
            chunk = sock.recv(65536)
            assert chunk, 'the stream ended early'
            received += len(chunk)
    finally:
        sock.close()


def still_serving(port):
    try:
        sock = socket.create_connection(('127.0.0.1', port), 5)
        sock.settimeout(5)
        sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        data = b''
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        sock.close()
    except OSError:
        return False
    return data.endswith(b'still serving')


@pytest.mark.parametrize('kind,feed', CASES)
def test_endless_stream_closed_when_the_client_leaves(serve, kind, feed,
                                                      tmp_path):
    if kind == 'micropython' and feed == 'async':
        pytest.skip('the guide: no async generators on MicroPython')
    served = serve(kind, APP)
    marker = tmp_path / (feed + '.closed')
    try:
        read_some_and_leave(served.port, '/feed/' + feed)
        deadline = time.monotonic() + 5
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        serving = still_serving(served.port)
    finally:
        if served.proc.poll() is None and not marker.exists():
            # (a server stuck in its loop ignores SIGTERM: do not wait)
            os.killpg(served.proc.pid, signal.SIGKILL)
    assert marker.exists(), 'the generator was never closed'
    assert serving, 'the server stopped answering'

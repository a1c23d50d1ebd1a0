"""MicroPython's WebSocket receive path with messages the network splits
(a raw client writes each frame in pieces, with pauses): a frame that fits
in the receive buffer is completed there, without the frame reader
(microdot._ws_frames, which a WebSocket would keep with a payload buffer of
its own for good), and the echoes are right; a frame bigger than the buffer
still goes through the frame reader. CPython runs the same exchanges (its
server always reassembles in the connection's buffer)."""
import base64
import os
import socket
import time

import pytest

import test_ws_lazy
from ext_servers import Proc

MASK = b'\x1f\x2e\x3d\x4c'
# the app that reports which WebSocket modules it loaded, and its fixture
loaded, server = test_ws_lazy.loaded, test_ws_lazy.server


def frame(opcode, payload, fin=True):
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    else:
        head += bytes([0x80 | 126, n >> 8, n & 0xff])
    return head + MASK + bytes(b ^ MASK[i & 3] for i, b in enumerate(payload))


def open_ws(server):
    sock = socket.create_connection(('127.0.0.1', server.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(('GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'
                  'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n'
                  'Sec-WebSocket-Key: %s\r\n\r\n' % key).encode())
    head = b''
    while b'\r\n\r\n' not in head:
        data = sock.recv(1)
        assert data, 'closed during the handshake'
        head += data
    assert head.startswith(b'HTTP/1.1 101 ')
    return sock


def read_exact(sock, n):
    out = b''
    while len(out) < n:
        data = sock.recv(n - len(out))
        assert data, 'closed by the server'
        out += data
    return out


def read_message(sock):
    b0, b1 = read_exact(sock, 2)
    n = b1 & 0x7f
    if n == 126:
        hi, lo = read_exact(sock, 2)
        n = hi << 8 | lo
    return b0 & 0x0f, read_exact(sock, n)


def send_in_pieces(sock, data, cuts):
    last = 0
    for cut in cuts + [len(data)]:
        sock.sendall(data[last:cut])
        last = cut
        time.sleep(0.05)  # (each piece its own read on the server)


def close(sock):
    sock.sendall(frame(8, b'\x03\xe8'))
    assert read_message(sock) == (8, b'\x03\xe8')
    sock.close()


def test_split_frames_that_fit_need_no_frame_reader(server):
    micropython = server.kind != 'builtin'
    sock = open_ws(server)
    try:
        text = 'h\u00e9llo \u2603 ' * 90  # 1,170 bytes of UTF-8
        data = frame(1, text.encode())
        # the header cut, then the payload cut (inside a character too)
        send_in_pieces(sock, data, [1, 3, 9, 500, 501])
        assert read_message(sock) == (1, text.encode())
        binary = os.urandom(1500)
        send_in_pieces(sock, frame(2, binary), [700])
        assert read_message(sock) == (2, binary)
        # a whole frame and the start of the next in one write
        first, second = os.urandom(300), os.urandom(900)
        both = frame(2, first) + frame(2, second)
        send_in_pieces(sock, both, [len(frame(2, first)) + 100])
        assert read_message(sock) == (2, first)
        assert read_message(sock) == (2, second)
        # a ping split after its header
        send_in_pieces(sock, frame(9, b'ping!'), [6])
        assert read_message(sock) == (10, b'ping!')
        assert loaded(server) == ('-' if micropython else
                                  'microdot._ws_frames')
        # bigger than the receive buffer (2 KiB): the frame reader
        big = os.urandom(5000)
        send_in_pieces(sock, frame(2, big), [2000])
        assert read_message(sock) == (2, big)
        assert loaded(server) == 'microdot._ws_frames'
        # split invalid UTF-8 is still refused (1007)
        send_in_pieces(sock, frame(1, b'ok \xff'), [8])
        assert read_message(sock)[0] == 8
    finally:
        sock.close()


def test_split_frame_then_clean_close(server):
    sock = open_ws(server)
    try:
        payload = os.urandom(1000)
        send_in_pieces(sock, frame(2, payload), [4, 8, 600])
        assert read_message(sock) == (2, payload)
        close(sock)
    finally:
        sock.close()


SMALL_BUFFER_APP = '''
import sys
from microdot import Microdot
from microdot import websocket
from microdot.websocket import with_websocket

# the receive buffer a fragmented heap gave (_new_buffer's fallback)
websocket._free_buf = memoryview(bytearray(256))
app = Microdot()


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())


@app.route('/loaded')
async def loaded(request):
    frames = 'microdot._ws_frames' in sys.modules
    return '%s %d' % (frames, len(websocket._free_buf))


app.run(host='127.0.0.1', port=int(sys.argv[1]))
'''


def serve_script(text, path, target):
    """A server running the app ``text`` (written to ``path``) on
    ``target``; a generator for fixtures."""
    path.write_text(text)

    class App(Proc):
        def command(self):
            cmd = super().command()
            cmd[1] = str(path)
            return cmd

    proc = App(target).start()
    yield proc
    proc.stop()


@pytest.fixture(params=['micropython', 'micropython-c'])
def small_buffer_server(request, tmp_path):
    yield from serve_script(SMALL_BUFFER_APP, tmp_path / 'small_buffer_app.py',
                            request.param)


def test_a_frame_bigger_than_a_small_buffer_moves_to_a_full_one(
        small_buffer_server):
    server = small_buffer_server
    sock = open_ws(server)
    try:
        small = os.urandom(200)
        send_in_pieces(sock, frame(2, small), [100])
        assert read_message(sock) == (2, small)
        assert loaded(server) == 'False 256'
        # fits in a full-size buffer (2 KiB), not in the 256-byte one
        payload = os.urandom(1800)
        send_in_pieces(sock, frame(2, payload), [100])
        assert read_message(sock) == (2, payload)
        # no frame reader; the bigger buffer is the one kept
        assert loaded(server) == 'False 2048'
        close(sock)
    finally:
        sock.close()


TASKS_APP = '''
import sys
import asyncio
from microdot import Microdot
from microdot.websocket import with_websocket

app = Microdot()


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    # receive() as asyncio tasks take it: wait_for (cancelled on timeout,
    # then received again) and create_task
    while True:
        try:
            message = await asyncio.wait_for(ws.receive(), 0.3)
        except asyncio.TimeoutError:
            await ws.send('timeout')
            continue
        if message == 'task':
            message = await asyncio.create_task(ws.receive())
        await ws.send(message)


app.run(host='127.0.0.1', port=int(sys.argv[1]))
'''


@pytest.fixture(params=['builtin', 'micropython', 'micropython-c'])
def tasks_server(request, tmp_path):
    yield from serve_script(TASKS_APP, tmp_path / 'tasks_app.py',
                            request.param)


def test_receive_cancelled_by_wait_for_and_in_a_task(tasks_server):
    sock = open_ws(tasks_server)
    try:
        assert read_message(sock) == (1, b'timeout')  # (nothing sent)
        # a message split across the timeout: its start is kept
        data = frame(2, os.urandom(600))
        sock.sendall(data[:300])
        assert read_message(sock) == (1, b'timeout')
        sock.sendall(data[300:])
        assert read_message(sock) == (2, read_back(data))
        sock.sendall(frame(1, b'task'))
        sock.sendall(frame(2, b'in a task'))
        assert read_message(sock) == (2, b'in a task')
        send_in_pieces(sock, frame(9, b'p'), [3])  # a ping, then more
        assert read_message(sock) == (10, b'p')
        sock.sendall(frame(1, b'after'))
        assert read_message(sock) == (1, b'after')
        close(sock)
    finally:
        sock.close()


def read_back(data):
    # the payload of a masked frame with a 2-byte length (126)
    payload = data[8:]
    return bytes(b ^ MASK[i & 3] for i, b in enumerate(payload))

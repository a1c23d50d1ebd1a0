"""The receive and send buffers of the built-in server's WebSocket over real
sockets, on CPython and on the MicroPython unix port (pure and _microdot):
frames of every size arriving together, split anywhere, and interleaved
between two connections (MicroPython shares one free receive buffer between
its WebSockets, and joins outgoing frames in it)."""
import base64
import os
import random
import socket

import pytest

from ext_servers import HERE, NATMOD, Proc, package_path, serve, tool

MASK = b'\x37\xfa\x21\x3d'


class BufferApp(Proc):
    """ws_buffers_app.py on MicroPython with a given receive buffer size."""

    def __init__(self, backend, size):
        super().__init__('micropython-%s-%d' % (backend, size),
                         WS_BUFFER_SIZE=size)
        self.backend = backend

    def command(self):
        path = package_path()
        if self.backend == 'c':
            if not (NATMOD / '_microdot.mpy').exists():
                pytest.skip('build/natmod/x64/_microdot.mpy is not built')
            path += ':' + str(NATMOD)
        self.env['MICROPYPATH'] = path + ':.frozen'
        self.env['MICRODOT_BACKEND'] = self.backend
        return [tool('micropython'), str(HERE / 'ws_buffers_app.py'),
                str(self.port)]


@pytest.fixture(scope='module',
                params=['builtin', 'micropython', 'micropython-c',
                        'micropython-c-256', 'micropython-pure-300',
                        'micropython-c-1100'])
def server(request):
    if request.param.count('-') == 2:  # a buffer size of the app's
        backend, size = request.param.split('-')[1:]
        proc = BufferApp(backend, int(size)).start()
    else:
        proc = serve(request.param)
    yield proc
    proc.stop()


def open_ws(server):
    sock = socket.create_connection(('127.0.0.1', server.port), timeout=20)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'
                 b'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n'
                 b'Sec-WebSocket-Key: ' + key + b'\r\n\r\n')
    head = b''
    while b'\r\n\r\n' not in head:
        chunk = sock.recv(4096)
        assert chunk, 'connection closed during the handshake'
        head += chunk
    assert head.startswith(b'HTTP/1.1 101 ')
    assert head.endswith(b'\r\n\r\n')  # nothing else before our frames
    return sock


def header(opcode, n, mask=None, fin=True):
    b0 = (0x80 if fin else 0) | opcode
    m = 0x80 if mask else 0
    if n < 126:
        head = bytes((b0, m | n))
    elif n < 65536:
        head = bytes((b0, m | 126)) + n.to_bytes(2, 'big')
    else:
        head = bytes((b0, m | 127)) + n.to_bytes(8, 'big')
    return head + (mask or b'')


def client_frame(opcode, payload, fin=True):
    masked = bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))
    return header(opcode, len(payload), MASK, fin) + masked


def echo_frame(opcode, payload):
    return header(opcode, len(payload)) + payload


def recv_exactly(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, 'closed after %d of %d bytes' % (len(data), n)
        data += chunk
    return bytes(data)


def messages(seed):
    """Binary and text messages of sizes around the buffers' edges."""
    rnd = random.Random(seed)
    sizes = [0, 1, 125, 126, 127, 255, 256, 1000, 1024, 1030, 1031, 2034,
             2040, 2048, 2049, 3000, 4096, 5000, 65535, 65536, 70000]
    out = []
    for n in sizes:
        out.append((2, bytes(rnd.getrandbits(8) for _ in range(n))))
        text = ''.join(rnd.choice('aé€😀') for _ in range(n // 3))
        out.append((1, text.encode()))
    rnd.shuffle(out)
    return out


def split_anywhere(data, seed):
    rnd = random.Random(seed)
    pieces = []
    while data:
        n = rnd.choice([1, 2, 7, 100, 1000, 3000, 20000])
        pieces.append(data[:n])
        data = data[n:]
    return pieces


def test_frames_sent_together_come_back_in_order(server):
    sock = open_ws(server)
    try:
        batch = messages(1)
        sock.sendall(b''.join(client_frame(op, p) for op, p in batch))
        expected = b''.join(echo_frame(op, p) for op, p in batch)
        assert recv_exactly(sock, len(expected)) == expected
    finally:
        sock.close()


@pytest.mark.parametrize('seed', [2, 3])
def test_frames_split_anywhere(server, seed):
    sock = open_ws(server)
    try:
        batch = messages(seed)
        data = b''.join(client_frame(op, p) for op, p in batch)
        for piece in split_anywhere(data, seed):
            sock.sendall(piece)
        expected = b''.join(echo_frame(op, p) for op, p in batch)
        assert recv_exactly(sock, len(expected)) == expected
    finally:
        sock.close()


def test_two_connections_interleaved(server):
    # one connection stops in the middle of a frame header, then of a
    # payload, while the other exchanges whole messages
    a = open_ws(server)
    b = open_ws(server)
    try:
        big = os.urandom(3000)
        frame = client_frame(2, big)
        a.sendall(frame[:3])  # a partial header stays in a's buffer
        for n in (10, 1024, 1500, 5):
            payload = os.urandom(n)
            b.sendall(client_frame(2, payload))
            assert recv_exactly(b, len(echo_frame(2, payload))) == \
                echo_frame(2, payload)
        a.sendall(frame[3:1500])  # now half of its payload
        for text in ('é' * 600, 'x'):
            b.sendall(client_frame(1, text.encode()))
            expected = echo_frame(1, text.encode())
            assert recv_exactly(b, len(expected)) == expected
        a.sendall(frame[1500:] + client_frame(1, b'after'))
        expected = echo_frame(2, big) + echo_frame(1, b'after')
        assert recv_exactly(a, len(expected)) == expected
    finally:
        a.close()
        b.close()


def test_ping_between_fragments_and_pipelined_messages(server):
    sock = open_ws(server)
    try:
        data = (client_frame(2, b'A' * 1000) +
                client_frame(1, b'frag', fin=False) +
                client_frame(9, b'ping!') +
                client_frame(0, b'ment' * 400, fin=False) +
                client_frame(0, b'ed') +
                client_frame(2, b'B' * 1500))
        sock.sendall(data)
        expected = (echo_frame(2, b'A' * 1000) + echo_frame(10, b'ping!') +
                    echo_frame(1, b'frag' + b'ment' * 400 + b'ed') +
                    echo_frame(2, b'B' * 1500))
        assert recv_exactly(sock, len(expected)) == expected
    finally:
        sock.close()


def test_invalid_utf8_in_a_whole_text_frame_closes_1007(server):
    sock = open_ws(server)
    try:
        sock.sendall(client_frame(2, b'ok') +
                     client_frame(1, b'bad \xc3\x28 text' * 50))
        expected = echo_frame(2, b'ok')
        assert recv_exactly(sock, len(expected)) == expected
        close = recv_exactly(sock, 4)
        assert close[:2] == b'\x88\x02'
        assert int.from_bytes(close[2:], 'big') == 1007
    finally:
        sock.close()

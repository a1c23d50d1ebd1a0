"""WebSocket routes on the built-in server over real sockets, on CPython
and on the MicroPython unix port, with the `websockets` client and raw
sockets for what a well-behaved client never sends."""
import base64
import os
import socket
import struct
import time

import pytest

ws_client = pytest.importorskip('websockets.sync.client')

from ext_servers import serve  # noqa: E402


@pytest.fixture(scope='module',
                params=['builtin', 'micropython', 'micropython-c'])
def server(request):
    proc = serve(request.param)
    yield proc
    proc.stop()


def connect(server, path='/ws'):
    return ws_client.connect(server.ws_url + path, open_timeout=10,
                             close_timeout=5, max_size=None)


def test_echo_text_and_binary(server):
    with connect(server) as ws:
        for message in ['héllo', '', b'\x00\xff', 'κόσμε' * 1000]:
            ws.send(message)
            assert ws.recv(10) == message


def test_large_message(server):
    payload = os.urandom(300 * 1024)
    with connect(server) as ws:
        ws.send(payload)
        assert ws.recv(20) == payload


def test_fragmented_message(server):
    with connect(server) as ws:
        ws.send(['frag', 'ment', 'ed'])  # websockets sends one frame each
        assert ws.recv(10) == 'fragmented'


def test_ping_pong(server):
    with connect(server) as ws:
        assert ws.ping(b'payload').wait(10)


def test_server_close_with_code(server):
    with connect(server) as ws:
        ws.send('close-me')
        with pytest.raises(Exception):
            ws.recv(10)
        assert ws.close_code == 4001
        assert ws.close_reason == 'asked to'


def test_client_close_code_reaches_handler(server):
    with connect(server) as ws:
        ws.send('x')
        ws.recv(10)
        ws.close(1001, 'leaving')
    assert server.wait_event('ws closed 1001')


def test_handler_error_closes_1011(server):
    with connect(server) as ws:
        ws.send('raise')
        with pytest.raises(Exception):
            ws.recv(10)
        assert ws.close_code == 1011


def test_query_arguments(server):
    with connect(server, '/ws-greet?name=mp') as ws:
        assert ws.recv(10) == 'hi mp'


def raw_handshake(server, extra=b''):
    sock = socket.create_connection(('127.0.0.1', server.port), timeout=10)
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'
                 b'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n'
                 b'Sec-WebSocket-Key: ' + key + b'\r\n' + extra + b'\r\n')
    head = b''
    while b'\r\n\r\n' not in head:
        chunk = sock.recv(4096)
        assert chunk, 'connection closed during the handshake'
        head += chunk
    return sock, head


def read_all(sock):
    data = b''
    while True:
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def test_bad_upgrade_is_400(server):
    sock = socket.create_connection(('127.0.0.1', server.port), timeout=10)
    sock.sendall(b'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'
                 b'Connection: Upgrade\r\nSec-WebSocket-Version: 12\r\n'
                 b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
    reply = sock.recv(4096)
    sock.close()
    assert reply.startswith(b'HTTP/1.1 400 ')
    assert b'Sec-WebSocket-Version: 13' in reply


def test_compression_is_not_negotiated(server):
    sock, head = raw_handshake(
        server, b'Sec-WebSocket-Extensions: permessage-deflate\r\n')
    sock.close()
    assert head.startswith(b'HTTP/1.1 101 ')
    assert b'sec-websocket-extensions' not in head.lower()


@pytest.mark.parametrize('frame,code', [
    (b'\x81\x02hi', 1002),                       # unmasked
    (b'\xc1\x82abcd' + bytes([0x68 ^ 0x61, 0x69 ^ 0x62]), 1002),  # RSV1
    (b'\x81\x81\x00\x00\x00\x00\xc0', 1007),     # invalid UTF-8
])
def test_protocol_errors(server, frame, code):
    sock, head = raw_handshake(server)
    assert head.startswith(b'HTTP/1.1 101 ')
    rest = head[head.index(b'\r\n\r\n') + 4:]
    sock.sendall(frame)
    data = rest + read_all(sock)
    sock.close()
    assert data[:1] == b'\x88'
    assert struct.unpack('!H', data[2:4])[0] == code


def test_message_too_big_is_1009(server):
    sock, head = raw_handshake(server)
    # a header announcing 2 MiB (over the app's 1 MiB limit), no payload
    sock.sendall(b'\x82\xff' + struct.pack('!Q', 2 << 20) + b'\x00' * 4)
    data = head[head.index(b'\r\n\r\n') + 4:] + read_all(sock)
    sock.close()
    assert data[:2] == b'\x88\x02'
    assert struct.unpack('!H', data[2:4])[0] == 1009


MASK = b'\x21\x7a\x03\xc4'


def masked_frame(opcode, payload, fin=True):
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0xfe]) + struct.pack('!H', n)
    else:
        head += bytes([0xff]) + struct.pack('!Q', n)
    return head + MASK + bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))


def read_frame(sock, buffered=b''):
    """(opcode, payload, rest) of the next unmasked server frame."""
    data = buffered

    def need(n):
        nonlocal data
        while len(data) < n:
            chunk = sock.recv(65536)
            assert chunk, 'connection closed'
            data += chunk
    need(2)
    n = data[1] & 0x7f
    size = 2 + (2 if n == 126 else 8 if n == 127 else 0)
    need(size)
    if n == 126:
        n = struct.unpack('!H', data[2:4])[0]
    elif n == 127:
        n = struct.unpack('!Q', data[2:10])[0]
    need(size + n)
    return data[0] & 0x0f, data[size:size + n], data[size + n:]


def test_large_frame_trickled_in_small_pieces(server):
    # the payload arrives in many reads, each unmasked at its offset
    payload = os.urandom(20000)
    data = masked_frame(2, payload) + masked_frame(1, 'après'.encode())
    sock, head = raw_handshake(server)
    rest = head[head.index(b'\r\n\r\n') + 4:]
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i in range(0, len(data), 1499):
        sock.sendall(data[i:i + 1499])
        time.sleep(0.002)
    opcode, got, rest = read_frame(sock, rest)
    assert (opcode, got) == (2, payload)
    opcode, got, rest = read_frame(sock, rest)
    sock.close()
    assert (opcode, got) == (1, 'après'.encode())


def test_large_fragmented_message_with_a_ping_inside(server):
    parts = [os.urandom(30000), os.urandom(5000), os.urandom(70000)]
    sock, head = raw_handshake(server)
    rest = head[head.index(b'\r\n\r\n') + 4:]
    sock.sendall(masked_frame(2, parts[0], fin=False)
                 + masked_frame(0, parts[1], fin=False)
                 + masked_frame(9, b'are you there')
                 + masked_frame(0, parts[2]))
    opcode, got, rest = read_frame(sock, rest)
    assert (opcode, got) == (10, b'are you there')
    opcode, got, rest = read_frame(sock, rest)
    sock.close()
    assert (opcode, got) == (2, b''.join(parts))


# 3000: in the first bytes received; 60000: in a payload piece that
# MicroPython reads straight into the frame's buffer
@pytest.mark.parametrize('at', [3000, 60000])
def test_invalid_utf8_fails_before_a_large_frame_is_complete(server, at):
    text = ('é' * 50000).encode()
    bad = masked_frame(1, text[:at] + b'\xff' + text[at + 1:])
    sock, head = raw_handshake(server)
    rest = head[head.index(b'\r\n\r\n') + 4:]
    sock.sendall(bad[:at - 1000])  # valid so far
    time.sleep(0.05)
    sock.sendall(bad[at - 1000:at + 20000])  # the rest never comes
    data = rest + read_all(sock)
    sock.close()
    assert data[:1] == b'\x88'
    assert struct.unpack('!H', data[2:4])[0] == 1007


@pytest.mark.parametrize('pieces', [1 << 20, 1499])
def test_frames_of_every_size_pipelined(server, pieces):
    # sizes around the length encodings and the MicroPython receive buffer
    # (2048 bytes: frames up to 2034 are parsed in it once whole; the echoes
    # are written from its free space, around the unparsed frames)
    sizes = [0, 1, 125, 126, 2000, 2026, 2027, 2034, 2035, 2048, 4000, 4082,
             4083, 4090, 5000, 65535, 65536, 70000, 3]
    messages = [os.urandom(n) for n in sizes]
    data = b''.join(masked_frame(2, m) for m in messages)
    sock, head = raw_handshake(server)
    rest = head[head.index(b'\r\n\r\n') + 4:]
    for i in range(0, len(data), pieces):
        sock.sendall(data[i:i + pieces])
    for m in messages:
        opcode, got, rest = read_frame(sock, rest)
        assert (opcode, len(got)) == (2, len(m))
        assert got == m
    sock.close()

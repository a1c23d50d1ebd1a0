"""WebSocket routes on the built-in server over real sockets, on CPython
and on the MicroPython unix port, with the `websockets` client and raw
sockets for what a well-behaved client never sends."""
import base64
import os
import socket
import struct

import pytest

ws_client = pytest.importorskip('websockets.sync.client')

from ext_servers import serve  # noqa: E402


@pytest.fixture(scope='module', params=['builtin', 'micropython', 'micropython-c'])
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

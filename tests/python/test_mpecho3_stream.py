"""microdot._ws_stream, the WebSocket code beyond MicroPython's fast path
(the frame reader's way over any stream pair; CPython's receive and send),
on the built-in server over real sockets, CPython and MicroPython (pure
and _microdot): MicroPython loads it only when a connection needs it (bytes
sent with the upgrade request, a fragmented message, a frame bigger than
the receive buffer), the exchanges are right before and after, and the fast
path takes over again once the frame reader is done. Broken frames and
close frames that the fast path meets close the connection with the right
code (1002, 1007)."""
import base64
import os
import socket
import sys
import time

import pytest

from ext_servers import HERE
from test_ws2_split import frame, read_message, send_in_pieces, \
    serve_script

APP = '''
import sys
from microdot import Microdot
from microdot.websocket import with_websocket

LAZY = ('microdot._ws_stream', 'microdot._ws_frames', 'microdot._ws_close')
app = Microdot()


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())


@app.route('/loaded')
async def loaded(request):
    return ' '.join(m[9:] for m in LAZY if m in sys.modules) or '-'


app.run(host='127.0.0.1', port=int(sys.argv[1]))
'''

UPGRADE = ('GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'
           'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n'
           'Sec-WebSocket-Key: %s\r\n\r\n')


@pytest.fixture(params=['builtin', 'micropython', 'micropython-c'])
def server(request, tmp_path):
    yield from serve_script(APP, tmp_path / 'mpecho3_app.py', request.param)


def loaded(server):
    return loaded_path(server, '/loaded')


def loaded_path(server, path):
    sock = socket.create_connection(('127.0.0.1', server.port), timeout=10)
    try:
        sock.sendall(b'GET %s HTTP/1.0\r\n\r\n' % path.encode())
        data = b''
        while True:
            chunk = sock.recv(1024)
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    return data.split(b'\r\n\r\n', 1)[1].decode()


def open_ws(server, first=b''):
    """A raw WebSocket connection to /echo; ``first``: bytes sent in the
    same write as the upgrade request."""
    sock = socket.create_connection(('127.0.0.1', server.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((UPGRADE % key).encode() + first)
    head = b''
    while b'\r\n\r\n' not in head:
        data = sock.recv(1)
        assert data, 'closed during the handshake'
        head += data
    assert head.startswith(b'HTTP/1.1 101 ')
    return sock


def close(sock, code=b'\x03\xe8'):
    sock.sendall(frame(8, code))
    assert read_message(sock) == (8, code)
    sock.close()


def test_stream_path_loads_only_when_needed(server):
    micropython = server.kind != 'builtin'
    # (CPython: its WebSocket methods are _ws_stream's, and the opcodes and
    # close codes microdot.websocket names are _ws_frames')
    assert loaded(server) == ('-' if micropython else
                              '_ws_stream _ws_frames')
    # whole messages, a ping, the client's close: MicroPython's fast path
    sock = open_ws(server)
    try:
        text = 'h\u00e9llo \u2603 ' * 50
        sock.sendall(frame(1, text.encode()))
        assert read_message(sock) == (1, text.encode())
        sock.sendall(frame(9, b'ping'))
        assert read_message(sock) == (10, b'ping')
        sock.sendall(frame(2, b'\x00\xff' * 300))
        assert read_message(sock) == (2, b'\x00\xff' * 300)
        close(sock)
    finally:
        sock.close()
    assert loaded(server) == ('-' if micropython else
                              '_ws_stream _ws_frames')
    # a fragmented message, with a ping between its fragments, then whole
    # messages again
    sock = open_ws(server)
    try:
        sock.sendall(frame(1, b'frag', fin=False) + frame(9, b'p') +
                     frame(0, b'men', fin=False))
        assert read_message(sock) == (10, b'p')
        sock.sendall(frame(0, b'ted'))
        assert read_message(sock) == (1, b'fragmented')
        for n in (10, 1000, 1900):
            payload = os.urandom(n)
            send_in_pieces(sock, frame(2, payload), [n // 2])
            assert read_message(sock) == (2, payload)
        close(sock)
    finally:
        sock.close()
    assert loaded(server) == '_ws_stream _ws_frames'


def test_frames_sent_with_the_upgrade_request(server):
    # the server's request buffer already holds them: MicroPython reads
    # them through _ws_stream, then its socket as usual
    payload = os.urandom(700)
    sock = open_ws(server, frame(1, b'first') + frame(2, payload))
    try:
        assert read_message(sock) == (1, b'first')
        assert read_message(sock) == (2, payload)
        sock.sendall(frame(1, b'next'))
        assert read_message(sock) == (1, b'next')
        close(sock)
    finally:
        sock.close()


@pytest.mark.parametrize('data, code', [
    (frame(8, b'\x03'), 1002),               # truncated close code
    (frame(8, b'\x03\xed'), 1002),           # 1005 must not be sent
    (frame(8, b'\x03\xe8\xff'), 1007),       # reason is not UTF-8
    (frame(1, b'ok \xff'), 1007),            # text is not UTF-8
    (frame(1, b'x', fin=False) + frame(1, b'y'), 1002),  # no continuation
    (b'\x81\x05hello', 1002),                # not masked
])
def test_broken_frames_close_with_their_code(server, data, code):
    sock = open_ws(server)
    try:
        sock.sendall(data)
        opcode, payload = read_message(sock)
        assert opcode == 8
        assert payload[:2] == bytes((code >> 8, code & 0xff))
    finally:
        sock.close()


def test_names_of_the_moved_parts():
    sys.path.insert(0, str(HERE.parent.parent / 'python'))
    from microdot import websocket, _ws_stream, _ws_frames
    assert websocket.ProtocolError is _ws_frames.ProtocolError
    assert issubclass(websocket.ProtocolError, ValueError)
    assert websocket.ProtocolError(1002, 'x').code == 1002
    assert websocket.build_frame_header(1, 5) == b'\x81\x05'
    assert websocket.build_frame_header(2, 300, mask=b'abcd') == \
        b'\x82\xfe\x01\x2cabcd'
    # CPython's methods are _ws_stream's functions (no call in between)
    assert websocket.WebSocket.receive is _ws_stream.receive
    assert websocket.WebSocket.send is _ws_stream.send


ENDINGS_APP = '''
import sys
from microdot import Microdot
from microdot.websocket import with_websocket

app = Microdot()
conns = []


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    conns.append(request.sock[0])
    while True:
        message = await ws.receive()
        if message == 'return':
            return
        if message == 'raise':
            raise RuntimeError('handler failed on purpose')
        await ws.send(message)


@app.route('/open')
async def still_open(request):
    # the WebSocket connections still in the server's registry (CPython's
    # server keeps none)
    return str(sum(1 for c in conns
                   if c in (getattr(c, 'registry', None) or ())))


app.run(host='127.0.0.1', port=int(sys.argv[1]))
'''


@pytest.fixture(params=['builtin', 'micropython', 'micropython-c'])
def endings_server(request, tmp_path):
    yield from serve_script(ENDINGS_APP, tmp_path / 'endings_app.py',
                            request.param)


def test_handler_endings_close_the_connection(endings_server):
    # MicroPython runs the handler in a task of its own, whose end closes
    # the connection (WebSocket._ended): a return with 1000, an exception
    # with 1011 (and its traceback in the log); the connection leaves the
    # server's registry either way, and the server goes on
    server = endings_server
    for word, code in (('return', 1000), ('raise', 1011)):
        sock = open_ws(server)
        try:
            sock.sendall(frame(1, b'hello'))
            assert read_message(sock) == (1, b'hello')
            sock.sendall(frame(1, word.encode()))
            opcode, payload = read_message(sock)
            assert (opcode, payload[:2]) == (8, bytes((code >> 8,
                                                       code & 0xff)))
            sock.sendall(frame(8, payload[:2]))
            assert sock.recv(16) == b''  # (closed by the server)
        finally:
            sock.close()
    for _ in range(50):
        if loaded_path(server, '/open') == '0':
            break
        time.sleep(0.1)
    assert loaded_path(server, '/open') == '0'
    server.log.seek(0)
    log = server.log.read().decode()
    assert 'handler failed on purpose' in log

"""WebSocket and SSE behaviours on MicroPython, in memory (no sockets): the
frame reader, and routes driven through the built-in server's request loop
by microdot.test_client.TestWebSocket and the test client.

    MICROPYPATH=<repo>/python:.frozen micropython tests/mpy/ext_runner.py

With MICRODOT_BACKEND=c and _microdot.mpy on MICROPYPATH it runs on the
native module. Prints one line per test and ends with "N passed, N failed";
exits with 1 when a test failed. Also runs on CPython.
"""
import asyncio
import sys

from microdot import Microdot
from microdot._backend import NAME
from microdot.test_client import TestClient, TestWebSocket
from microdot.websocket import FrameReader, ProtocolError, \
    ConnectionClosed, with_websocket, WebSocket
from microdot.sse import with_sse, format_event

MASK = b'\x11\x22\x33\x44'


def client_frame(opcode, payload, fin=True):
    head = bytearray([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head.append(0x80 | n)
    elif n < 65536:
        head.append(0x80 | 126)
        head += bytes([n >> 8, n & 0xff])
    else:
        head.append(0x80 | 127)
        head += n.to_bytes(8, 'big')
    body = bytearray(payload)
    for i in range(n):
        body[i] ^= MASK[i & 3]
    return bytes(head) + MASK + bytes(body)


def events_of(data, step=None):
    reader = FrameReader(100000)
    out = []
    step = step or len(data)
    for i in range(0, len(data), step):
        reader.feed(data[i:i + step])
        while True:
            event = reader.next_event()
            if event is None:
                break
            out.append(event)
    return out


def code_of(data):
    try:
        events_of(data)
    except ProtocolError as exc:
        return exc.code
    return None


# -- frame reader -------------------------------------------------------------

def test_frames_whole_and_byte_by_byte():
    text = 'h\u00e9llo \u03ba\u03cc\u03c3\u03bc\u03b5'.encode()
    data = (client_frame(1, text[:3], False) + client_frame(9, b'p') +
            client_frame(0, text[3:]) + client_frame(2, b'\x00\xff' * 200) +
            client_frame(8, b'\x03\xe8ok'))
    expected = [(9, b'p'), (1, text.decode()), (2, b'\x00\xff' * 200),
                (8, 1000, 'ok')]
    assert events_of(data) == expected
    assert events_of(data, 1) == expected


def test_frames_large_payload():
    payload = bytes(range(256)) * 300
    assert events_of(client_frame(2, payload), 1000) == [(2, payload)]


def test_frames_errors():
    assert code_of(b'\x81\x02hi') == 1002                       # unmasked
    assert code_of(client_frame(0, b'x')) == 1002                # stray cont.
    assert code_of(client_frame(9, b'x' * 126)) == 1002          # big ping
    assert code_of(client_frame(1, b'\xed\xa0\x80')) == 1007     # surrogate
    assert code_of(client_frame(1, b'ok\xc3')) == 1007           # truncated
    assert code_of(client_frame(2, b'x' * 100001)) == 1009       # too big
    assert code_of(client_frame(8, b'\x03\xed')) == 1002         # 1005


# -- WebSocket routes -----------------------------------------------------------

def make_app(log):
    app = Microdot()

    @app.route('/echo')
    @with_websocket
    async def echo(request, ws):
        try:
            while True:
                message = await ws.receive()
                if message == 'bye':
                    return
                await ws.send(message)
        except ConnectionClosed as exc:
            log.append(exc.code)
            raise

    @app.route('/events')
    @with_sse
    async def events(request, sse):
        await sse.send('hi', event='greet', event_id=1)
        await sse.send({'n': 1})

    return app


def run(coro):
    return asyncio.run(coro)


def test_websocket_echo_and_close():
    log = []

    async def go():
        ws = TestWebSocket(make_app(log))
        res = await ws.connect('/echo')
        assert res.status_code == 101
        assert res.headers['Sec-WebSocket-Accept'] == \
            's3pPLMBiTxaQ9kYGzzhZRbK+xOo='
        await ws.send('h\u00e9llo')
        assert await ws.receive() == 'h\u00e9llo'
        await ws.send(b'\x00' * 70000)
        assert (await ws.receive_event())[:2] == (8, 1009)
        await ws.task
    old = WebSocket.max_message_size
    WebSocket.max_message_size = 65536
    try:
        run(go())
    finally:
        WebSocket.max_message_size = old
    assert log == [1009]


def test_websocket_ping_fragments_and_client_close():
    log = []

    async def go():
        ws = TestWebSocket(make_app(log))
        await ws.connect('/echo')
        await ws.send(b'ping!', opcode=9)
        assert await ws.receive_event() == (10, b'ping!')
        await ws.send('frag', fin=False)
        await ws.send('ment', opcode=0)
        assert await ws.receive() == 'fragment'
        await ws.send_raw(ws.build_frame(8, b'\x0f\xa0'))  # 4000
        assert await ws.receive_event() == (8, 4000, '')
        await ws.task
    run(go())
    assert log == [4000]


def test_websocket_bad_frames_and_lost_client():
    log = []

    async def go():
        ws = TestWebSocket(make_app(log))
        await ws.connect('/echo')
        await ws.send_raw(client_frame(1, b'\xff'))
        assert (await ws.receive_event())[:2] == (8, 1007)
        await ws.task
        ws = TestWebSocket(make_app(log))
        await ws.connect('/echo')
        ws.conn.feed_eof()
        await ws.task
    run(go())
    assert log == [1007, 1006]


def test_websocket_handler_return_and_bad_handshake():
    async def go():
        ws = TestWebSocket(make_app([]))
        await ws.connect('/echo')
        await ws.send('bye')
        assert (await ws.receive_event())[:2] == (8, 1000)
        await ws.close()
        ws = TestWebSocket(make_app([]))
        res = await ws.connect('/echo', {'Sec-WebSocket-Version': '7'})
        assert res.status_code == 400
    run(go())


# -- SSE -------------------------------------------------------------------------

def test_sse_format():
    assert format_event({'a': 1}, 'x', 2) == \
        b'event: x\nid: 2\ndata: {"a": 1}\n\n'
    assert format_event('a\nb') == b'data: a\ndata: b\n\n'


def test_sse_route():
    async def go():
        res = await TestClient(make_app([])).get('/events')
        assert res.status_code == 200
        assert res.headers['Content-Type'] == 'text/event-stream'
        assert res.text == 'event: greet\nid: 1\ndata: hi\n\ndata: {"n": 1}\n\n'
    run(go())


def main():
    passed = failed = 0
    names = sorted(n for n in globals() if n.startswith('test_'))
    for name in names:
        try:
            globals()[name]()
            passed += 1
            print('ok   ' + name)
        except Exception as exc:
            failed += 1
            print('FAIL ' + name + ': ' + repr(exc))
            if hasattr(sys, 'print_exception'):
                sys.print_exception(exc)
    print('backend ' + NAME)
    print('{} passed, {} failed'.format(passed, failed))
    sys.exit(1 if failed else 0)


main()

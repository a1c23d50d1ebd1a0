"""WebSocket routes through the built-in server's request loop, in memory
(microdot.test_client.TestWebSocket feeds the same connection code the socket
server uses): handshake validation, messages, control frames, close codes."""
import asyncio
import struct

import pytest

from microdot import Microdot
from microdot.test_client import TestClient, TestWebSocket
from microdot._ws_client import run_websocket_client
from microdot.websocket import with_websocket, ConnectionClosed, WebSocket

KEY = 'dGhlIHNhbXBsZSBub25jZQ=='
ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 10))


def make_app(log):
    app = Microdot()

    @app.route('/echo', methods=['GET', 'POST'])
    @with_websocket
    async def echo(request, ws):
        try:
            while True:
                message = await ws.receive()
                if message == 'bye':
                    return
                if message == 'boom':
                    raise RuntimeError('boom')
                await ws.send(message)
        except ConnectionClosed as exc:
            log.append(('closed', exc.code, exc.reason))
            raise

    @app.route('/big')
    @with_websocket
    async def big(request, ws):
        ws.max_message_size = 10
        await ws.send(await ws.receive())

    @app.route('/push')
    @with_websocket
    async def push(request, ws):
        for i in range(3):
            await ws.send('event {}'.format(i))
        await ws.send(b'\x00\x01')

    return app


@pytest.fixture
def log():
    return []


@pytest.fixture
def app(log):
    return make_app(log)


async def connect(app, path='/echo', headers=None):
    ws = TestWebSocket(app)
    res = await ws.connect(path, headers)
    return ws, res


def test_handshake_and_echo(app):
    async def go():
        ws, res = await connect(app)
        assert res.status_code == 101
        assert res.headers['Sec-WebSocket-Accept'] == ACCEPT
        assert res.headers['Upgrade'].lower() == 'websocket'
        assert 'Sec-WebSocket-Extensions' not in res.headers
        await ws.send('héllo')
        assert await ws.receive() == 'héllo'
        await ws.send(b'\x00\xffbin')
        assert await ws.receive() == b'\x00\xffbin'
        await ws.send('x' * 70000)
        assert await ws.receive() == 'x' * 70000 if \
            WebSocket.max_message_size >= 70000 else True
        await ws.close()
    run(go())


@pytest.mark.parametrize('headers,status', [
    ({'Sec-WebSocket-Key': ''}, 400),
    ({'Sec-WebSocket-Key': 'c2hvcnQ='}, 400),          # 5 bytes, not 16
    ({'Sec-WebSocket-Key': 'not base64!!'}, 400),
    ({'Sec-WebSocket-Version': '8'}, 400),
    ({'Upgrade': 'h2c'}, 400),
    ({'Connection': 'keep-alive'}, 400),
])
def test_bad_upgrade_requests(app, headers, status):
    async def go():
        ws, res = await connect(app, headers=headers)
        assert res.status_code == status
        if 'Sec-WebSocket-Version' in headers:
            assert res.headers['Sec-WebSocket-Version'] == '13'
    run(go())


def test_upgrade_must_be_get(app):
    async def go():
        client = TestClient(app)
        res = await client.post('/echo', headers={
            'Upgrade': 'websocket', 'Connection': 'Upgrade',
            'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': KEY})
        assert res.status_code == 400
        res = await client.get('/echo')  # a plain request
        assert res.status_code == 400
    run(go())


def test_compression_offer_is_not_accepted(app):
    async def go():
        ws, res = await connect(app, headers={
            'Sec-WebSocket-Extensions': 'permessage-deflate'})
        assert res.status_code == 101
        assert 'Sec-WebSocket-Extensions' not in res.headers
        await ws.send('plain')
        assert await ws.receive() == 'plain'
        await ws.close()
    run(go())


def test_ping_is_answered_with_pong(app):
    async def go():
        ws, _ = await connect(app)
        await ws.send(b'are you there', opcode=9)
        assert await ws.receive_event() == (10, b'are you there')
        await ws.close()
    run(go())


def test_fragmented_message_with_ping_inside(app):
    async def go():
        ws, _ = await connect(app)
        await ws.send('frag', fin=False)
        await ws.send(b'p', opcode=9)
        await ws.send('men', opcode=0, fin=False)
        await ws.send('ted', opcode=0)
        assert await ws.receive_event() == (10, b'p')
        assert await ws.receive_event() == (1, 'fragmented')
        await ws.close()
    run(go())


def test_client_close_code_is_echoed(app, log):
    async def go():
        ws, _ = await connect(app)
        await ws.send_raw(ws.build_frame(8, struct.pack('!H', 1001) + b'bye'))
        assert await ws.receive_event() == (8, 1001, '')
        await ws.task
    run(go())
    assert log == [('closed', 1001, 'bye')]


def test_client_gone_raises_connection_closed(app, log):
    async def go():
        ws, _ = await connect(app)
        await ws.send('one')
        assert await ws.receive() == 'one'
        ws.conn.feed_eof()  # the TCP connection ends without a close frame
        await ws.task
    run(go())
    assert log == [('closed', 1006, 'connection lost')]


@pytest.mark.parametrize('frame,code', [
    (b'\x81\x02hi', 1002),                              # not masked
    (b'\xc1\x80\x00\x00\x00\x00', 1002),               # RSV1 (compression)
    (b'\x80\x80\x00\x00\x00\x00', 1002),               # continuation first
    (b'\x89\xfe\x00\x7e\x00\x00\x00\x00' + b'x' * 126, 1002),  # big ping
    (b'\x81\x81\x00\x00\x00\x00\xff', 1007),           # invalid UTF-8
])
def test_protocol_errors_close_the_connection(app, log, frame, code):
    async def go():
        ws, _ = await connect(app)
        await ws.send_raw(frame)
        event = await ws.receive_event()
        assert event[:2] == (8, code)
        await ws.task
        assert ws.conn.closed
    run(go())
    assert log == [('closed', code, log[0][2])]


def test_message_over_the_limit_closes_1009(app):
    async def go():
        ws, _ = await connect(app, '/big')
        await ws.send('x' * 11)
        assert (await ws.receive_event())[:2] == (8, 1009)
        await ws.task
    run(go())


def test_handler_return_closes_1000(app):
    async def go():
        ws, _ = await connect(app)
        await ws.send('bye')
        assert (await ws.receive_event())[:2] == (8, 1000)
        await ws.close()
    run(go())


def test_handler_exception_closes_1011(app, capsys):
    async def go():
        ws, _ = await connect(app)
        await ws.send('boom')
        assert (await ws.receive_event())[:2] == (8, 1011)
        await ws.close()
    run(go())
    assert 'boom' in capsys.readouterr().err


def test_server_push_then_close(app):
    async def go():
        ws, _ = await connect(app, '/push')
        got = [await ws.receive() for _ in range(4)]
        assert got == ['event 0', 'event 1', 'event 2', b'\x00\x01']
        with pytest.raises(ConnectionClosed) as exc:
            await ws.receive()
        assert exc.value.code == 1000
    run(go())


def test_generator_client(app):
    received = []

    def client():
        received.append((yield 'hello'))
        received.append((yield b'bytes'))

    async def go():
        res = await run_websocket_client(TestClient(app), '/echo', client)
        assert res.status_code == 101
    run(go())
    assert received == ['hello', b'bytes']


def test_route_without_websocket_support_for_unknown_path(app):
    async def go():
        ws, res = await connect(app, '/nope')
        assert res.status_code == 404
    run(go())


def test_sync_handler_runs_in_a_thread():
    app = Microdot()

    @app.route('/sync')
    @with_websocket
    def sync_echo(request, ws):
        while True:
            message = ws.receive()
            ws.send(message.upper())

    async def go():
        ws, res = await connect(app, '/sync')
        assert res.status_code == 101
        await ws.send('quiet')
        assert await ws.receive() == 'QUIET'
        await ws.close()
    run(go())

"""The client side of WebSockets for the test client: a WebSocket to an app
held in memory (:class:`TestWebSocket`) and the generator-driven exchange
behind ``TestClient.websocket``. Apart from websocket.py so that a server,
which never needs it, does not load it.
"""
import asyncio

from microdot._backend import backend
from microdot.test_client import TestClient, MemoryConnection, TestResponse
from microdot._ws_frames import FrameReader, OP_TEXT, OP_BINARY, OP_CLOSE, \
    CLOSE_NORMAL, CLOSE_ABNORMAL
from microdot.websocket import ConnectionClosed, close_payload


class TestWebSocket:
    """The client side of a WebSocket to an app, in memory, through the same
    request loop as the built-in server. Frames are masked as a browser's.

    ::

        ws = TestWebSocket(app)
        res = await ws.connect('/echo')   # the handshake response
        await ws.send('hello')
        assert await ws.receive() == 'hello'
        await ws.close()
    """
    __test__ = False

    mask = b'\x1f\x2e\x3d\x4c'

    def __init__(self, app, test_client=None):
        self.client = test_client or TestClient(app)
        self.conn = None
        self.task = None
        self.frames = FrameReader(client=True)
        self.close_code = None

    async def connect(self, path, headers=None):
        """Sends the upgrade request; returns the TestResponse of the
        handshake (status 101 when accepted)."""
        hdrs = {'Upgrade': 'websocket', 'Connection': 'Upgrade',
                'Sec-WebSocket-Version': '13',
                'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ=='}
        hdrs.update(headers or {})
        self.conn = MemoryConnection(
            self.client.build_request('GET', path, hdrs), eof=False)
        self.task = asyncio.create_task(self.client.run(None, self.conn))
        while b'\r\n\r\n' not in self.conn.output and not self.conn.closed:
            await self.conn.wait_output()
        raw = bytes(self.conn.output)
        if b'\r\n\r\n' not in raw:
            raise ConnectionClosed(CLOSE_ABNORMAL, 'no handshake response')
        if raw.startswith(b'HTTP/1.1 101 '):
            end = raw.find(b'\r\n\r\n') + 4
            res, _ = TestResponse.parse(raw[:end])
            self.conn.output = bytearray(raw[end:])
            return res
        self.conn.feed_eof()
        await self.task
        res, _ = TestResponse.parse(bytes(self.conn.output))
        return res

    async def send(self, data, opcode=None, fin=True):
        """Sends a masked message to the app: str as text, bytes as binary
        (``fin=False`` for the first fragments of a fragmented one)."""
        if opcode is None:
            opcode = OP_TEXT if isinstance(data, str) else OP_BINARY
        if isinstance(data, str):
            data = data.encode()
        await self.send_raw(self.build_frame(opcode, data, fin))

    def build_frame(self, opcode, payload, fin=True):
        """A complete masked frame, as bytes, for :meth:`send_raw`."""
        payload = bytearray(payload)
        backend.ws_mask(payload, 0, len(payload), self.mask, 0)
        return backend.ws_build_header(fin, opcode, len(payload),
                                       self.mask) + bytes(payload)

    async def send_raw(self, data):
        """Sends bytes to the app as they are (e.g. a malformed frame)."""
        if self.conn.closed:
            raise ConnectionClosed(self.close_code or CLOSE_ABNORMAL)
        self.conn.feed(data)

    async def receive_event(self):
        """The next event from the server (see FrameReader), answering
        nothing automatically."""
        while True:
            event = self.frames.next_event()
            if event is not None:
                if event[0] == OP_CLOSE:
                    self.close_code = event[1]
                return event
            if self.conn.output:
                data = bytes(self.conn.output)
                self.conn.output = bytearray()
                self.frames.feed(data)
                continue
            if self.conn.closed:
                raise ConnectionClosed(self.close_code or CLOSE_ABNORMAL)
            await self.conn.wait_output()

    async def receive(self):
        """The next message; raises ConnectionClosed on a close frame."""
        while True:
            event = await self.receive_event()
            if event[0] <= OP_BINARY:
                return event[1]
            if event[0] == OP_CLOSE:
                await self.close(event[1])
                raise ConnectionClosed(event[1], event[2])

    async def close(self, code=CLOSE_NORMAL):
        """Sends a close frame with ``code`` and ends the connection."""
        if not self.conn.closed:
            try:
                await self.send_raw(self.build_frame(
                    OP_CLOSE, close_payload(code)))
            except ConnectionClosed:
                pass
            self.conn.feed_eof()
        await self.task


async def run_websocket_client(test_client, path, client, headers=None):
    """Runs the generator function ``client`` against the WebSocket route at
    ``path``: each value it yields is sent, and the message the server sends
    next is the value of the yield. Returns the handshake TestResponse;
    messages received after the generator ends are dropped."""
    ws = TestWebSocket(test_client.app, test_client)
    res = await ws.connect(path, headers)
    if res.status_code != 101:
        return res
    gen = client()
    is_async = hasattr(gen, 'asend')
    reply = None
    try:
        while True:
            try:
                if is_async:
                    message = await gen.asend(reply)
                else:
                    message = gen.send(reply)
            except (StopIteration, StopAsyncIteration):
                break
            await ws.send(message)
            try:
                reply = await ws.receive()
            except ConnectionClosed:
                break
    finally:
        await ws.close()
    return res

"""A WebSocket's frames through the frame reader (microdot._ws_frames), over
any stream pair: CPython's ``WebSocket.receive()`` and ``send()`` (the class
takes these functions as its methods there), and MicroPython's way for what
its fast path (microdot.websocket) leaves: the test client's connections,
bytes the server had buffered before the upgrade, fragmented messages and
frames bigger than a receive buffer. Apart from websocket.py so that a
MicroPython server whose clients send whole messages never loads it.
Imported by microdot.websocket (import that module, not this one).
"""
import asyncio

from microdot._backend import backend
from microdot.websocket import _NO_LIMIT, _give_buffer

try:
    from micropython import const
except ImportError:
    from microdot.websocket import const

_OP_TEXT = const(1)
_OP_BINARY = const(2)
_OP_CLOSE = const(8)
_OP_PING = const(9)
_OP_PONG = const(10)
_DIRECT_MIN = const(256)  # payload rests this big are read straight into place
_MAX_HEADER = const(14)  # longest frame header
_SPLIT_WRITE = const(16384)  # payloads this big are written apart (CPython)


async def receive(ws):
    """WebSocket.receive(): waits for the next message; returns ``str`` or
    ``bytes``."""
    while True:
        if ws.closed is not None:
            raise ws.closed
        event = await next_event(ws)
        if event[0] <= _OP_BINARY:
            return event[1]
        if event[0] == _OP_PING:
            await ws._send_frame(_OP_PONG, event[1])
        elif event[0] == _OP_CLOSE:
            await ws._fail(event[1], event[2])
        if ws.frames is None:  # (MicroPython: back to the fast path)
            return await ws.receive()


async def send(ws, data, opcode=None):
    """WebSocket.send(): sends a message, text for ``str``, binary for
    bytes-like."""
    if ws.closed is not None:
        raise ws.closed
    if isinstance(data, str):
        # MicroPython: a str's UTF-8 bytes, seen without a copy
        data = data.encode() if ws._stream is None else memoryview(data)
        if opcode is None:
            opcode = _OP_TEXT
    elif opcode is None:
        opcode = _OP_BINARY
    try:  # WebSocket._send_frame, inlined: one coroutine less per message
        writer = ws._write_frame(opcode, data)
        if writer is not None:
            await writer.drain()
    except (OSError, EOFError):
        await ws._lost()


def frame_reader(ws):
    """The WebSocket's FrameReader, made on first use."""
    frames = ws.frames
    if frames is None:
        from microdot._ws_frames import FrameReader
        frames = ws.frames = FrameReader(ws.max_message_size)
    return frames


async def next_event(ws):
    """The next event (see FrameReader) of the connection; answers a
    broken frame with a close frame and ConnectionClosed."""
    frames = ws.frames or frame_reader(ws)
    frames.max_message_size = ws.max_message_size or _NO_LIMIT
    conn = ws.reader
    while True:
        try:
            # MicroPython reads the socket itself once the server's
            # buffer is used up (see parse_stream)
            stream = ws._stream is not None and not conn.pending()
            if stream:
                event = parse_stream(ws, frames)
            elif ws._direct:
                event = None
                if conn.pos < len(conn.buf):  # (nothing to parse)
                    event, conn.pos = frames.parse(
                        conn.buf, conn.pos, len(conn.buf),
                        ws.whole_frame_size)
            else:
                event = frames.next_event()
            if event is not None:
                if stream and frames._frame is None and \
                        frames._msg_opcode is None:
                    # (MicroPython) nothing left half-done: the fast path
                    # goes on (see websocket.receive), and the reader and
                    # its payload buffer are not kept
                    ws.frames = None
                return event
            if stream:
                n = await read_stream(ws, frames)
                if n is None:  # the socket was not readable after all
                    continue
            elif ws._direct:
                n = await conn.fill()
            else:
                n = await conn.read(
                    max(ws.read_size, min(frames.wanted(), 1 << 20)))
                frames.feed(n)
        except ValueError as exc:  # (ProtocolError: a broken frame)
            await ws._fail(exc.args[0], str(exc.args[-1]))
        except (OSError, EOFError):
            n = 0
        if not n:
            await ws._lost()


# MicroPython: once the server's buffer is used up, the socket is read
# straight into a receive buffer (or into the payload of a big frame), as
# the fast path does (see microdot.websocket)

def parse_stream(ws, frames):
    """The next event from the receive buffer, or None (MicroPython)."""
    buf = ws._rbuf
    if buf is None:
        frame = frames._frame
        if frame is None or frame[3]:
            return None
        # (a frame read whole into its payload: ends it)
        return frames.parse(b'', 0, 0)[0]
    event, pos = frames.parse(buf, ws._rpos, ws._rend,
                              len(buf) - _MAX_HEADER)
    if pos == ws._rend:
        ws._rbuf = None
        _give_buffer(buf)
    else:
        ws._rpos = pos
    return event


def read_stream(ws, frames):
    """Waits until the socket is readable, then reads what it has: straight
    into the rest of a big frame's payload (unmasked and UTF-8-checked
    there), or after the unparsed bytes of a receive buffer. Returns the
    byte count (None: nothing was readable after all). MicroPython only: a
    generator that waits the way asyncio's Stream.readinto() does."""
    sock = ws._stream.s
    yield asyncio.core._io_queue.queue_read(sock)
    frame = frames._frame
    if ws._rbuf is None and frame is not None and frame[3] >= _DIRECT_MIN:
        n = sock.readinto(frames.payload_view())
        if n:
            frames.payload_received(n)
    else:
        n = ws._read_socket(sock)
    if n is not None:
        ws._yielded = True
    return n


def write_frame(ws, opcode, payload):
    """WebSocket._write_frame() where the WebSocket has no MicroPython
    socket stream: writes the frame to its writer, which it returns."""
    header = backend.ws_build_header(True, opcode, len(payload), None)
    if len(payload) > _SPLIT_WRITE:
        # no copy; a big payload keeps ACKs coming, so a lone header
        # segment does not wait for a delayed ACK
        if not isinstance(payload, bytes):
            payload = bytes(payload)  # transports may keep it
        ws.writer.write(header)
        ws.writer.write(payload)
    else:
        # one write: a lone header segment followed by a small payload
        # could wait out Nagle and a delayed ACK (40 ms)
        ws.writer.write(header + payload)
    return ws.writer


class ClosedWriter:
    """What a closed WebSocket writes to: every write fails."""

    def write(self, data):
        raise OSError('closed')

    async def drain(self):
        raise OSError('closed')

    def close(self):
        pass

    async def wait_closed(self):
        pass

"""The end of a server-side WebSocket: the closing handshake, and the close
frame answered (or sent for a broken frame) before the transport is closed.
Apart from websocket.py, whose ``WebSocket.close()``, ``_fail()`` and
``_lost()`` import it on first use, so an app that defines WebSocket routes
loads it only once a connection ends.
"""
import asyncio

from microdot.websocket import ConnectionClosed, OP_CLOSE, CLOSE_NO_STATUS, \
    CLOSE_ABNORMAL


def close_payload(code, reason=''):
    """The payload of a close frame: the status ``code`` as two bytes and the
    UTF-8 ``reason``; empty for no code (or 1005, "no status")."""
    if code is None or code == CLOSE_NO_STATUS:
        return b''
    return bytes((code >> 8, code & 0xff)) + reason.encode()


async def close(ws, code, reason):
    """WebSocket.close() of an open ``ws``: sends the close frame, waits (at
    most ``ws.close_timeout`` seconds) for the peer's, then closes the
    transport."""
    ws.closed = ConnectionClosed(code, reason)
    try:
        await ws._send_frame(OP_CLOSE, close_payload(code, reason))
        await asyncio.wait_for(_drain_until_close(ws), ws.close_timeout)
    except Exception:
        pass
    await _close_transport(ws)


async def _drain_until_close(ws):
    while True:
        event = await ws._next_event()
        if event[0] == OP_CLOSE:
            return


async def fail(ws, code, reason):
    """WebSocket._fail(): answers with a close frame with ``code``, closes
    the transport and raises ConnectionClosed."""
    ws.closed = ConnectionClosed(code, reason)
    try:
        await ws._send_frame(OP_CLOSE, close_payload(code))
    except ConnectionClosed:
        pass
    await _close_transport(ws)
    raise ws.closed


async def lost(ws):
    """WebSocket._lost(): the connection dropped (or broke) without a close
    frame; closes the transport and raises ConnectionClosed."""
    if ws.closed is None:
        ws.closed = ConnectionClosed(CLOSE_ABNORMAL, 'connection lost')
    await _close_transport(ws)
    raise ws.closed


async def _close_transport(ws):
    writer, ws.writer = ws.writer, _ClosedWriter()
    try:
        writer.close()
        await writer.wait_closed()
    except Exception:
        pass


class _ClosedWriter:
    def write(self, data):
        raise OSError('closed')

    async def drain(self):
        raise OSError('closed')

    def close(self):
        pass

    async def wait_closed(self):
        pass

"""The closing handshake a server starts (``WebSocket.close()``, e.g. when
a handler returns). Apart from websocket.py, whose ``close()`` imports it on
first use: a server whose clients close their connections never loads it.
"""
import asyncio

from microdot.websocket import ConnectionClosed, close_payload
from microdot._ws_stream import next_event

try:
    from micropython import const
except ImportError:
    from microdot.websocket import const

_OP_CLOSE = const(8)


async def close(ws, code, reason):
    """WebSocket.close() of an open ``ws``: sends the close frame, waits (at
    most ``ws.close_timeout`` seconds) for the peer's, then closes the
    transport."""
    ws.closed = ConnectionClosed(code, reason)
    try:
        await ws._send_frame(_OP_CLOSE, close_payload(code, reason))
        await asyncio.wait_for(_drain_until_close(ws), ws.close_timeout)
    except Exception:
        pass
    await ws._close_transport()


async def _drain_until_close(ws):
    while True:
        event = await next_event(ws)
        if event[0] == _OP_CLOSE:
            return

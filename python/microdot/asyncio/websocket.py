"""``microdot.asyncio.websocket``: :mod:`microdot.websocket` under the name
of the guides written between 1.x and 2.x (``async`` handlers)."""
from microdot.websocket import with_websocket, WebSocket, \
    WebSocketError, ConnectionClosed  # noqa: F401

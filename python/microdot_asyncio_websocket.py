"""Microdot 1.x name of :mod:`microdot.websocket` (``async`` handlers)."""
from microdot.websocket import with_websocket, WebSocket, \
    WebSocketError, ConnectionClosed  # noqa: F401

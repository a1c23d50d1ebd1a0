"""Microdot 1.x name of the WebSocket support for ASGI applications: in 2.x
:mod:`microdot.websocket` works under ASGI unchanged."""
from microdot.websocket import with_websocket, WebSocket  # noqa: F401

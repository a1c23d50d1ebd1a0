"""Microdot 1.x WebSocket API, where handlers are plain functions and
``ws.receive()`` and ``ws.send()`` block::

    @app.route('/echo')
    @with_websocket
    def echo(request, ws):
        while True:
            ws.send(ws.receive())

The handler runs in a worker thread and each call waits for the
:mod:`microdot.websocket` coroutine it stands for on the server's event
loop. That needs threads next to the loop, so on MicroPython write the
handler as ``async def`` (which this decorator also accepts).
"""
import asyncio
import sys

from microdot.helpers import iscoroutinefunction, wraps
from microdot.websocket import with_websocket as _with_websocket, \
    WebSocket, WebSocketError, ConnectionClosed  # noqa: F401


class SyncWebSocket:
    """Blocking facade of a :class:`microdot.websocket.WebSocket`, for use
    from a thread other than the event loop's. A plain ``def`` handler
    decorated with :func:`with_websocket` receives one; it raises the same
    exceptions as the WebSocket it wraps."""

    def __init__(self, ws, loop):
        self.ws = ws
        self.loop = loop

    def _wait(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    @property
    def request(self):
        """The request that opened the WebSocket."""
        return self.ws.request

    def receive(self):
        """Blocks until the next message arrives; returns ``str`` (text) or
        ``bytes`` (binary).

        :raises microdot.websocket.ConnectionClosed: the connection is
            closed.
        """
        return self._wait(self.ws.receive())

    def send(self, data, opcode=None):
        """Sends a message (text for ``str``, binary for bytes) and blocks
        until it is written.

        :raises microdot.websocket.ConnectionClosed: the connection is
            closed.
        """
        return self._wait(self.ws.send(data, opcode))

    def close(self, *args):
        """Closes the connection and blocks until it is closed; the
        arguments (``code``, ``reason``) are those of
        :meth:`microdot.websocket.WebSocket.close`."""
        return self._wait(self.ws.close(*args))


def with_websocket(f):
    """Decorator that makes a route a WebSocket endpoint; ``f`` may be a
    plain function (1.x style), which receives a :class:`SyncWebSocket`
    and runs in a worker thread, or a coroutine function, which receives
    the :class:`microdot.websocket.WebSocket` itself.

    :raises NotImplementedError: ``f`` is a plain function on MicroPython.
    """
    if iscoroutinefunction(f):
        return _with_websocket(f)
    if sys.implementation.name == 'micropython':
        raise NotImplementedError(
            'blocking WebSocket handlers need threads: make {} an async '
            'def handler'.format(getattr(f, '__name__', 'the handler')))

    async def handler(request, ws, *args, **kwargs):
        loop = asyncio.get_running_loop()
        sync_ws = SyncWebSocket(ws, loop)
        await loop.run_in_executor(
            None, lambda: f(request, sync_ws, *args, **kwargs))
    return _with_websocket(wraps(f)(handler))

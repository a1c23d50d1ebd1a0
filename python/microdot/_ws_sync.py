"""What lets a ``def`` (not ``async def``) WebSocket handler run on CPython:
the handler runs in a worker thread and gets a :class:`SyncWebSocket` whose
blocking methods run the WebSocket's coroutines on the server's event loop.
MicroPython has no threads for it, so this module is left out of its
bundles; ``microdot.websocket.with_websocket`` imports it on first use.
"""
import asyncio

from microdot._ws_frames import CLOSE_NORMAL


class SyncWebSocket:
    """What a ``def`` (not ``async def``) WebSocket handler receives on
    CPython, where such handlers run in a worker thread: blocking
    receive()/send()/close() that run the WebSocket's coroutines on the
    server's event loop."""

    def __init__(self, ws, loop):
        self.ws = ws
        self.loop = loop

    def _run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def receive(self):
        """The next message (str or bytes), waiting for it; raises
        ConnectionClosed when the client has gone."""
        return self._run(self.ws.receive())

    def send(self, data, opcode=None):
        """Sends a message: str as text, bytes as binary."""
        return self._run(self.ws.send(data, opcode))

    def close(self, code=CLOSE_NORMAL, reason=''):
        """Closes the WebSocket with ``code`` and ``reason``."""
        return self._run(self.ws.close(code, reason))


def run_in_thread(f, request, ws, args, kwargs):
    """Runs a ``def`` handler in the executor (CPython); returns the future."""
    loop = asyncio.get_running_loop()
    return loop.run_in_executor(
        None, lambda: f(request, SyncWebSocket(ws, loop), *args, **kwargs))

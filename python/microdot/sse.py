"""Server-Sent Events (text/event-stream) for Microdot.

Usage::

    from microdot.sse import with_sse

    @app.route('/events')
    @with_sse
    async def events(request, sse):
        for i in range(10):
            await sse.send({'count': i}, event='tick')
            await asyncio.sleep(1)

The handler runs as its own task while the response streams. The stream
ends when the handler returns. When the client goes away the response is
closed and the handler is cancelled (it sees ``asyncio.CancelledError`` at
its next ``await``); idle streams send a keep-alive comment every
``SSE.keepalive`` seconds, which is also how a vanished client is noticed.
"""
import asyncio
import json

from microdot.helpers import print_exception, wraps, iscoroutinefunction


def _lines(data):
    return data.replace(b'\r\n', b'\n').replace(b'\r', b'\n').split(b'\n')


def _field(name, value):
    if isinstance(value, str):
        value = value.encode()
    if b'\n' in value or b'\r' in value:
        raise ValueError('SSE ' + name.decode() + ' must be a single line')
    return name + b': ' + value + b'\n'


def format_event(data, event=None, event_id=None, retry=None):
    """The bytes of one event. ``data`` is ``str``, bytes, or anything JSON
    can encode (``dict``, ``list``...)."""
    if isinstance(data, str):
        data = data.encode()
    elif not isinstance(data, (bytes, bytearray)):
        data = json.dumps(data).encode()
    out = b''
    if event is not None:
        out += _field(b'event', event)
    if event_id is not None:
        out += _field(b'id', str(event_id))
    if retry is not None:
        out += _field(b'retry', str(int(retry)))
    for line in _lines(bytes(data)):
        out += b'data: ' + line + b'\n'
    return out + b'\n'


def format_comment(text=''):
    out = b''
    for line in _lines(text.encode()):
        out += b': ' + line + b'\n'
    return out + b'\n'


class SSE:
    """The event sink given to a ``with_sse`` handler."""
    #: seconds without events before a keep-alive comment; None disables.
    keepalive = 15
    #: events queued for a slow client before ``send()`` waits.
    max_queue = 16

    def __init__(self):
        self._queue = []
        self._ready = asyncio.Event()
        self._drained = asyncio.Event()
        self.done = False

    async def send(self, data, event=None, event_id=None, retry=None):
        """Sends an event; ``retry`` (milliseconds) tells the browser how long
        to wait before reconnecting."""
        await self._put(format_event(data, event, event_id, retry))

    async def comment(self, text=''):
        """Sends a comment line, which clients ignore."""
        await self._put(format_comment(text))

    async def _put(self, chunk):
        while len(self._queue) >= self.max_queue and not self.done:
            self._drained.clear()
            await self._drained.wait()
        self._queue.append(chunk)
        self._ready.set()

    def _finish(self):
        self.done = True
        self._ready.set()


class SSEStream:
    """The response body: yields the queued events while the handler runs."""

    def __init__(self, sse, handler):
        self.sse = sse
        self.handler = handler
        self.task = None

    def __aiter__(self):
        return self

    async def __anext__(self):
        sse = self.sse
        if self.task is None:
            self.task = asyncio.create_task(self._run())
        while not sse._queue:
            if sse.done:
                raise StopAsyncIteration
            sse._ready.clear()
            if sse.keepalive is None:
                await sse._ready.wait()
                continue
            try:
                await asyncio.wait_for(sse._ready.wait(), sse.keepalive)
            except asyncio.TimeoutError:
                return format_comment('keepalive')
        chunk = b''.join(sse._queue)
        sse._queue = []
        sse._drained.set()
        return chunk

    async def aclose(self):
        """Called when the response ends early (the client went away)."""
        self.sse._finish()
        self.sse._drained.set()
        if self.task is not None and not self.task.done():
            self.task.cancel()
            try:
                await self.task
            except BaseException:
                pass

    async def _run(self):
        try:
            await self.handler(self.sse)
        except asyncio.CancelledError:
            pass
        except Exception as exc:
            print_exception(exc)
        finally:
            self.sse._finish()


def with_sse(f):
    """Decorator that makes a route stream Server-Sent Events. The handler
    is a coroutine that receives an :class:`SSE` as second argument."""
    if not iscoroutinefunction(f):
        raise TypeError('SSE handlers must be async def')
    @wraps(f)
    async def sse_handler(request, *args, **kwargs):
        async def handler(sse):
            await f(request, sse, *args, **kwargs)
        return SSEStream(SSE(), handler), 200, {
            'Content-Type': 'text/event-stream',
            'Cache-Control': 'no-cache',
        }
    return sse_handler

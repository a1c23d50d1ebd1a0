"""Server-Sent Events (text/event-stream) for Microdot.

Usage::

    from microdot.sse import with_sse

    @app.route('/events')
    @with_sse
    async def events(request, sse):
        for i in range(10):
            await sse.send({'count': i}, event='tick')
            await asyncio.sleep(1)

A route that streams only sometimes returns ``sse_response(request,
event_function)`` instead. The handler runs as its own task while the
response streams. The stream
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
    """Encodes one event in the ``text/event-stream`` format.

    :param data: the payload: ``str`` or bytes as they are, a ``dict`` or
        ``list`` as JSON, anything else as its ``str()`` (``42``,
        ``21.5``, ``True``, an object with a ``__str__``). A payload of
        several lines becomes several ``data:`` lines, which the browser
        joins back with newlines.
    :param event: the event type (the ``event`` field), or ``None`` for
        the default ``message`` type.
    :param event_id: the event id (the ``id`` field), or ``None``.
    :param retry: the reconnection delay in milliseconds (the ``retry``
        field), or ``None``.
    :return: the bytes of the event, ending with the blank line that
        terminates it.
    :raises ValueError: ``event`` or ``event_id`` spans several lines.

    Example: ``format_event({'n': 1}, event='tick')`` gives
    ``b'event: tick\\ndata: {"n": 1}\\n\\n'``.
    """
    if isinstance(data, str):
        data = data.encode()
    elif isinstance(data, (dict, list)):
        data = json.dumps(data).encode()
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        data = str(data).encode()
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
    """Encodes a comment (lines starting with ``:``), which clients ignore;
    useful to keep an idle connection open.

    :param text: the comment; several lines give several comment lines.
    :return: the bytes of the comment, ending with a blank line.
    """
    out = b''
    for line in _lines(text.encode()):
        out += b': ' + line + b'\n'
    return out + b'\n'


class SSE:
    """The event sink given to a :func:`with_sse` handler as its second
    argument. Handlers do not create it.

    Events are queued and written by the response as the client reads them;
    when ``max_queue`` events are waiting (a slow client), :meth:`send`
    waits for room.
    """
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
        """Sends an event. The arguments are those of :func:`format_event`:
        ``data`` is text, bytes, a dict or list (sent as JSON) or any value
        (sent as its ``str()``), ``event`` the
        event type, ``event_id`` its id, and ``retry`` (milliseconds) tells
        the browser how long to wait before reconnecting.

        :raises ValueError: ``event`` or ``event_id`` spans several lines.

        Example::

            await sse.send({'temperature': 21.5}, event='reading')
        """
        await self._put(format_event(data, event, event_id, retry))

    async def comment(self, text=''):
        """Sends a comment (see :func:`format_comment`), which clients
        ignore."""
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
    """The body of an SSE response (an async iterator of bytes): starts the
    handler as a task on the first read, then yields the queued events
    until the handler returns. :func:`with_sse` creates it."""

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


def sse_response(request, event_function, *args, **kwargs):
    """The response that streams the events of ``event_function``, for a
    route that decides by itself whether to answer with an event stream
    (:func:`with_sse` is this for a whole route).

    :param request: the request being answered.
    :param event_function: an ``async def`` function called as
        ``event_function(request, sse, *args, **kwargs)`` once the response
        starts; the stream ends when it returns.
    :return: the response as a ``(body, status, headers)`` tuple for the
        route to return.

    Example::

        @app.route('/feed')
        async def feed(request):
            if request.args.get('live'):
                return sse_response(request, live_events)
            return {'items': latest_items()}
    """
    async def handler(sse):
        await event_function(request, sse, *args, **kwargs)
    return SSEStream(SSE(), handler), 200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
    }


def with_sse(f):
    """Decorator that makes a route stream Server-Sent Events.

    The handler is an ``async def`` function that receives the request, an
    :class:`SSE` object, and the route's URL arguments. The response
    (``200``, ``Content-Type: text/event-stream``) starts at once and ends
    when the handler returns; an exception in the handler is printed and
    ends the stream.

    :raises TypeError: ``f`` is not an ``async def`` function.

    Example::

        @app.route('/clock')
        @with_sse
        async def clock(request, sse):
            while True:
                await sse.send(str(time.time()), event='time')
                await asyncio.sleep(1)
    """
    if not iscoroutinefunction(f):
        raise TypeError('SSE handlers must be async def')

    @wraps(f)
    async def sse_handler(request, *args, **kwargs):
        return sse_response(request, f, *args, **kwargs)
    return sse_handler

"""WSGI support: a Microdot application that WSGI servers (Gunicorn,
uWSGI...) can run. CPython only.

Usage::

    from microdot.wsgi import Microdot

    app = Microdot()

    @app.route('/')
    async def index(request):
        return 'Hello, World!'

and ``gunicorn module:app``. Handlers see the WSGI environ as
``request.environ``. The app runs on an asyncio loop of its own in each
server thread, so ``async def`` handlers work as on the built-in server.
Responses stream chunk by chunk through the WSGI iterable.

WebSocket routes work when the server gives access to the connection's
socket: Gunicorn does (``environ['gunicorn.socket']``); use its threaded
worker (``gunicorn -k gthread --threads N``), since a sync worker serves one
connection at a time and is killed after ``--timeout`` seconds on a long
one. On servers that do not expose the socket a WebSocket route answers
``501 Not Implemented``.
"""
import asyncio
import socket
import threading
from urllib.parse import quote

from microdot.microdot import Microdot as BaseMicrodot, Request, Response, \
    REASONS, HTTPException


def _headers_from_environ(environ):
    flat = []
    for key, value in environ.items():
        if key.startswith('HTTP_'):
            name = key[5:].replace('_', '-').title()
        elif key in ('CONTENT_TYPE', 'CONTENT_LENGTH') and value:
            name = key.replace('_', '-').title()
        else:
            continue
        flat.append(name)
        flat.append(_utf8_text(value))
    return flat


def _utf8_text(value):
    # WSGI gives header bytes as Latin-1 text: read them as UTF-8 instead,
    # as the built-in server does (bytes that are not UTF-8 stay as given)
    if value.isascii():
        return value
    try:
        return value.encode('latin-1').decode()
    except UnicodeError:
        return value


def _latin1_text(value):
    # the other way, for response headers: their UTF-8 bytes as the Latin-1
    # text WSGI wants
    value = str(value)
    return value if value.isascii() else value.encode().decode('latin-1')


def _target(environ):
    raw = environ.get('RAW_URI') or environ.get('REQUEST_URI')
    if raw and raw.startswith('/'):
        return raw
    path = (environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', ''))
    url = quote(path.encode('latin-1'), safe="/:@!$&'()*+,;=-._~")
    if environ.get('QUERY_STRING'):
        url += '?' + environ['QUERY_STRING']
    return url or '/'


class _InputStream:
    """request.stream under WSGI: async reads over wsgi.input, bounded by
    the declared length (or by max_content_length without one)."""

    def __init__(self, wsgi_input, data, remaining, limit):
        self.input = wsgi_input
        self.buffer = data
        self.remaining = remaining
        self.limit = limit
        self.total = len(data)

    def _take(self, n):
        if self.remaining is not None:
            n = min(n, self.remaining)
        data = self.input.read(n) if n > 0 else b''
        self._count(data, n)
        return data

    def _count(self, data, asked):
        if self.remaining is not None:
            if not data and asked > 0:
                # the client went away before the end of the declared body:
                # a short body must not pass for the whole one
                self.remaining = 0
                from microdot._errors import body_incomplete
                raise body_incomplete()
            self.remaining -= len(data)
        self.total += len(data)
        if self.total > self.limit:
            raise HTTPException(413)

    async def read(self, n=-1):
        if n < 0:
            data = self.buffer
            while True:
                chunk = self._take(65536)
                if not chunk:
                    break
                data += chunk
            self.buffer = b''
            return data
        if len(self.buffer) < n:
            self.buffer += self._take(n - len(self.buffer))
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    async def readexactly(self, n):
        data = b''
        while len(data) < n:
            chunk = await self.read(n - len(data))
            if not chunk:
                raise EOFError('body ended early')
            data += chunk
        return data

    async def readline(self):
        return await self.readuntil(b'\n')

    async def readuntil(self, separator=b'\n'):
        while separator not in self.buffer:
            size = 65536 if self.remaining is None else \
                min(65536, self.remaining)
            if size <= 0:
                break
            chunk = self.input.readline(size)
            self._count(chunk, size)
            if not chunk:
                break
            self.buffer += chunk
        i = self.buffer.find(separator)
        n = len(self.buffer) if i < 0 else i + len(separator)
        return await self.read(n)


class _ResponseIterable:
    """The WSGI response iterable: pulls chunks from the async body."""

    def __init__(self, loop, body):
        self.loop = loop
        self.body = body

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return self.loop.run_until_complete(self.body.__anext__())
        except StopAsyncIteration:
            raise StopIteration

    def close(self):
        self.loop.run_until_complete(self.body.aclose())


class Microdot(BaseMicrodot):
    """A Microdot application that is also a WSGI application: pass the
    instance to the WSGI server (``gunicorn module:app``). It takes no
    arguments; routes, hooks and extensions are set up as on the base
    :class:`microdot.Microdot`.

    Each server thread gets an asyncio event loop of its own, on which the
    request is dispatched. Request bodies up to ``Request.max_body_length``
    are read into ``request.body``; larger ones (up to
    ``Request.max_content_length``, else 413) are read on demand through
    ``request.stream``.
    """

    def __init__(self):
        super().__init__()
        self._local = threading.local()

    def _loop(self):
        loop = getattr(self._local, 'loop', None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        return loop

    def __call__(self, environ, start_response):
        """The WSGI entry point, called by the server for each request.
        Returns an iterable that produces the response body chunk by chunk
        (its ``close()`` closes the body early when the server stops
        reading)."""
        loop = self._loop()
        req, res = loop.run_until_complete(self._handle(environ))
        if res is Response.already_handled:
            # A WebSocket took the connection over and closed it: whatever
            # the server writes now fails and is dropped.
            start_response('200 OK', [])
            return []
        res.complete()
        headers = []
        for name, value in res.headers.items():
            values = value if isinstance(value, list) else (value,)
            for item in values:
                headers.append((name, _latin1_text(item)))
        reason = res.reason or REASONS.get(res.status_code, 'Unknown')
        start_response('{} {}'.format(res.status_code, reason), headers)
        body = res.body_iter()
        if req.method == 'HEAD':
            loop.run_until_complete(body.aclose())
            return []
        return _ResponseIterable(loop, body)

    async def _handle(self, environ):
        try:
            length = int(environ.get('CONTENT_LENGTH') or -1)
        except ValueError:
            length = -1
        req = Request(self, (environ.get('REMOTE_ADDR'),
                             int(environ.get('REMOTE_PORT') or 0)),
                      environ['REQUEST_METHOD'], _target(environ),
                      environ.get('SERVER_PROTOCOL', 'HTTP/1.1')[5:],
                      _headers_from_environ(environ),
                      scheme=environ.get('wsgi.url_scheme'))
        req.environ = environ
        if length > Request.max_content_length:
            return req, await self.error_response(req, 413)
        try:
            self._read_body(req, environ, length)
        except HTTPException as exc:
            return req, await self.error_response(req, exc.status_code)
        sock = environ.get('gunicorn.socket')
        if sock is not None and \
                req.headers.get('Upgrade', '').lower() == 'websocket':
            return req, await self._dispatch_upgrade(req, sock)
        return req, await self.dispatch_request(req)

    def _read_body(self, req, environ, length):
        wsgi_input = environ.get('wsgi.input')
        if length < 0 and not environ.get('wsgi.input_terminated'):
            if environ.get('HTTP_TRANSFER_ENCODING'):
                # a body without a length, on a server that does not say
                # where it ends (wsgiref): refused, not read as empty
                raise HTTPException(411)
            return
        if wsgi_input is None or length == 0:
            return
        limit = Request.max_content_length
        small = Request.max_body_length
        stream = _InputStream(wsgi_input, b'',
                              length if length >= 0 else None, limit)
        try:
            if 0 <= length <= small:
                body = b''
                while len(body) < length:
                    body += stream._take(length - len(body))
                req.body = body
                return
            data = stream._take(small + 1)
        except EOFError:  # (the handler does not run on part of a body)
            raise HTTPException(400)
        if len(data) <= small and length < 0:
            req.body = data
            return
        stream.buffer = data
        req.stream = stream

    async def _dispatch_upgrade(self, req, sock):
        # Give the handler asyncio streams over a duplicate of the socket,
        # as the built-in server does, then end the connection for good.
        dup = sock.dup()
        reader, writer = await asyncio.open_connection(sock=dup)
        req.sock = (reader, writer)
        res = await self.dispatch_request(req)
        if res is Response.already_handled:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        writer.close()
        # The duplicate shares the file status flags: give the server back
        # the blocking socket it expects.
        sock.setblocking(True)
        return res

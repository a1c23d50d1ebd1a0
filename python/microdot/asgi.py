"""ASGI 3 support: a Microdot application that ASGI servers (Uvicorn,
Hypercorn...) can run. CPython only.

Usage::

    from microdot.asgi import Microdot

    app = Microdot()

    @app.route('/')
    async def index(request):
        return 'Hello, World!'

and ``uvicorn module:app``. Handlers see the ASGI scope as
``request.asgi_scope``. HTTP request bodies up to
``Request.max_body_length`` are read into ``request.body``; larger ones
(up to ``Request.max_content_length``) stream through ``request.stream``.
Responses stream chunk by chunk; when the client disconnects, the response
body is closed (so a streaming generator or an SSE handler stops).
WebSocket routes (``microdot.websocket.with_websocket``) work unchanged.

``lifespan_startup`` and ``lifespan_shutdown`` are coroutines called with the
lifespan scope when the server starts and stops.
"""
import asyncio
from operator import itemgetter

from microdot.microdot import Microdot as BaseMicrodot, Request, Response, \
    HTTPException, MultiDict, NoCaseDict, _JSON_TYPE, _make_response
from microdot.helpers import print_exception
try:
    from microdot._cpython import install_lazy, \
        _c_args, _c_cookies  # (C builders, or None)
except ImportError:  # pragma: no cover
    install_lazy = _c_args = _c_cookies = None
from microdot import websocket as _ws


class _ASGIRequest(Request):
    """A Request built straight from an ASGI scope: only what routing needs
    is converted up front, plus one pass over the header pairs that maps
    each name to its value bytes (``_fields``). Header values are decoded
    when something reads them: a single header (the cookies, the content
    type) without building ``headers``. ``args``, ``cookies``, ``url``,
    ``client_addr`` and ``scheme`` are computed on first read, here rather
    than in Request where the scope gives a shorter way."""

    _raw_headers = None  # (Request's flat list: never used here)

    def __init__(self, app, scope, method):
        self.app = app
        self.asgi_scope = scope
        if method != 'GET':
            self.method = method
        try:  # (one C call when the server gives all four)
            version, raw_path, query, pairs = _scope_items(scope)
        except KeyError:
            version, raw_path, query, pairs = map(scope.get, _SCOPE_KEYS)
        if version and version != '1.1':
            self.http_version = version
        path = _paths.get(raw_path)
        self.path = path if path is not None else _path_of(scope, raw_path)
        if query:
            self.query_string = query.decode('latin-1')
        pairs = pairs or ()
        self._pairs = pairs
        self._fields = _fields_of(pairs)

    def _lazy(self, name):
        if name == 'headers':
            value = _scope_headers(self._fields, self._pairs)
        elif name == 'url':
            query = self.query_string
            value = self.path + '?' + query if query else self.path
        elif name == 'args' and self.query_string:
            value = None
            if _c_args is not None:
                value = _c_args(MultiDict, self.query_string)
            if value is None:
                value = _plain_query(self.query_string)
            if value is None:
                return Request._lazy(self, name)
        elif name == 'cookies':
            header = self._header('cookie', '; ')
            value = None
            if header and _c_cookies is not None:
                value = _c_cookies(header)  # (None: not a plain value)
            if value is None:
                value = _parse_cookies(header) if header else {}
        elif name == 'client_addr':
            value = self.asgi_scope.get('client')
            if value is not None:
                value = tuple(value)
        elif name == 'scheme':
            value = self.asgi_scope.get('scheme') or 'http'
        else:
            return Request._lazy(self, name)
        setattr(self, name, value)
        return value

    def _header(self, lower_name, separator=', '):
        if 'headers' in self.__dict__:  # built (or set by the app)
            return Request._header(self, lower_name, separator)
        fields = self._fields
        if fields is not None:
            value = fields.get(lower_name)
            return value if value is None else _text(value)
        key = lower_name.encode()
        size = len(key)
        value = None
        for name, text in self._pairs:
            if name == key or (len(name) == size and name.lower() == key):
                text = _text(text)
                value = text if value is None else value + separator + text
        return value


_SCOPE_KEYS = ('http_version', 'raw_path', 'query_string', 'headers')
_scope_items = itemgetter(*_SCOPE_KEYS)
_paths = {}  # raw_path (bytes) -> path (str), for the latest paths
_PATHS_MAX = 256


def _path_of(scope, raw_path):
    """request.path: the raw path as sent (percent-escapes kept)."""
    if not raw_path:
        from urllib.parse import quote
        return quote(scope.get('root_path', '') + scope['path'])
    path = raw_path.decode('latin-1')
    if '?' in path:  # some servers include the query
        path = path[:path.find('?')]
    if len(_paths) >= _PATHS_MAX:
        _paths.clear()
    _paths[raw_path] = path
    return path


if install_lazy is not None:
    # read from the scope on first use: most handlers never do
    install_lazy(_ASGIRequest, ('client_addr', 'scheme'))


class _BodyStream:
    """request.stream under ASGI: reads http.request messages on demand."""

    def __init__(self, receive, data=b'', more=True, limit=None):
        self.receive = receive
        self.buffer = data
        self.more = more
        self.limit = limit
        self.total = len(data)

    async def _fill(self):
        message = await self.receive()
        if message['type'] == 'http.disconnect':
            # (as on the built-in server: a body cut short is an error, not
            # a shorter body)
            self.more = False
            from microdot._errors import body_incomplete
            raise body_incomplete()
        chunk = message.get('body', b'')
        self.total += len(chunk)
        if self.limit is not None and self.total > self.limit:
            self.more = False
            raise HTTPException(413)
        self.buffer += chunk
        self.more = message.get('more_body', False)

    async def read(self, n=-1):
        while self.more and (n < 0 or len(self.buffer) < n):
            await self._fill()
        if n < 0:
            n = len(self.buffer)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    async def readexactly(self, n):
        data = await self.read(n)
        if len(data) < n:
            raise EOFError('body ended early')
        return data

    async def readline(self):
        return await self.readuntil(b'\n')

    async def readuntil(self, separator=b'\n'):
        while self.more and separator not in self.buffer:
            await self._fill()
        i = self.buffer.find(separator)
        n = len(self.buffer) if i < 0 else i + len(separator)
        return await self.read(n)


class ASGIWebSocket(_ws.WebSocket):
    """The WebSocket a ``with_websocket`` handler receives under ASGI.

    It has the interface of :class:`microdot.websocket.WebSocket`, but the
    ASGI server parses and builds the frames and answers pings: this class
    only exchanges ``websocket.*`` messages with it. Handlers do not create
    it; the application does when a WebSocket route is dispatched.
    """

    def __init__(self, request, receive, send):
        self.request = request
        self._receive = receive
        self._send = send
        self.closed = None
        self.connected = False

    async def handshake(self):
        """Waits for the client's ``websocket.connect`` message and accepts
        the connection. Called by ``with_websocket`` before the handler.

        :raises microdot.websocket.ConnectionClosed: the client left before
            the handshake (close code 1006).
        """
        message = await self._receive()
        self.connected = True
        if message['type'] != 'websocket.connect':
            self.closed = _ws.ConnectionClosed(_ws.CLOSE_ABNORMAL,
                                               'connection lost')
            raise self.closed
        await self._send({'type': 'websocket.accept'})

    async def receive(self):
        """Waits for the next message.

        :return: a ``str`` for a text message, ``bytes`` for a binary one.
        :raises microdot.websocket.ConnectionClosed: the client closed the
            connection or went away (``code`` and ``reason`` say how), or the
            message was larger than ``max_message_size`` (the connection is
            then closed with code 1009).
        """
        if self.closed is not None:
            raise self.closed
        message = await self._receive()
        if message['type'] == 'websocket.disconnect':
            self.closed = _ws.ConnectionClosed(
                message.get('code', _ws.CLOSE_NO_STATUS),
                message.get('reason') or '')
            raise self.closed
        data = message.get('text')
        if data is None:
            data = message.get('bytes')
        limit = self.max_message_size  # (bytes; 0 or None: no limit)
        if limit and len(data) * 4 > limit and \
                len(data if type(data) is bytes else data.encode()) > limit:
            await self.close(_ws.CLOSE_TOO_BIG)
            raise self.closed
        return data

    async def send(self, data, opcode=None):
        """Sends a message: a text message for ``str``, a binary one for
        bytes-like data. ``opcode=OP_BINARY`` sends a ``str`` as binary
        (UTF-8 encoded), and ``opcode=OP_TEXT`` bytes as text.

        :raises microdot.websocket.ConnectionClosed: the connection is closed
            or the server could not deliver the message.
        :raises UnicodeError: bytes to send as text are not UTF-8.
        """
        if self.closed is not None:
            raise self.closed
        if isinstance(data, str):
            if opcode == _ws.OP_BINARY:
                data = data.encode()
        elif opcode == _ws.OP_TEXT:  # (ASGI carries text as str)
            data = bytes(data).decode()
        key = 'text' if isinstance(data, str) else 'bytes'
        if key == 'bytes':
            data = bytes(data)
        await self._transmit({'type': 'websocket.send', key: data})

    async def close(self, code=_ws.CLOSE_NORMAL, reason=''):
        """Asks the server to close the connection with ``code`` and
        ``reason``. Closing an already closed WebSocket does nothing, and so
        does a failure to deliver the close (the client is gone)."""
        if self.closed is not None:
            return
        self.closed = _ws.ConnectionClosed(code, reason)
        try:
            await self._send({'type': 'websocket.close', 'code': code,
                              'reason': reason})
        except Exception:
            pass

    async def _transmit(self, message):
        try:
            await self._send(message)
        except Exception:  # the server's "client disconnected" error
            self.closed = _ws.ConnectionClosed(_ws.CLOSE_ABNORMAL,
                                               'connection lost')
            raise self.closed


class Microdot(BaseMicrodot):
    """A Microdot application that is also an ASGI 3 application: pass the
    instance to the ASGI server (``uvicorn module:app``).

    :param lifespan_startup: a function (``async def`` or ``def``) called
        with the lifespan scope when the server starts, or ``None``. If it
        raises, the server is told that startup failed.
    :param lifespan_shutdown: the same, called when the server stops.

    Example::

        async def open_db(scope):
            ...

        async def close_db(scope):
            ...

        app = Microdot(lifespan_startup=open_db, lifespan_shutdown=close_db)
    """

    def __init__(self, lifespan_startup=None, lifespan_shutdown=None):
        super().__init__()
        self.lifespan_startup = lifespan_startup
        self.lifespan_shutdown = lifespan_shutdown

    async def __call__(self, scope, receive, send):
        """The ASGI entry point, called by the server for each ``http``,
        ``websocket`` and ``lifespan`` scope."""
        kind = scope['type']
        if kind != 'http':
            if kind == 'websocket':
                await self._websocket(scope, receive, send)
            elif kind == 'lifespan':
                await self._lifespan(scope, receive, send)
            return
        # HTTP, the hot path: kept in this one coroutine.
        method = scope['method']
        req = _ASGIRequest(self, scope, method)
        res = status = None
        fields = req._fields  # (no body: the usual case, checked inline)
        if (fields is None or 'content-length' in fields or
                'transfer-encoding' in fields or
                req.http_version not in _HTTP1) and _may_have_body(req):
            error = await self._read_body(req, receive)
            if error is not None:
                res = await self.error_response(req, error)
        else:
            # A route without components, async and without request hooks,
            # answered without dispatch_request's layers (what it would do
            # for such a route, in the same order); a str answer goes out
            # without making a Response.
            route = self._router
            if route is not None:
                route = route[1].get(req.path)
            if route is not None and method in route[0].methods:
                route = route[0]
                if route.is_async and not route.local_apps and \
                        route.subapp is None and \
                        not self.before_request_handlers and \
                        not self.after_request_handlers and \
                        type(self).dispatch_request is _DISPATCH:
                    req.route = route.handler
                    try:
                        value = await route.handler(req)
                        if type(value) is not str or \
                                req.after_request_handlers:
                            res = _make_response(value)
                            if req.after_request_handlers:
                                res = await self._after(
                                    req, res, req.after_request_handlers)
                    except Exception as exc:
                        from microdot._errors import handle_exception
                        res = await handle_exception(self, req, exc, (self,))
                    if res is None:
                        status = 200
                        answer = _answer
                        if value is answer[0] and answer[3] is \
                                Response.default_content_type:
                            value = answer[1]  # (the same str again)
                            headers = [answer[2], answer[4]]
                        else:
                            value, headers = _str_answer(value)
                        if method == 'HEAD':
                            value = b''
        if res is None and status is None:
            res = await self.dispatch_request(req)
        if res is not None:
            if res is Response.already_handled:
                return
            value = res.body
            if type(value) is not bytes:
                if not isinstance(value, (bytes, bytearray)):
                    await self._send_stream(req, res, send, receive)
                    return
                value = bytes(value)
            status = res.status_code
            headers = _whole_headers(res, value)
            if req.method == 'HEAD':
                value = b''
        # A body in memory goes in one message: no task watches for a
        # disconnect, as there is nothing left to stop once it is sent.
        try:
            await send({'type': 'http.response.start', 'status': status,
                        'headers': headers})
            await send({'type': 'http.response.body', 'body': value})
        except OSError:  # the client is gone
            pass
        except Exception as exc:
            print_exception(exc)

    # -- lifespan ----------------------------------------------------------

    async def _lifespan(self, scope, receive, send):
        while True:
            message = await receive()
            phase = message['type'][len('lifespan.'):]
            hook = self.lifespan_startup if phase == 'startup' \
                else self.lifespan_shutdown
            try:
                if hook is not None:
                    result = hook(scope)
                    if hasattr(result, '__await__'):  # (a def hook: none)
                        await result
            except Exception as exc:
                print_exception(exc)
                await send({'type': 'lifespan.' + phase + '.failed',
                            'message': str(exc)})
                return
            await send({'type': 'lifespan.' + phase + '.complete'})
            if phase == 'shutdown':
                return

    # -- HTTP --------------------------------------------------------------

    async def _read_body(self, req, receive):
        """Reads a small body into req.body, or gives a large one to
        req.stream. Returns an error status, or None."""
        length = req.content_length
        limit = Request.max_content_length
        if length and length > limit:
            return 413
        data = b''
        more = True
        while more and len(data) <= Request.max_body_length:
            message = await receive()
            if message['type'] == 'http.disconnect':
                return 400
            data += message.get('body', b'')
            more = message.get('more_body', False)
            if len(data) > limit:
                return 413
        # (a body over max_body_length is streamed even when it came in one
        # message, as on the other servers: where it lands must not depend
        # on how the ASGI server split it)
        if more or len(data) > Request.max_body_length:
            req.stream = _BodyStream(receive, data, more, limit)
        else:
            req.body = data
        return None

    async def _send_stream(self, req, res, send, receive):
        res.complete()
        body = res.body_iter()
        sender = asyncio.ensure_future(
            self._stream_response(req, res, body, send))
        watcher = asyncio.ensure_future(_wait_disconnect(receive))
        try:
            await asyncio.wait((sender, watcher),
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sender, watcher):
                if not task.done():
                    task.cancel()
                    try:
                        await task
                    except BaseException:
                        pass
            await body.aclose()
        if sender.done() and not sender.cancelled() and sender.exception():
            exc = sender.exception()
            if not isinstance(exc, OSError):
                print_exception(exc)

    async def _stream_response(self, req, res, body, send):
        await send({'type': 'http.response.start',
                    'status': res.status_code,
                    'headers': _response_headers(res)})
        if req.method != 'HEAD':
            async for chunk in body:
                if chunk:
                    await send({'type': 'http.response.body', 'body': chunk,
                                'more_body': True})
                    # a server's send() may not suspend (uvicorn's ignores a
                    # gone client): one loop turn per chunk lets the
                    # disconnect watcher end an endless stream
                    await asyncio.sleep(0)
        await send({'type': 'http.response.body', 'body': b'',
                    'more_body': False})

    # -- WebSocket ---------------------------------------------------------

    async def _websocket(self, scope, receive, send):
        req = _ASGIRequest(self, scope, 'GET')
        sockets = []

        def factory(req):
            sockets.append(ASGIWebSocket(req, receive, send))
            return sockets[-1]

        req.websocket_factory = factory
        try:
            res = await self.dispatch_request(req)
        except _ws.WebSocketError:  # the client left during the handshake
            return
        if res is Response.already_handled or \
                (sockets and sockets[0].connected):
            return
        # The route did not accept the connection: reject the handshake,
        # with the HTTP response if the server can send one.
        message = await receive()
        if message['type'] != 'websocket.connect':
            return
        if 'websocket.http.response' in scope.get('extensions', {}):
            await self._send_denial(res, send)
        else:
            await send({'type': 'websocket.close', 'code': 1008})

    async def _send_denial(self, res, send):
        res.complete()
        body = b''
        async for chunk in res.body_iter():
            body += chunk
        await send({'type': 'websocket.http.response.start',
                    'status': res.status_code,
                    'headers': _response_headers(res)})
        await send({'type': 'websocket.http.response.body', 'body': body})


_DISPATCH = BaseMicrodot.dispatch_request
_HTTP1 = ('1.1', '1.0')


# The latest short str answer: [the str, its body, its Content-Length
# header, Response.default_content_type then, the Content-Type header]
_answer = [None, None, None, None, None]


def _str_answer(text):
    """The body and ASGI headers of a handler's str answer (what
    Response(text) and _whole_headers() give)."""
    body = text.encode()
    length = (b'content-length', b'%d' % len(body))
    default = Response.default_content_type
    content_type = (b'content-type', _default_type(Response))
    if len(text) <= 256:  # (a handler's constant, most likely)
        _answer[:] = text, body, length, default, content_type
    return body, [length, content_type]


def _may_have_body(req):
    # HTTP/1.x frames a request body with Content-Length or
    # Transfer-Encoding (RFC 9112, 6.3): without either, or with a length of
    # 0, there is nothing to receive, and ASGI lets the app skip reading it.
    # Other versions (HTTP/2) need no header for a body: always read.
    if req.http_version not in _HTTP1:
        return True
    fields = req._fields
    if fields is not None:
        if 'transfer-encoding' in fields:
            return True
        value = fields.get('content-length')
        return value is not None and not (value.isdigit() and int(value) == 0)
    for name, value in req._pairs:
        if len(name) in (14, 17):
            name = name.lower()
            if name == b'transfer-encoding' or (
                    name == b'content-length' and
                    not (value.isdigit() and int(value) == 0)):
                return True
    return False


# Header names as bytes -> as str, learnt from requests (only lower-case
# names, as ASGI servers send them); bounded, so clients cannot grow it.
_names = {}
_NAMES_MAX = 128
_name_of = itemgetter(0)


def _fields_of(pairs):
    """The scope's headers as {lower-case name (str): value (bytes)}, made
    in one pass over them: what a single header read, the check for a body
    and the ``headers`` dict start from. None when a name repeats or is not
    in lower case (as ASGI servers should send them), or the name cache is
    full: those requests take loops over the pairs."""
    fields = {}
    names = _names
    try:
        for name, value in pairs:
            fields[names[name]] = value
    except KeyError:  # a name not seen yet
        if not _learn_names(pairs):
            return None
        return _fields_of(pairs)
    return fields if len(fields) == len(pairs) else None


def _learn_names(pairs):
    """Adds the header names of ``pairs`` to the cache; False when one is
    not in lower case or the cache is full."""
    for name, _ in pairs:
        if name not in _names:
            text = name.decode('latin-1')
            if text != text.lower() or len(_names) >= _NAMES_MAX:
                return False
            _names[name] = text
    return True


def _text(value):
    """A header value (bytes) as text, decoded as the built-in server does
    (UTF-8), so that a value reads the same on every server; bytes that are
    not UTF-8 (which the built-in server refuses with 400, but the ASGI
    server let through) are read as Latin-1."""
    try:
        return value.decode()
    except UnicodeError:
        return value.decode('latin-1')


_utf8 = bytes.decode


def _scope_headers(fields, pairs):
    """The request's headers (a NoCaseDict)."""
    headers = NoCaseDict()
    if fields is None:  # a repeated name (values joined), another case...
        headers._fill([_text(text) for pair in pairs for text in pair])
        return headers
    try:  # (the values decoded in C when all are UTF-8)
        dict.update(headers, zip(fields, map(_utf8, fields.values())))
    except (UnicodeError, TypeError):  # (TypeError: not bytes)
        dict.update(headers, [(name, _text(value))
                              for name, value in fields.items()])
    # NoCaseDict's lower case -> key map: here the identity
    headers._k = dict(zip(fields, fields))
    return headers


def _plain_query(query):
    """request.args of a query string with nothing to decode (no '%' or
    '+') and no repeated name, or None for the general way (the backend's
    parse_query, which this agrees with)."""
    if '%' in query or '+' in query:
        return None
    fields = {}
    for pair in query.split('&'):
        if pair:
            name, _, value = pair.partition('=')
            if name in fields:
                return None
            fields[name] = value
    args = MultiDict()
    dict.update(args, fields)
    return args


def _parse_cookies(header):
    """request.cookies from the Cookie header: the rules of the backend's
    parse_cookies (name=value pairs split at ';', trimmed of spaces and
    tabs, pairs without '=' left out), the first value of a repeated name
    kept."""
    cookies = {}
    for pair in header.split(';'):
        name, eq, value = pair.partition('=')
        if eq:
            name = name.strip(' \t')
            if name not in cookies:
                cookies[name] = value.strip(' \t')
    return cookies


# default Content-Type (str) -> its header value as bytes
_type_cache = [None, None]
# response header name (str) -> lower-case bytes; bounded
_response_names = {}
_JSON_HEADER = (b'content-type', _JSON_TYPE.encode())


def _default_type(res):
    """The Content-Type (bytes) of ``res``, a response that sets none, or
    of a str answer for ``res`` the Response class."""
    default = res.default_content_type
    if default != _type_cache[0]:
        _type_cache[1] = (res._content_type() if res is not Response
                          else Response._content_type(res)).encode()
        _type_cache[0] = default
    return _type_cache[1]


def _whole_headers(res, body):
    """The ASGI headers of a response whose body is in memory: its headers
    and the Content-Length and default Content-Type that
    ``Response.complete()`` would add, without changing ``res.headers``."""
    headers = res.headers
    status = res.status_code
    if status < 200 or status == 204 or status == 304:
        return _response_headers(res) if headers else []
    length = (b'content-length', b'%d' % len(body))
    if not headers:  # the usual cases: no headers, or only the JSON type
        return [length, (b'content-type', _default_type(res))]
    if len(headers) == 1 and dict.get(headers, 'Content-Type') == _JSON_TYPE:
        return [_JSON_HEADER, length]
    out = _response_headers(res)
    names = set(map(_name_of, out))
    if b'content-length' not in names:
        out.append(length)
    if b'content-type' not in names:
        out.append((b'content-type', _default_type(res)))
    return out


def _response_headers(res):
    # ASGI wants the names lower-cased; values are sent in UTF-8, as the
    # built-in server sends them.
    headers = []
    for name, value in res.headers.items():
        lower = _response_names.get(name)
        if lower is None:
            lower = name.lower().encode('latin-1')
            if len(_response_names) < _NAMES_MAX:
                _response_names[name] = lower
        if isinstance(value, list):
            for item in value:
                headers.append((lower, str(item).encode()))
        else:
            headers.append((lower, (value if type(value) is str
                                    else str(value)).encode()))
    return headers


async def _wait_disconnect(receive):
    while True:
        message = await receive()
        if message['type'] == 'http.disconnect':
            return

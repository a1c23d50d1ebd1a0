"""Microdot: the impossibly small web framework, for CPython and MicroPython.

The public names of the 2.x guide live here: Microdot, Request, Response,
URLPattern, MultiDict, NoCaseDict, HTTPException, abort, redirect, send_file.
HTTP parsing, routing and URL decoding are done by the backend
(``microdot._backend``); the connection loop of the built-in server is in
``microdot._server``.
"""
import asyncio
import json
import sys

from microdot._backend import backend
from microdot.helpers import iscoroutinefunction, print_exception, \
    format_exception

try:
    import os
except ImportError:  # pragma: no cover
    os = None

_MICROPYTHON = sys.implementation.name == 'micropython'

REASONS = {
    100: 'Continue', 101: 'Switching Protocols', 200: 'OK', 201: 'Created',
    202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
    205: 'Reset Content', 206: 'Partial Content', 300: 'Multiple Choices',
    301: 'Moved Permanently', 302: 'Found', 303: 'See Other',
    304: 'Not Modified', 307: 'Temporary Redirect',
    308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized',
    402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
    405: 'Method Not Allowed', 406: 'Not Acceptable',
    408: 'Request Timeout', 409: 'Conflict', 410: 'Gone',
    411: 'Length Required', 412: 'Precondition Failed',
    413: 'Payload Too Large', 414: 'URI Too Long',
    415: 'Unsupported Media Type', 416: 'Range Not Satisfiable',
    417: 'Expectation Failed', 418: "I'm a teapot", 422: 'Unprocessable Entity',
    426: 'Upgrade Required', 428: 'Precondition Required',
    429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
    500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway',
    503: 'Service Unavailable', 504: 'Gateway Timeout',
    505: 'HTTP Version Not Supported',
}


def _reason(status_code):
    return REASONS.get(status_code, 'N/A')


_MISSING = object()


class NoCaseDict(dict):
    """A dict whose string keys are case-insensitive. Iteration gives each key
    with the case of its first insertion."""

    # lower-case key -> key as inserted, for the keys that are str. None
    # until a lookup needs it (lookups of a key in the case it was inserted
    # in, the usual case, do not): then derived from the keys, which are
    # never case variants of each other.
    _k = None

    def __init__(self, initial=None):
        super().__init__()
        if initial:
            items = initial.items() if hasattr(initial, 'items') else initial
            for key, value in items:
                self[key] = value

    @classmethod
    def _from_flat(cls, flat):
        """From a flat [name, value, ...] list of str (request headers): a
        repeated name gets its values joined with ", " as RFC 9110 allows."""
        d = cls()
        d._fill(flat)
        return d

    def _fill(self, flat):
        keys = {}
        for i in range(0, len(flat), 2):
            name = flat[i]
            lower = name.lower()
            key = keys.get(lower)
            if key is None:
                keys[lower] = name
                super().__setitem__(name, flat[i + 1])
            else:
                super().__setitem__(key, super().__getitem__(key) + ', ' +
                                    flat[i + 1])
        self._k = keys

    def _keys(self):
        keys = self._k
        if keys is None:
            keys = self._k = {}
            for key in super().keys():
                if isinstance(key, str):
                    keys[key.lower()] = key
        return keys

    def _key(self, key):
        if not isinstance(key, str) or \
                super().get(key, _MISSING) is not _MISSING:
            return key
        return self._keys().get(key.lower(), key)

    def __setitem__(self, key, value):
        if isinstance(key, str) and (self._k is not None or (
                len(self) and super().get(key, _MISSING) is _MISSING)):
            key = self._keys().setdefault(key.lower(), key)
        super().__setitem__(key, value)

    def __getitem__(self, key):
        return super().__getitem__(self._key(key))

    def _set_new(self, key, value):
        """Adds a str key known to be absent in every case (no lookup)."""
        if self._k is not None:
            self._k[key.lower()] = key
        super().__setitem__(key, value)

    def __delitem__(self, key):
        key = self._key(key)
        super().__delitem__(key)
        if isinstance(key, str) and self._k is not None:
            del self._k[key.lower()]

    def __contains__(self, key):
        return super().get(self._key(key), _MISSING) is not _MISSING

    def get(self, key, default=None):
        """Returns the value of ``key`` in any letter case, or ``default``
        when the dict has no such key.

        Example::

            headers = NoCaseDict({'Content-Type': 'text/plain'})
            headers.get('content-type')  # 'text/plain'
        """
        return super().get(self._key(key), default)

    def setdefault(self, key, default=None):
        """Returns the value of ``key`` in any letter case; when the dict
        has no such key, first adds it with the value ``default``."""
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key, *default):
        """Removes ``key`` (in any letter case) and returns its value.

        :param key: the key to remove.
        :param default: optional, returned when the key is missing.
        :return: the value the key had, or ``default``.
        :raises KeyError: the key is missing and no default was given.
        """
        key = self._key(key)
        if isinstance(key, str) and self._k is not None and \
                super().get(key, _MISSING) is not _MISSING:
            del self._k[key.lower()]
        return super().pop(key, *default)

    def update(self, other=(), **kwargs):
        """Sets every key of ``other`` (a dict or an iterable of (key,
        value) pairs) and then of the keyword arguments. A key that matches
        an existing one in another letter case replaces its value and keeps
        the existing spelling."""
        items = other.items() if hasattr(other, 'items') else other
        for key, value in items:
            self[key] = value
        for key, value in kwargs.items():
            self[key] = value

    def copy(self):
        """Returns a shallow copy, also a :class:`NoCaseDict`."""
        return NoCaseDict(self)

    def clear(self):
        """Removes every key."""
        super().clear()
        self._k = None


class MultiDict(dict):
    """A dict that can hold several values per key. ``d[key]`` and ``get()``
    give the first value, ``getlist()`` all of them."""

    def __init__(self, initial=None):
        super().__init__()
        self._more = None
        if initial:
            items = initial.items() if hasattr(initial, 'items') else initial
            for key, value in items:
                self.add(key, value)

    def __setitem__(self, key, value):
        if self._more and key in self._more:
            del self._more[key]
        super().__setitem__(key, value)

    def __delitem__(self, key):
        super().__delitem__(key)
        if self._more and key in self._more:
            del self._more[key]

    def add(self, key, value):
        """Adds a value to a key, keeping the ones it already has."""
        if key in self:
            if self._more is None:
                self._more = {}
            self._more.setdefault(key, []).append(value)
        else:
            super().__setitem__(key, value)

    def get(self, key, default=None, type=None):
        """Returns the first value of ``key``, or ``default`` when it has
        none.

        :param key: the key to look up.
        :param default: returned when the key is missing or its value
                        cannot be converted.
        :param type: optional callable (such as ``int``) that converts the
                     value; a ``TypeError`` or ``ValueError`` from it gives
                     ``default``.
        :return: the (converted) first value, or ``default``.

        Example, for the query string ``page=2&page=3&size=x``::

            request.args.get('page', type=int)            # 2
            request.args.get('size', 10, type=int)        # 10
        """
        if key not in self:
            return default
        value = self[key]
        if type is not None:
            try:
                value = type(value)
            except (TypeError, ValueError):
                return default
        return value

    def getlist(self, key, type=None):
        """All the values of a key (an empty list when it has none)."""
        if key not in self:
            return []
        values = [self[key]]
        if self._more and key in self._more:
            values += self._more[key]
        if type is not None:
            out = []
            for value in values:
                try:
                    out.append(type(value))
                except (TypeError, ValueError):
                    pass
            values = out
        return values

    @classmethod
    def _from_flat(cls, flat):
        d = cls()
        for i in range(0, len(flat), 2):
            d.add(flat[i], flat[i + 1])
        return d


class _G:
    pass


class AsyncBytesIO:
    """An in-memory body with the reading interface of ``Request.stream``."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    async def read(self, n=-1):
        """Reads up to ``n`` bytes, or all the rest when ``n`` is negative.

        :param n: the most bytes to return.
        :return: the bytes read; empty at the end of the data.
        """
        if n < 0:
            n = len(self.data) - self.pos
        data = self.data[self.pos:self.pos + n]
        self.pos += len(data)
        return data

    async def readexactly(self, n):
        """Reads exactly ``n`` bytes.

        :param n: the number of bytes to return.
        :return: the bytes read.
        :raises EOFError: fewer than ``n`` bytes were left (they are
                          consumed all the same).
        """
        data = await self.read(n)
        if len(data) < n:
            raise EOFError()
        return data

    async def readline(self):
        """Reads one line, up to and including ``b'\\n'``; the last line
        may come without it. Returns empty bytes at the end of the data.

        Example::

            while True:
                line = await request.stream.readline()
                if not line:
                    break
        """
        end = self.data.find(b'\n', self.pos)
        end = len(self.data) if end < 0 else end + 1
        return await self.read(end - self.pos)

    async def readuntil(self, separator=b'\n'):
        """Reads up to and including the next ``separator``.

        :param separator: the bytes that end the read.
        :return: the bytes read, ``separator`` included.
        :raises EOFError: the separator does not occur in the rest of the
                          data (which is then left unread).
        """
        end = self.data.find(separator, self.pos)
        if end < 0:
            raise EOFError()
        return await self.read(end + len(separator) - self.pos)


class HTTPException(Exception):
    """Raised (usually through :func:`abort`) to answer with an HTTP error."""

    def __init__(self, status_code, reason=None):
        super().__init__(status_code, reason)
        self.status_code = status_code
        self.reason = reason or _reason(status_code)

    def __repr__(self):  # pragma: no cover
        return 'HTTPException: {}'.format(self.status_code)


def abort(status_code, reason=None):
    """Stops the request, answering with the given status code."""
    raise HTTPException(status_code, reason)


def _http_error(exc):
    """A backend ``ValueError(code, message)`` as an HTTPException."""
    code = exc.args[0] if exc.args else 400
    if not isinstance(code, int) or code < 400 or code > 599:
        code = 400
    return HTTPException(code)


class Request:
    """An HTTP request. Handlers receive one as their first argument."""

    #: Largest request body accepted, in bytes (larger gives 413).
    max_content_length = 16 * 1024
    #: Largest body loaded into ``body``; larger ones are read from ``stream``.
    max_body_length = 16 * 1024
    #: Longest request line (414) and header line (431), in bytes.
    max_readline = 2 * 1024
    #: Longest request head (request line and all headers), in bytes (431).
    max_head_length = 16 * 1024
    #: Most header fields in a request (431).
    max_headers = 64

    after_request_handlers = ()

    # Defaults shared by every request: __init__ stores only what differs,
    # which keeps a Request small (it is made for every request, and RAM is
    # what MicroPython boards run out of).
    client_addr = None
    query_string = None
    body = b''
    sock = None
    url_prefix = ''
    subapp = None
    scheme = 'http'
    route = None
    url_args = None
    _raw_headers = None
    _headers = _stream = _args = _cookies = _json = _form = _files = \
        _g = None

    def __init__(self, app, client_addr, method, url, http_version, headers,
                 body=None, stream=None, sock=None, url_prefix='',
                 subapp=None, scheme=None, route=None):
        self.app = app
        self.method = method
        self.url = url
        i = url.find('?')
        if i < 0:
            self.path = url
        else:
            self.path = url[:i]
            self.query_string = url[i + 1:]
        self.http_version = http_version
        if isinstance(headers, list):
            self._raw_headers = headers  # flat [name, value, ...], parsed lazily
        else:
            self._headers = headers if isinstance(headers, NoCaseDict) \
                else NoCaseDict(headers)
        if client_addr is not None:
            self.client_addr = client_addr
        if body is not None:
            self.body = body
        if stream is not None:
            self._stream = stream
        if sock is not None:
            self.sock = sock
        if url_prefix:
            self.url_prefix = url_prefix
        if subapp is not None:
            self.subapp = subapp
        if scheme and scheme != 'http':
            self.scheme = scheme
        if route is not None:
            self.route = route

    @property
    def headers(self):
        """The request headers, as a :class:`NoCaseDict` (names are
        case-insensitive). A header sent more than once has its values
        joined with ``', '``. Built on first access.

        Example::

            agent = request.headers.get('User-Agent', 'unknown')
        """
        if self._headers is None:
            self._headers = NoCaseDict._from_flat(self._raw_headers)
        return self._headers

    def _header(self, lower_name, separator=', '):
        """One header's value (repeats joined), without building
        ``headers`` when it was not asked for yet."""
        headers = self._headers
        if headers is not None:
            if isinstance(headers, NoCaseDict):
                return headers.get(lower_name)
            for name in headers:
                if name.lower() == lower_name:
                    return headers[name]
            return None
        raw = self._raw_headers
        value = None
        size = len(lower_name)
        for i in range(0, len(raw), 2):
            name = raw[i]
            if len(name) == size and name.lower() == lower_name:
                value = raw[i + 1] if value is None else \
                    value + separator + raw[i + 1]
        return value

    @headers.setter
    def headers(self, value):
        self._headers = value

    @property
    def args(self):
        """The arguments of the query string, URL-decoded, as a
        :class:`MultiDict` (empty when there is no query string). Parsed on
        first access; a query string that does not decode to valid UTF-8
        aborts the request with a 400 error.

        Example, for ``/search?q=dot&page=2``::

            query = request.args.get('q')
            page = request.args.get('page', 1, type=int)
        """
        if self._args is None:
            if self.query_string:
                try:
                    flat = backend.parse_query(self.query_string)
                except ValueError as exc:
                    raise _http_error(exc)
                self._args = MultiDict._from_flat(flat)
            else:
                self._args = MultiDict()
        return self._args

    @args.setter
    def args(self, value):
        self._args = value

    @property
    def cookies(self):
        """The cookies sent by the client, as a dict of name to value (both
        str). When a name appears more than once, its first value is kept.
        Parsed on first access.

        Example::

            theme = request.cookies.get('theme', 'light')
        """
        if self._cookies is None:
            cookies = {}
            header = self._header('cookie', '; ')
            if header:
                flat = backend.parse_cookies(header)
                for i in range(0, len(flat), 2):
                    cookies.setdefault(flat[i], flat[i + 1])
            self._cookies = cookies
        return self._cookies

    @cookies.setter
    def cookies(self, value):
        self._cookies = value

    @property
    def content_type(self):
        """The value of the ``Content-Type`` header as sent, parameters
        included (such as ``'application/json; charset=utf-8'``), or None
        when the request has none."""
        return self._header('content-type')

    @property
    def content_length(self):
        """The value of the ``Content-Length`` header as an int; 0 when the
        request has none (a chunked body, or no body at all)."""
        length = self._header('content-length')
        return int(length) if length and length.isdigit() else 0

    def _media_type(self):
        content_type = self.content_type
        if not content_type:
            return None
        return content_type.split(';', 1)[0].strip().lower()

    @property
    def json(self):
        """The JSON body, or None if the request is not application/json."""
        if self._json is None:
            if self._media_type() != 'application/json' or not self.body:
                return None
            try:
                self._json = json.loads(self.body)
            except (ValueError, UnicodeError):
                raise HTTPException(400, 'Invalid JSON')
        return self._json

    @json.setter
    def json(self, value):
        self._json = value

    @property
    def form(self):
        """The urlencoded form in the body as a MultiDict, or None."""
        if self._form is None:
            if self._media_type() != 'application/x-www-form-urlencoded':
                return None
            try:
                flat = backend.parse_query(self.body)
            except ValueError as exc:
                raise _http_error(exc)
            self._form = MultiDict._from_flat(flat)
        return self._form

    @form.setter
    def form(self, value):
        self._form = value

    @property
    def files(self):
        """File uploads, set by the multipart extension."""
        return self._files

    @files.setter
    def files(self, value):
        self._files = value

    @property
    def stream(self):
        """The body as a stream with async read(n), readexactly(n) and
        readline(); the only way to reach bodies over max_body_length."""
        if self._stream is None:
            self._stream = AsyncBytesIO(self.body)
        return self._stream

    @stream.setter
    def stream(self, value):
        self._stream = value

    @property
    def g(self):
        """An empty object, private to this request, on which handlers can
        set attributes to pass data along: for example, a
        ``before_request`` handler stores the current user and the route
        handler reads it.

        Example::

            @app.before_request
            async def load_user(request):
                request.g.user = find_user(request.cookies.get('user_id'))

            @app.get('/me')
            async def me(request):
                return {'name': request.g.user.name}
        """
        if self._g is None:
            self._g = _G()
        return self._g

    @g.setter
    def g(self, value):
        self._g = value

    def after_request(self, f):
        """Registers a handler called after this request only (decorator)."""
        if not isinstance(self.after_request_handlers, list):
            self.after_request_handlers = []
        self.after_request_handlers.append(f)
        return f


def _check_header_text(text):
    if '\r' in text or '\n' in text or '\0' in text:
        raise ValueError('header text must not contain CR, LF or NUL')


class _BodyIter:
    """Async iterator over the body of a Response, as bytes chunks."""

    def __init__(self, body, buffer_size):
        self.body = body
        self.buffer_size = buffer_size
        self.done = False

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.done:
            raise StopAsyncIteration
        body = self.body
        try:
            if isinstance(body, (bytes, bytearray, memoryview)):
                self.done = True
                if len(body):
                    return bytes(body)
                raise StopAsyncIteration
            if hasattr(body, 'read'):  # a file
                data = body.read(self.buffer_size)
                if isinstance(data, str):
                    data = data.encode()
                if data:
                    return data
            elif hasattr(body, '__anext__'):
                try:
                    data = await body.__anext__()
                except StopAsyncIteration:
                    data = None
                if data is not None:
                    return data.encode() if isinstance(data, str) else data
            else:
                try:
                    data = next(body)
                except StopIteration:
                    data = None
                if data is not None:
                    return data.encode() if isinstance(data, str) else data
        except BaseException:
            await self.aclose()
            raise
        await self.aclose()
        raise StopAsyncIteration

    async def aclose(self):
        """Closes the file or generator behind the body (once)."""
        self.done = True
        body = self.body
        self.body = b''
        if hasattr(body, 'aclose'):
            await body.aclose()
        elif hasattr(body, 'close'):
            body.close()


_default_type_cache = [None, None]
_JSON_TYPE = 'application/json; charset=UTF-8'


class Response:
    """An HTTP response."""

    #: Content type of responses that do not set one.
    default_content_type = 'text/plain'
    #: Default ``max_age`` of send_file() (None: no Cache-Control header).
    default_send_file_max_age = None
    #: Bytes read from a file per chunk when streaming it.
    send_file_buffer_size = 4096
    #: File extension to content type, used by send_file().
    types_map = {
        'css': 'text/css',
        'gif': 'image/gif',
        'html': 'text/html',
        'htm': 'text/html',
        'jpg': 'image/jpeg',
        'jpeg': 'image/jpeg',
        'js': 'application/javascript',
        'mjs': 'application/javascript',
        'json': 'application/json',
        'png': 'image/png',
        'svg': 'image/svg+xml',
        'ico': 'image/x-icon',
        'txt': 'text/plain',
        'csv': 'text/csv',
        'xml': 'application/xml',
        'pdf': 'application/pdf',
        'wasm': 'application/wasm',
        'webp': 'image/webp',
        'woff': 'font/woff',
        'woff2': 'font/woff2',
        'mp3': 'audio/mpeg',
        'mp4': 'video/mp4',
        'zip': 'application/zip',
        'gz': 'application/gzip',
    }
    #: Returned by handlers of extensions (e.g. WebSocket) that took over the
    #: connection: nothing more is written to it.
    already_handled = None

    def __init__(self, body='', status_code=200, headers=None, reason=None):
        if body is None and status_code == 200:
            body = ''
            status_code = 204
        self.status_code = status_code
        self.reason = reason
        self.headers = headers if isinstance(headers, NoCaseDict) \
            else NoCaseDict(headers)
        if isinstance(body, str):
            self.body = body.encode()
        elif isinstance(body, (dict, list)):
            self.body = json.dumps(body).encode()
            if not self.headers:
                self.headers._set_new('Content-Type', _JSON_TYPE)
            elif 'Content-Type' not in self.headers:
                self.headers['Content-Type'] = _JSON_TYPE
        elif body is None:
            self.body = b''
        else:
            self.body = body  # bytes, file or (async) generator/iterator

    def set_cookie(self, cookie, value, path=None, domain=None, expires=None,
                   max_age=None, secure=False, http_only=False,
                   partitioned=False, samesite=None):
        """Adds a Set-Cookie header to the response."""
        value = '' if value is None else str(value)
        for text in (cookie, value, path or '', domain or '',
                     samesite or ''):
            _check_header_text(text)
            if ';' in text:
                raise ValueError('cookie fields must not contain ";"')
        if not cookie or '=' in cookie or ' ' in cookie or ',' in cookie:
            raise ValueError('invalid cookie name')
        parts = [cookie + '=' + value]
        if path:
            parts.append('Path=' + path)
        if domain:
            parts.append('Domain=' + domain)
        if expires:
            parts.append('Expires=' + _http_date(expires))
        if max_age is not None:
            parts.append('Max-Age=' + str(int(max_age)))
        if secure:
            parts.append('Secure')
        if http_only:
            parts.append('HttpOnly')
        if partitioned:
            parts.append('Partitioned')
        if samesite:
            parts.append('SameSite=' + samesite)
        self._add_header('Set-Cookie', '; '.join(parts))

    def delete_cookie(self, cookie, **kwargs):
        """Asks the client to delete a cookie."""
        kwargs.pop('expires', None)
        kwargs.pop('max_age', None)
        self.set_cookie(cookie, '', expires='Thu, 01 Jan 1970 00:00:01 GMT',
                        max_age=0, **kwargs)

    def _add_header(self, name, value):
        current = self.headers.get(name)
        if current is None:
            self.headers[name] = [value]
        elif isinstance(current, list):
            current.append(value)
        else:
            self.headers[name] = [current, value]

    def _content_type(self):
        content_type = self.default_content_type
        cached = _default_type_cache
        if cached[0] != content_type:
            full = content_type
            if full.startswith('text/') and 'charset=' not in full:
                full += '; charset=UTF-8'
            cached[0], cached[1] = content_type, full
        return cached[1]

    def complete(self):
        """Adds the final headers: Content-Length when the body is in memory,
        and the default Content-Type."""
        headers = self.headers
        if not headers:  # the usual case: nothing to look up
            if isinstance(self.body, (bytes, bytearray)):
                headers._set_new('Content-Length', str(len(self.body)))
            headers._set_new('Content-Type', self._content_type())
            return
        if isinstance(self.body, (bytes, bytearray)) and \
                'Content-Length' not in self.headers:
            self.headers['Content-Length'] = str(len(self.body))
        if 'Content-Type' not in self.headers:
            self.headers['Content-Type'] = self._content_type()

    def body_iter(self):
        """An async iterator over the body as bytes chunks."""
        return _BodyIter(self.body, self.send_file_buffer_size)

    def _header_lines(self):
        """The header section as text (one "Name: value\\r\\n" per line)."""
        lines = []
        for name, value in self.headers.items():
            if isinstance(value, list):
                for item in value:
                    lines.append(_header_line(name, item))
            else:
                lines.append(_header_line(name, value))
        return ''.join(lines)

    @classmethod
    def redirect(cls, location, status_code=302):
        """A redirect response to ``location``."""
        _check_header_text(location)
        return cls(status_code=status_code, headers={'Location': location})

    @classmethod
    def send_file(cls, filename, status_code=200, content_type=None,
                  stream=None, max_age=None, compressed=False,
                  file_extension='', root=None):
        """A response that streams a file from disk (or ``stream``).

        With ``root``, ``filename`` is relative to that directory and must
        stay inside it: a name with a ``..`` segment, an absolute one, a
        backslash, or (on CPython) one whose symlinks resolve outside
        ``root`` gives 404. Serve a static folder with
        ``send_file(path, root='static')``."""
        if root is not None:
            filename = _inside_root(root, filename)
        if content_type is None:
            if compressed and filename.endswith('.gz'):
                ext = filename[:-3].split('.')[-1]
            else:
                ext = filename.split('.')[-1]
            content_type = cls.types_map.get(ext.lower(),
                                             'application/octet-stream')
        headers = {'Content-Type': content_type}
        if max_age is None:
            max_age = cls.default_send_file_max_age
        if max_age is not None:
            headers['Cache-Control'] = 'max-age=' + str(int(max_age))
        if compressed:
            headers['Content-Encoding'] = compressed \
                if isinstance(compressed, str) else 'gzip'
        if stream is None:
            stream, size = _open_file(filename + file_extension)
            if size is not None:
                headers['Content-Length'] = str(size)
        return cls(body=stream, status_code=status_code, headers=headers)


def _inside_root(root, name):
    """The path of ``name`` under ``root``; HTTPException(404) when it would
    leave ``root``."""
    if '\x00' in name:
        raise HTTPException(400)
    parts = name.split('/')
    if name.startswith('/') or '\\' in name or '..' in parts:
        raise HTTPException(404)
    path = root.rstrip('/') + '/' + name
    realpath = getattr(getattr(os, 'path', None), 'realpath', None)
    if realpath is not None:  # CPython: follow symlinks (boards have none)
        real_root = realpath(root)
        if not realpath(path).startswith(real_root.rstrip('/') + '/'):
            raise HTTPException(404)
    return path


def _open_file(path):
    """Opens a file for send_file() and returns it with its size (None when
    unknown). Raises HTTPException 400 for a NUL in the name (which C would
    cut the name at), 404 for a missing or unreadable file or a directory."""
    if '\x00' in path:
        raise HTTPException(400)
    try:
        st = os.stat(path)
    except AttributeError:  # pragma: no cover - no os.stat on this port
        st = None
    except OSError:
        raise HTTPException(404)
    if st is not None and st[0] & 0o170000 == 0o040000:
        raise HTTPException(404)  # a directory
    try:
        stream = open(path, 'rb')
    except OSError:
        raise HTTPException(404)
    return stream, None if st is None else st[6]


Response.already_handled = Response()


def _header_line(name, value):
    if not isinstance(value, str):
        value = str(value)
    if '\r' in value or '\n' in value or '\r' in name or '\n' in name:
        raise ValueError('header {} contains CR or LF'.format(name))
    return name + ': ' + value + '\r\n'


_DAYS = ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')
_MONTHS = ('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep',
           'Oct', 'Nov', 'Dec')


def _http_date(when):
    """An Expires value from a string, a datetime-like object or a time."""
    if isinstance(when, str):
        _check_header_text(when)
        return when
    if hasattr(when, 'strftime'):  # datetime
        if getattr(when, 'tzinfo', None) is not None and \
                hasattr(when, 'utcoffset') and when.utcoffset():
            when = when - when.utcoffset()
        return '{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT'.format(
            _DAYS[when.weekday()], when.day, _MONTHS[when.month - 1],
            when.year, when.hour, when.minute, when.second)
    import time
    t = time.gmtime(int(when))
    return '{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT'.format(
        _DAYS[t[6]], t[2], _MONTHS[t[1] - 1], t[0], t[3], t[4], t[5])


def redirect(location, status_code=302):
    """A redirect response to ``location``."""
    return Response.redirect(location, status_code=status_code)


def send_file(filename, status_code=200, content_type=None, stream=None,
              max_age=None, compressed=False, file_extension='', root=None):
    """A response that streams a file (see :meth:`Response.send_file`)."""
    return Response.send_file(filename, status_code=status_code,
                              content_type=content_type, stream=stream,
                              max_age=max_age, compressed=compressed,
                              file_extension=file_extension, root=root)


def _make_response(value):
    """Turns what a handler returned into a Response."""
    if isinstance(value, Response):
        return value
    if isinstance(value, tuple):
        body = value[0]
        status_code = 200
        headers = None
        rest = value[1:]
        if isinstance(body, int) and not isinstance(body, bool):
            status_code = body
            body = ''
        for item in rest:
            if isinstance(item, int):
                status_code = item
            elif isinstance(item, dict):
                headers = item
        return Response(body, status_code, headers)
    if isinstance(value, int) and not isinstance(value, bool):
        return Response('', value)
    return Response(value)


_REGEX_SPECIAL = '\\.^$*+?{}[]|()'


def _regex_escape(text):
    out = ''
    for c in text:
        out += '\\' + c if c in _REGEX_SPECIAL else c
    return out


def _count_groups(regex):
    count = 0
    escaped = False
    in_class = False
    for i in range(len(regex)):
        c = regex[i]
        if escaped:
            escaped = False
        elif c == '\\':
            escaped = True
        elif in_class:
            in_class = c != ']'
        elif c == '[':
            in_class = True
        elif c == '(' and regex[i + 1:i + 2] != '?':
            count += 1
    return count


class URLPattern:
    """A route's URL pattern: literal segments and ``<type:name>``
    components."""

    #: Custom component types: name -> (regex, parser).
    segment_types = {}

    def __init__(self, url_pattern):
        self.url_pattern = url_pattern
        self.components = []  # (name, type) in pattern order
        self._regex = None
        self._types = None
        self.verify = False
        for segment in url_pattern.split('/'):
            if segment.startswith('<') and segment.endswith('>'):
                parts = segment[1:-1].split(':')
                if len(parts) == 1:
                    type_, name = 'string', parts[0]
                elif parts[0] == 're':
                    type_, name = 're', parts[-1]
                    if len(parts) < 3:
                        raise ValueError('invalid re component ' + segment)
                else:
                    type_, name = parts[0], parts[1]
                if not name:
                    raise ValueError('component without a name: ' + segment)
                if type_ not in ('string', 'int', 'path'):
                    if type_ != 're' and type_ not in self.segment_types:
                        raise ValueError('unknown URL component type ' + type_)
                    self.verify = True
                self.components.append((name, type_))
        self.names = [c[0] for c in self.components]

    @classmethod
    def register_type(cls, type_name, pattern='[^/]+', parser=None):
        """Registers a custom component type: ``pattern`` (a regex) filters
        the text, ``parser`` converts it (returning None rejects it)."""
        cls.segment_types[type_name] = (pattern or '[^/]+', parser)

    def _compile(self):
        import re
        regex = '^'
        types = []
        for segment in self.url_pattern.split('/')[1:] \
                if self.url_pattern.startswith('/') \
                else self.url_pattern.split('/'):
            if segment.startswith('<') and segment.endswith('>'):
                parts = segment[1:-1].split(':')
                type_ = 'string' if len(parts) == 1 else parts[0]
                parser = None
                if type_ == 'string':
                    sub = '[^/]+'
                elif type_ == 'int':
                    sub = '-?[0-9]+'
                    parser = int
                elif type_ == 'path':
                    sub = '.+'
                elif type_ == 're':
                    sub = ':'.join(parts[1:-1])
                else:
                    sub, parser = self.segment_types[type_]
                regex += ('/' if self.url_pattern.startswith('/') or
                          len(types) else '') + '(' + sub + ')'
                types.append((parser, _count_groups(sub)))
            else:
                regex += ('/' if self.url_pattern.startswith('/') or
                          regex != '^' else '') + _regex_escape(segment)
        self._regex = re.compile(regex + '$')
        self._types = types

    def match(self, path):
        """The arguments of ``path`` (raw, percent-encoded) as a dict, or None
        when it does not match."""
        if self._regex is None:
            self._compile()
        m = self._regex.match(path)
        if m is None:
            return None
        args = {}
        group = 1
        for i in range(len(self._types)):
            parser, nested = self._types[i]
            value = m.group(group)
            group += 1 + nested
            try:
                value = backend.url_decode(value, False)
                if parser is not None:
                    value = parser(value)
            except ValueError:
                return None
            if value is None:
                return None
            args[self.components[i][0]] = value
        return args


class _Route:
    """A route of an app: its methods, pattern and handler, and where it was
    mounted from."""

    def __init__(self, methods, pattern, handler, url_prefix='', subapp=None,
                 local_apps=()):
        self.methods = methods
        self.pattern = pattern
        self.handler = handler
        self.url_prefix = url_prefix
        self.subapp = subapp
        self.local_apps = local_apps


class Microdot:
    """A web application."""

    #: Seconds a keep-alive connection may stay idle between requests.
    keep_alive_timeout = 30
    #: Seconds a request may take to arrive once it has started.
    request_timeout = 30
    #: Most connections the built-in server serves at once (None: no cap);
    #: a new one above it gets 503 Service Unavailable and is closed.
    max_connections = None

    def __init__(self):
        self.url_map = []
        self.before_request_handlers = []
        self.after_request_handlers = []
        self.after_error_request_handlers = []
        self.error_handlers = {}
        self.debug = False
        self.ssl = None
        self.server = None
        self._router = None
        self._shutdown_requested = False
        self._stop = None

    # -- routing -----------------------------------------------------------

    def route(self, url_pattern, methods=None):
        """Registers the decorated function as the handler of
        ``url_pattern`` for ``methods`` (default: GET)."""
        def decorated(f):
            self._add_route(_Route(
                [m.upper() for m in (methods or ['GET'])],
                URLPattern(url_pattern), f))
            return f
        return decorated

    def get(self, url_pattern):
        """Registers the decorated function as the handler of GET requests
        for ``url_pattern``; short for ``route(url_pattern,
        methods=['GET'])``.

        :param url_pattern: the URL to match, with optional ``<name>`` or
                            ``<type:name>`` components that are passed to
                            the handler as keyword arguments.
        :return: the decorator, which returns the function unchanged.

        Example::

            @app.get('/users/<int:user_id>')
            async def get_user(request, user_id):
                return {'id': user_id}
        """
        return self.route(url_pattern, methods=['GET'])

    def post(self, url_pattern):
        """Registers the decorated function as the handler of POST requests
        for ``url_pattern``; short for ``route(url_pattern,
        methods=['POST'])``.

        :param url_pattern: the URL to match (see :meth:`get`).
        :return: the decorator, which returns the function unchanged.

        Example::

            @app.post('/users')
            async def create_user(request):
                return {'name': request.json['name']}, 201
        """
        return self.route(url_pattern, methods=['POST'])

    def put(self, url_pattern):
        """Registers the decorated function as the handler of PUT requests
        for ``url_pattern``; short for ``route(url_pattern,
        methods=['PUT'])``.

        :param url_pattern: the URL to match (see :meth:`get`).
        :return: the decorator, which returns the function unchanged.
        """
        return self.route(url_pattern, methods=['PUT'])

    def patch(self, url_pattern):
        """Registers the decorated function as the handler of PATCH requests
        for ``url_pattern``; short for ``route(url_pattern,
        methods=['PATCH'])``.

        :param url_pattern: the URL to match (see :meth:`get`).
        :return: the decorator, which returns the function unchanged.
        """
        return self.route(url_pattern, methods=['PATCH'])

    def delete(self, url_pattern):
        """Registers the decorated function as the handler of DELETE
        requests for ``url_pattern``; short for ``route(url_pattern,
        methods=['DELETE'])``.

        :param url_pattern: the URL to match (see :meth:`get`).
        :return: the decorator, which returns the function unchanged.

        Example::

            @app.delete('/users/<int:user_id>')
            async def delete_user(request, user_id):
                return '', 204
        """
        return self.route(url_pattern, methods=['DELETE'])

    def _add_route(self, route):
        backend.compile_router([route.pattern.url_pattern])  # validates it
        self.url_map.append(route)
        self._router = None

    def before_request(self, f):
        """Registers a function called before each request; if it returns
        a value, that is the response and the route is not called."""
        self.before_request_handlers.append(f)
        return f

    def after_request(self, f):
        """Registers a function called with (request, response) after each
        successful request; it may return a replacement response."""
        self.after_request_handlers.append(f)
        return f

    def after_error_request(self, f):
        """Registers a function called with (request, response) after each
        request that ended in an error."""
        self.after_error_request_handlers.append(f)
        return f

    def errorhandler(self, status_code_or_exception_class):
        """Registers a handler for a status code (called with the request)
        or an exception class (called with the request and exception)."""
        def decorated(f):
            self.error_handlers[status_code_or_exception_class] = f
            return f
        return decorated

    def mount(self, subapp, url_prefix='', local=False):
        """Adds the routes of ``subapp`` under ``url_prefix``. Its request
        and error handlers apply to the whole app, or only to its own
        routes with ``local=True``."""
        for route in subapp.url_map:
            local_apps = route.local_apps
            if local:
                local_apps = (subapp,) + local_apps
            self._add_route(_Route(
                route.methods, URLPattern(url_prefix + route.pattern.url_pattern),
                route.handler, url_prefix + route.url_prefix,
                route.subapp or subapp, local_apps))
        if not local:
            self.before_request_handlers += subapp.before_request_handlers
            self.after_request_handlers += subapp.after_request_handlers
            self.after_error_request_handlers += \
                subapp.after_error_request_handlers
            for key, handler in subapp.error_handlers.items():
                self.error_handlers.setdefault(key, handler)

    def _find_route(self, method, path):
        """The (route, kwargs) serving ``method`` on ``path``; or
        (None, allowed methods) when only other methods match; or
        (None, None) when nothing does."""
        router = self._router
        if router is None:
            router = self._router = backend.compile_router(
                [route.pattern.url_pattern for route in self.url_map])
        url_map = self.url_map
        allowed = None
        start = 0
        while True:
            found = backend.match_route(router, path, start)
            if found is None:
                return None, allowed
            index, captures = found
            route = url_map[index]
            start = index + 1
            if captures is None:
                args = route.pattern.match(path)
                if args is None:
                    continue
            else:
                args = {}
                names = route.pattern.names
                for i in range(len(captures)):
                    args[names[i]] = captures[i]
            if method in route.methods or \
                    (method == 'HEAD' and 'GET' in route.methods):
                return route, args
            if allowed is None:
                allowed = []
            for m in route.methods:
                if m not in allowed:
                    allowed.append(m)

    # -- dispatching -------------------------------------------------------

    async def dispatch_request(self, req):
        """Runs the request through the app and returns its Response."""
        route = None
        try:
            route, args = self._find_route(req.method, req.path)
            if route is None:
                return await self._no_route(req, args)
            req.route = route.handler
            req.url_args = args
            req.url_prefix = route.url_prefix
            req.subapp = route.subapp
            return await self._run_route(req, route, args)
        except Exception as exc:
            apps = (self,)
            if route is not None and route.local_apps:
                apps = route.local_apps + apps
            return await self._handle_exception(req, exc, apps)

    async def _no_route(self, req, allowed):
        if allowed is None:
            raise HTTPException(404)
        if 'GET' in allowed and 'HEAD' not in allowed:
            allowed.append('HEAD')
        if req.method == 'OPTIONS':
            allowed.append('OPTIONS')
            res = Response('', 204, {'Allow': ', '.join(allowed)})
            return await self._after(req, res, self.after_request_handlers)
        res = await self._error_response(req, HTTPException(405), None)
        res.headers['Allow'] = ', '.join(allowed)
        return await self._after(req, res, self.after_error_request_handlers)

    async def _run_route(self, req, route, args):
        local_apps = route.local_apps
        res = None
        for handler in self.before_request_handlers:
            res = await _call(handler, req)
            if res is not None:
                break
        if res is None and local_apps:
            for app in local_apps:
                for handler in app.before_request_handlers:
                    res = await _call(handler, req)
                    if res is not None:
                        break
                if res is not None:
                    break
        if res is None:
            handler = route.handler
            if iscoroutinefunction(handler):
                res = await handler(req, **args)
            else:
                res = await _call(handler, req, **args)
        res = _make_response(res)
        if local_apps:
            for app in local_apps:
                res = await self._after(req, res, app.after_request_handlers)
        if self.after_request_handlers:
            res = await self._after(req, res, self.after_request_handlers)
        if req.after_request_handlers:
            res = await self._after(req, res, req.after_request_handlers)
        return res

    async def _after(self, req, res, handlers):
        for handler in handlers:
            new_res = await _call(handler, req, res)
            if new_res is not None:
                res = _make_response(new_res)
        return res

    async def _handle_exception(self, req, exc, apps):
        try:
            res = await self._error_response(req, exc, apps)
            for app in apps:
                res = await self._after(req, res,
                                        app.after_error_request_handlers)
            return res
        except Exception as exc2:
            print_exception(exc2)
            return self._default_error(500, exc2)

    async def _error_response(self, req, exc, apps):
        """The Response for an exception, through the error handlers."""
        apps = apps or (self,)
        if isinstance(exc, HTTPException):
            for app in apps:
                handler = app.error_handlers.get(exc.status_code)
                if handler is not None:
                    return _make_response(await _call(handler, req))
            return Response(exc.reason, exc.status_code, reason=exc.reason)
        for app in apps:
            handler = _find_exception_handler(app.error_handlers, type(exc))
            if handler is not None:
                return _make_response(await _call(handler, req, exc))
        print_exception(exc)
        for app in apps:
            handler = app.error_handlers.get(500)
            if handler is not None:
                return _make_response(await _call(handler, req))
        return self._default_error(500, exc)

    def _default_error(self, status_code, exc=None):
        body = _reason(status_code)
        if self.debug and exc is not None:
            body += '\n\n' + format_exception(exc)
        return Response(body, status_code)

    async def error_response(self, req, status_code):
        """The response to send for an error status detected outside of the
        app (e.g. 413 from the server), through the error handlers."""
        return await self._handle_exception(req, HTTPException(status_code),
                                            (self,))

    # -- server ------------------------------------------------------------

    async def start_server(self, host='0.0.0.0', port=5000, debug=False,
                           ssl=None):
        """Starts the built-in server and serves until shutdown()."""
        from microdot._server import serve_forever
        self.debug = debug
        self.ssl = ssl
        self._shutdown_requested = False
        await serve_forever(self, host, port, ssl)

    def run(self, host='0.0.0.0', port=5000, debug=False, ssl=None):
        """Starts the built-in server on a new asyncio loop; returns after
        shutdown()."""
        try:
            asyncio.run(self.start_server(host=host, port=port, debug=debug,
                                          ssl=ssl))
        except KeyboardInterrupt:  # pragma: no cover
            pass

    def shutdown(self):
        """Stops the server once the requests in progress complete."""
        self._shutdown_requested = True
        if self._stop is not None:
            self._stop.set()

    async def handle_request(self, reader, writer):
        """Serves one connection given as asyncio streams."""
        from microdot._server import StreamConnection, serve_connection
        await serve_connection(self, StreamConnection(reader, writer))


def _find_exception_handler(handlers, cls):
    if not handlers:
        return None
    mro = getattr(cls, '__mro__', None)
    if mro is not None:
        for klass in mro:
            if klass in handlers:
                return handlers[klass]
        return None
    return _walk_bases(handlers, cls)


def _walk_bases(handlers, cls):
    # MicroPython has no __mro__: breadth-first over __bases__ finds the
    # nearest ancestor with a handler.
    level = [cls]
    while level:
        for klass in level:
            if klass in handlers:
                return handlers[klass]
        next_level = []
        for klass in level:
            next_level += list(getattr(klass, '__bases__', ()))
        level = next_level
    return None


if _MICROPYTHON:
    async def _call(f, *args, **kwargs):
        ret = f(*args, **kwargs)
        if iscoroutinefunction(f):
            ret = await ret
        return ret
else:
    from functools import partial as _partial

    async def _call(f, *args, **kwargs):
        if iscoroutinefunction(f):
            return await f(*args, **kwargs)
        loop = asyncio.get_running_loop()
        ret = await loop.run_in_executor(None, _partial(f, *args, **kwargs))
        if hasattr(ret, '__await__') and not hasattr(ret, '__next__'):
            ret = await ret
        return ret


#: Calls a handler or callback the way the app calls its handlers: awaits
#: async callables; runs sync ones in a thread executor on CPython, inline on
#: MicroPython. For extensions that wrap handlers.
invoke_handler = _call

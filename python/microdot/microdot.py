"""Microdot: the impossibly small web framework, for CPython and MicroPython.

The public names of the 2.x guide live here: Microdot, Request, Response,
URLPattern, MultiDict, NoCaseDict, HTTPException, abort, redirect, send_file.
HTTP parsing, routing and URL decoding are done by the backend
(``microdot._backend``); the connection loop of the built-in server is in
``microdot._server``. Parts a small app rarely needs are imported on first
use, to keep the heap of a board small: ``_files`` (send_file), ``_errors``
(error responses), ``_urlre`` (re and custom URL components), ``_cookies``
(Set-Cookie), ``_bodyiter`` (streamed bodies), ``_mount`` (sub-apps),
``_forms`` (JSON and form bodies) and, on MicroPython, ``_multidict``
(MultiDict, for query strings and forms). The public methods they implement
(mount, error_response, set_cookie, body_iter...) are small methods here
that import their module when called.
"""
import asyncio
import json
import sys

from microdot._backend import backend

# (this module's dict is not made to fit a smaller hash table exactly: a
# full table makes every builtin lookup from this module's functions probe
# all of it first, +5% instructions per request of the realistic bench)
_MICROPYTHON = sys.implementation.name == 'micropython'
_json_dumps = json.dumps  # (CPython: microdot._cpython's)


# The CPython versions of _is_async, _json_dumps and _call (and MultiDict,
# and Request's lazy attributes as descriptors) are set by
# microdot._cpycore, imported at the end of this module: their names are
# not in the bytecode a board loads.


def _is_async(f):
    # (MicroPython) async def functions are generator functions; closures
    # and bound methods do not tell their kind by type (microdot.helpers
    # looks)
    kind = type(f).__name__
    if kind == 'closure' or kind == 'bound_method':
        from microdot.helpers import wraps_async
        return wraps_async(f, kind)
    return kind == 'generator'


_async_cache = {}
_ASYNC_CACHE_MAX = 64  # (per-request hooks are new functions every time)


def iscoroutinefunction(f):
    """True when calling ``f`` gives a coroutine (cached per function)."""
    try:
        return _async_cache[f]
    except KeyError:
        pass
    except TypeError:  # unhashable callable
        return _is_async(f)
    result = _is_async(f)
    if not result and type(f) is not type(iscoroutinefunction) and \
            type(f) is not type(print):
        # a callable object: ask about its __call__ method
        try:
            result = _is_async(f.__call__)
        except AttributeError:
            pass
    if len(_async_cache) >= _ASYNC_CACHE_MAX:
        _async_cache.clear()
    _async_cache[f] = result
    return result


def __getattr__(name):
    # AsyncBytesIO, REASONS (the reason phrases, read like a dict) and (on
    # MicroPython) MultiDict, imported on first use (by `from microdot
    # import ...` too)
    if name == 'REASONS':
        from microdot._reasons import REASONS
        return REASONS
    if name == 'AsyncBytesIO':
        from microdot._bytesio import AsyncBytesIO
        return AsyncBytesIO
    if name == 'MultiDict':
        from microdot._multidict import MultiDict
        globals()['MultiDict'] = MultiDict  # a module global from now on
        return MultiDict
    raise AttributeError(name)


_MISSING = object()


class NoCaseDict(dict):
    """A dict whose string keys are case-insensitive. Iteration gives each key
    with the case of its first insertion."""

    # lower-case key -> key as inserted, for the keys that are str. None
    # until a lookup needs it (lookups of a key in the case it was inserted
    # in, the usual case, do not): then derived from the keys, which are
    # never case variants of each other.
    _k = None

    def __init__(self, initial=_MISSING):
        # NoCaseDict() calls no method: MicroPython then makes the native
        # dict itself, as CPython's __new__ did (the empty headers of every
        # response are made this way)
        if initial is not _MISSING:
            if _MICROPYTHON:
                super().__init__()
            if initial:
                items = initial.items() if hasattr(initial, 'items') \
                    else initial
                for key, value in items:
                    self[key] = value

    def _fill(self, headers):
        """Adds the headers of a flat [name, value, ...] list of str to this
        empty dict: a repeated name gets its values joined with ", " as RFC
        9110 allows. (CPython's is microdot._cpython.fill_headers.)"""
        keys = {}
        for i in range(0, len(headers), 2):
            name = headers[i]
            lower = name.lower()
            key = keys.get(lower)
            if key is None:
                keys[lower] = name
                super().__setitem__(name, headers[i + 1])
            else:
                super().__setitem__(key, super().__getitem__(key) + ', ' +
                                    headers[i + 1])
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

    def update(self, *args, **kwargs):
        """Sets every key of the positional argument, if any (a dict or an
        iterable of (key, value) pairs), and then of the keyword arguments.
        A key that matches an existing one in another letter case replaces
        its value and keeps the existing spelling."""
        for items in args:
            if hasattr(items, 'items'):
                items = items.items()
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


_G = None  # the class of request.g, made on its first use (see _lazy)


class HTTPException(Exception):
    """Raised (usually through :func:`abort`) to answer with an HTTP error."""

    def __init__(self, status_code, reason=None):
        super().__init__(status_code, reason)
        self.status_code = status_code
        if not reason:
            from microdot._reasons import phrase
            reason = phrase(status_code, 'N/A')
        self.reason = reason

    def __repr__(self):  # pragma: no cover
        # (the class name is a qstr; a longer literal would be a str in RAM)
        return 'HTTPException' + ': {}'.format(self.status_code)


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
    """An HTTP request. Handlers receive one as their first argument.

    Besides the constructor's values (``app``, ``client_addr``, ``method``,
    ``url``, ``path``, ``query_string``, ``http_version``, ``body``,
    ``sock``, ``url_prefix``, ``subapp``, ``scheme``, ``route``), a request
    has these attributes, each computed on first access and then kept (and
    settable like any attribute):

    - ``headers``: the request headers, a :class:`NoCaseDict` (names are
      case-insensitive); a header sent more than once has its values
      joined with ``', '``. Example:
      ``request.headers.get('User-Agent', 'unknown')``.
    - ``args``: the arguments of the query string, URL-decoded, as a
      :class:`MultiDict` (empty without a query string); a query string
      that does not decode to valid UTF-8 aborts the request with 400.
      Example, for ``/search?q=dot&page=2``:
      ``request.args.get('page', 1, type=int)``.
    - ``cookies``: the cookies sent by the client, a dict of name to value
      (the first value of a name sent twice).
    - ``json``: the JSON body, or None if the request is not
      ``application/json`` (invalid JSON aborts with 400).
    - ``form``: the urlencoded form in the body as a :class:`MultiDict`, or
      None for another content type.
    - ``g``: an empty object, private to this request, on which handlers
      can set attributes to pass data along (e.g. a ``before_request``
      handler stores the current user and the route handler reads it).
    - ``url_args``: the values of the route's URL components by name (an
      empty dict, private to this request, for a route without any).

    And these, read from the request each time:

    - ``stream``: the body as a stream with async ``read(n)``,
      ``readexactly(n)`` and ``readline()``; the only way to reach bodies
      over ``max_body_length`` (settable).
    - ``content_type``: the value of the ``Content-Type`` header as sent,
      parameters included (such as ``'application/json; charset=utf-8'``),
      or None when the request has none.
    - ``content_length``: the value of the ``Content-Length`` header as an
      int; 0 when the request has none (a chunked body, or no body at all).
    """

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
    method = 'GET'
    http_version = '1.1'
    if not _MICROPYTHON:
        # (MicroPython: read from the built-in server's connection when
        # asked for, see _lazy: converting every peer address costs RAM)
        client_addr = None
    query_string = None
    body = b''
    sock = None
    url_prefix = ''
    subapp = None
    scheme = 'http'
    route = None
    #: File uploads, set by the multipart extension.
    files = None
    _raw_headers = None
    _cookie_fields = None

    def __init__(self, app, client_addr, method, url, http_version, headers,
                 body=None, stream=None, sock=None, url_prefix='',
                 subapp=None, scheme=None, route=None):
        # (the built-in server's request: only app, path, client_addr, sock
        # and the raw headers are stored)
        self.app = app
        if method != 'GET':
            self.method = method
        if '?' in url:
            i = url.find('?')
            self.url = url
            self.path = url[:i]
            self.query_string = url[i + 1:]
        else:
            self.path = url  # and url (see _lazy): one attribute less
        if http_version != '1.1':
            self.http_version = http_version
        if headers.__class__ is list:
            self._raw_headers = headers  # [name, value, ...], parsed lazily
        else:
            self.headers = headers if isinstance(headers, NoCaseDict) \
                else NoCaseDict(headers)
        if client_addr is not None and not (
                _MICROPYTHON and type(sock) is tuple and sock and
                getattr(sock[0], 'client_addr', None) is client_addr):
            # (on MicroPython, one the connection in sock gives is read
            # from there, as the built-in server's requests do)
            self.client_addr = client_addr
        if sock is not None:
            self.sock = sock
        if body is not None:
            self.body = body
        if stream is not None:
            self.stream = stream
        if url_prefix:
            self.url_prefix = url_prefix
        if subapp is not None:
            self.subapp = subapp
        if scheme and scheme != 'http':
            self.scheme = scheme
        if route is not None:
            self.route = route

    def _lazy(self, name):
        # The lazy attributes (see the class docstring): computed once, then
        # stored, so later reads are plain attribute reads. MicroPython calls
        # this as __getattr__; on CPython, microdot._cpython installs it as
        # descriptors (a class with __getattr__ makes every attribute read
        # of its instances slower there).
        if name == 'headers':
            raw = self._raw_headers
            value = NoCaseDict()
            value._fill(raw)
            if len(value) * 2 != len(raw):  # (repeated names)
                # headers joins repeated Cookie fields with ', ', cookies
                # reads them as one '; ' list: the '; ' form is kept with
                # the joined value it stands for (a Cookie value set in
                # headers since is read as it is)
                joined = self._header('cookie', '; ')
                kept = value.get('cookie')
                if kept is not joined and kept is not None:
                    self._cookie_fields = (kept, joined)
            self._raw_headers = None  # from now on, read from headers
        elif name == 'args':
            try:
                cls = MultiDict
            except NameError:  # (MicroPython: imported on first use)
                cls = __getattr__('MultiDict')
            if self.query_string:
                try:
                    flat = backend.parse_query(self.query_string)
                except ValueError as exc:
                    raise _http_error(exc)
                value = cls._from_flat(flat)
            else:
                value = cls()
        elif name == 'cookies':
            value = {}
            header = self._header('cookie', '; ')
            kept = self._cookie_fields
            if kept is not None and kept[0] is header:
                header = kept[1]
            if header:
                flat = backend.parse_cookies(header)
                for i in range(0, len(flat), 2):  # the first value wins
                    if flat[i] not in value:
                        value[flat[i]] = flat[i + 1]
        elif name == 'json' or name == 'form':
            from microdot._forms import parse_body
            value = parse_body(self, name)
            if value is None:
                return None
        elif name == 'g':
            global _G
            if _G is None:
                # (a class is some 200 bytes of a board's RAM: made when a
                # request first asks for g)
                _G = type('_G', (), {})
            value = _G()
        elif name == 'url_args':  # (a route without components)
            value = {}
        elif name == 'url':
            # (made without a query string; the server may set query_string
            # itself rather than joining and splitting it)
            query = self.query_string
            if query is None:
                return self.path
            value = self.path + '?' + query
        elif name == 'stream':
            value = self._stream
            if value is _MISSING:  # (asked by the '_stream' branch below)
                return None
            if value is None:
                from microdot._bytesio import AsyncBytesIO
                value = AsyncBytesIO(self.body)
        elif name == 'content_type':
            return self._header('content-type')
        elif name == 'client_addr':
            # (MicroPython) the built-in server's connection has it (a
            # request that sock is not such a pair has None)
            sock = self.sock
            return getattr(sock[0], 'client_addr', None) \
                if type(sock) is tuple and sock else None
        elif name == 'content_length':
            value = self._header('content-length')
            return int(value) if value and value.isdigit() else 0
        elif name == '_stream':
            # (MicroPython) the stream set on this request (by the server,
            # or by `req.stream = ...`), or None; never one made of the body
            self._stream = _MISSING
            value = self.stream
            del self._stream
            return value
        else:
            raise AttributeError(name)
        setattr(self, name, value)
        return value

    if _MICROPYTHON:
        __getattr__ = _lazy

    def _header(self, key, separator=', '):
        """The value of the header named ``key`` (in lower case; repeats
        joined), without building ``headers`` when it was not asked for
        yet."""
        raw = self._raw_headers
        if raw is None:
            headers = self.headers
            if isinstance(headers, NoCaseDict):
                return headers.get(key)
            for name in headers:
                if name.lower() == key:
                    return headers[name]
            return None
        value = None
        size = len(key)
        for i in range(0, len(raw), 2):
            name = raw[i]
            if len(name) == size and name.lower() == key:
                value = raw[i + 1] if value is None else \
                    value + separator + raw[i + 1]
        return value

    def after_request(self, f):
        """Registers a handler called after this request only (decorator)."""
        if not isinstance(self.after_request_handlers, list):
            self.after_request_handlers = []
        self.after_request_handlers.append(f)
        return f



_default_type_cache = [None, None]


class Response:
    """An HTTP response."""

    #: Content type of responses that do not set one.
    default_content_type = 'text/plain'
    #: Default ``max_age`` of send_file() (None: no Cache-Control header).
    default_send_file_max_age = None
    #: Bytes read from a file per chunk when streaming it.
    send_file_buffer_size = 4096
    #: File extension to content type for send_file(), consulted before
    #: the built-in table (html, css, js, json, png, jpg, svg, ico, txt,
    #: ...): add entries here to serve other types or override one.
    types_map = {}
    #: Returned by handlers of extensions (e.g. WebSocket) that took over the
    #: connection: nothing more is written to it.
    already_handled = None

    def __init__(self, body='', status_code=200, headers=None, reason=None):
        if body is None and status_code == 200:
            body = ''
            status_code = 204
        self.status_code = status_code
        self.reason = reason
        if headers is None:
            self.headers = NoCaseDict()
        else:
            self.headers = headers if isinstance(headers, NoCaseDict) \
                else NoCaseDict(headers)
        if isinstance(body, str):
            self.body = body.encode()
        elif isinstance(body, (dict, list)):
            self.body = _json_dumps(body).encode()
            if headers is None or 'Content-Type' not in self.headers:
                self.headers['Content-Type'] = \
                    'application/json; charset=UTF-8'
        elif body is None:
            self.body = b''
        else:
            self.body = body  # bytes, file or (async) generator/iterator

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
        and the default Content-Type; neither for a status without content
        (1xx, 204, 304)."""
        headers = self.headers
        status = self.status_code
        if status < 200 or status == 204 or status == 304:
            return
        if isinstance(self.body, (bytes, bytearray)) and \
                'Content-Length' not in headers:
            headers['Content-Length'] = str(len(self.body))
        if 'Content-Type' not in headers:
            headers['Content-Type'] = self._content_type()

    @classmethod
    def redirect(cls, location, status_code=302):
        """A redirect response to ``location``."""
        if '\r' in location or '\n' in location or '\0' in location:
            # (Set-Cookie's check raises the error: its message lives there)
            from microdot._cookies import _check_header_text
            _check_header_text(location)
        return cls(status_code=status_code, headers={'Location': location})

    @classmethod
    def send_file(cls, *args, **kwargs):
        """A response that streams a file from disk (or ``stream``):
        ``send_file(filename, status_code=200, content_type=None,
        stream=None, max_age=None, compressed=False, file_extension='',
        root=None)``. (The arguments are named in microdot._files, loaded
        on the first call: each name is RAM on a board.)

        With ``root``, ``filename`` is relative to that directory and must
        stay inside it: a name with a ``..`` segment, an absolute one, a
        backslash, or (on CPython) one whose symlinks resolve outside
        ``root`` gives 404. Serve a static folder with
        ``send_file(path, root='static')``."""
        from microdot._files import file_response
        return file_response(cls, *args, **kwargs)

    def set_cookie(self, *args, **kwargs):
        """Adds a Set-Cookie header to the response: ``set_cookie(cookie,
        value, path=None, domain=None, expires=None, max_age=None,
        secure=False, http_only=False, partitioned=False, samesite=None)``
        (the arguments are named in microdot._cookies, loaded on the first
        call)."""
        from microdot._cookies import set_cookie
        set_cookie(self, *args, **kwargs)

    def delete_cookie(self, cookie, **kwargs):
        """Asks the client to delete a cookie."""
        from microdot._cookies import delete_cookie
        delete_cookie(self, cookie, **kwargs)

    def body_iter(self):
        """An async iterator over the body as bytes chunks."""
        from microdot._bodyiter import body_iter
        return body_iter(self)


Response.already_handled = Response()


#: A redirect response to ``location`` (:meth:`Response.redirect`).
redirect = Response.redirect
#: A response that streams a file (:meth:`Response.send_file`).
send_file = Response.send_file


def _make_response(value):
    """Turns what a handler returned into a Response."""
    if isinstance(value, str):  # (the usual answer first)
        return Response(value)
    if isinstance(value, Response):
        return value
    if isinstance(value, tuple):
        body = value[0]
        status_code = 200
        headers = None
        if isinstance(body, int) and not isinstance(body, bool):
            status_code = body
            body = ''
        for item in value[1:3]:
            if isinstance(item, int) and not isinstance(item, bool):
                status_code = item
            elif isinstance(item, dict):
                headers = item
            elif item is not None:
                from microdot._errors import tuple_error
                raise tuple_error(item)
        if len(value) > 3:
            from microdot._errors import tuple_error
            raise tuple_error()
        return Response(body, status_code, headers)
    if isinstance(value, int) and not isinstance(value, bool):
        return Response('', value)
    return Response(value)


class URLPattern:
    """A route's URL pattern: literal segments and ``<type:name>``
    components."""

    #: Custom component types: name -> (regex, parser).
    segment_types = {}

    #: Whether the pattern has re or custom components (checked in Python).
    verify = False
    _regex = None  # compiled by microdot._urlre, for re and custom types

    def __init__(self, url_pattern):
        self.url_pattern = url_pattern
        names = []
        for segment in url_pattern.split('/'):
            if segment.startswith('<') and segment.endswith('>'):
                parts = segment[1:-1].split(':')
                problem = None  # (its ValueError is made by microdot._errors)
                if len(parts) == 1:
                    type_, name = 'string', parts[0]
                elif parts[0] == 're':
                    type_, name = 're', parts[-1]
                    if len(parts) < 3:
                        problem = 're'
                    else:
                        # (a bad one fails when the route is made, not on
                        # each request)
                        import re
                        try:
                            re.compile(':'.join(parts[1:-1]))
                        except Exception as e:
                            problem = e
                else:
                    type_, name = parts[0], parts[1]
                if problem is None and not name:
                    problem = 'name'
                if type_ != 'string' and type_ != 'int' and type_ != 'path':
                    if type_ != 're' and type_ not in self.segment_types \
                            and problem is None:
                        problem = 'type'
                    self.verify = True
                if problem is not None:
                    from microdot._errors import component_error
                    raise component_error(problem, segment, type_)
                names.append(name)
        self.names = names or ()  # (a route without components shares it)

    @classmethod
    def register_type(cls, *args, **kwargs):
        """Registers a custom component type: ``register_type(type_name,
        pattern='[^/]+', parser=None)``; ``pattern`` (a regex) filters the
        text, ``parser`` converts it (returning None rejects it). (The
        arguments are named in microdot._urlre, loaded on the first call.)"""
        from microdot._urlre import register_type
        register_type(cls, *args, **kwargs)

    def match(self, path):
        """The arguments of ``path`` (raw, percent-encoded) as a dict, or None
        when it does not match."""
        from microdot._urlre import match
        return match(self, path)


class _Route:
    """A route of an app: its methods, pattern and handler, and where it was
    mounted from. (``is_async``: set when the app's router is made.)"""

    url_prefix = ''
    subapp = None
    local_apps = ()

    def __init__(self, methods, pattern, handler):
        # (the tuple of the GET-only routes is one constant, shared)
        self.methods = methods or ('GET',)
        self.pattern = pattern
        self.handler = handler


class Microdot:
    """A web application."""

    #: Seconds a keep-alive connection may stay idle between requests.
    keep_alive_timeout = 30
    #: Seconds a request may take to arrive once it has started.
    request_timeout = 30
    #: Most connections the built-in server serves at once (None: no cap);
    #: a new one above it gets 503 Service Unavailable and is closed.
    max_connections = None

    debug = False
    ssl = None
    server = None
    _router = None
    _shutdown_requested = False
    _stop = None

    def __init__(self):
        self.url_map = []
        self.before_request_handlers = []
        self.after_request_handlers = []
        self.after_error_request_handlers = []
        self.error_handlers = {}

    # -- routing -----------------------------------------------------------

    def route(self, url_pattern, methods=None):
        """Registers the decorated function as the handler of
        ``url_pattern`` for ``methods`` (default: GET)."""
        def decorated(f):
            self._add_route(_Route(
                [m.upper() for m in methods] if methods else None,
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
        return self.route(url_pattern)

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
        return self.route(url_pattern, ['POST'])

    def put(self, url_pattern):
        """Registers the decorated function as the handler of PUT requests
        for ``url_pattern``; short for ``route(url_pattern,
        methods=['PUT'])``.

        :param url_pattern: the URL to match (see :meth:`get`).
        :return: the decorator, which returns the function unchanged.
        """
        return self.route(url_pattern, ['PUT'])

    def patch(self, url_pattern):
        """Registers the decorated function as the handler of PATCH requests
        for ``url_pattern``; short for ``route(url_pattern,
        methods=['PATCH'])``.

        :param url_pattern: the URL to match (see :meth:`get`).
        :return: the decorator, which returns the function unchanged.
        """
        return self.route(url_pattern, ['PATCH'])

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
        return self.route(url_pattern, ['DELETE'])

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

    def _find_route(self, method, path):
        """The (route, kwargs) serving ``method`` on ``path``; or
        (None, allowed methods) when only other methods match; or
        (None, None) when nothing does."""
        # (dispatch_request first looks up routes without components in
        # the table _compile_router makes)
        router = self._router
        if router is None:
            router = self._router = self._compile_router()
        router = router[0]
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
            elif captures:
                args = dict(zip(route.pattern.names, captures))
            else:
                args = _NO_ARGS
            if method in route.methods or \
                    (method == 'HEAD' and 'GET' in route.methods):
                return route, args
            if allowed is None:
                allowed = []
            for m in route.methods:
                if m not in allowed:
                    allowed.append(m)

    def _compile_router(self):
        # The backend's router, and the answers for the paths of the routes
        # without components that are the first to match their own path
        # (what the backend would answer for that path every time); and
        # each route learns whether its handler is async
        url_map = self.url_map
        router = backend.compile_router(
            [route.pattern.url_pattern for route in url_map])
        static = {}
        for i in range(len(url_map)):
            route = url_map[i]
            route.is_async = iscoroutinefunction(route.handler)
            pattern = route.pattern
            path = pattern.url_pattern
            if not pattern.names and path not in static:
                found = backend.match_route(router, path, 0)
                if found is not None and found[0] == i:
                    static[path] = (route, _NO_ARGS)
        return router, static

    # -- dispatching -------------------------------------------------------

    async def dispatch_request(self, req):
        """Runs the request through the app and returns its Response."""
        route = None
        try:
            # a route without components from the router's table first
            # (self._router is (router, table) once made; one local less
            # keeps this coroutine's frame, made per request, smaller)
            found = self._router
            if found is not None:
                found = found[1].get(req.path)
            if found is None or req.method not in found[0].methods:
                found = self._find_route(req.method, req.path)
            route, args = found
            if route is None:
                from microdot._errors import no_route
                return await no_route(self, req, args)
            req.route = handler = route.handler
            if args:
                req.url_args = args
            local_apps = ()
            if route.subapp is not None:  # (a mounted route)
                local_apps = route.local_apps
                if route.url_prefix:
                    req.url_prefix = route.url_prefix
                req.subapp = route.subapp
            res = None
            if self.before_request_handlers or local_apps:
                res = await self._before(req, local_apps)
            if res is None:
                if not route.is_async:
                    res = await _call(handler, req, **args)
                elif args:
                    res = await handler(req, **args)
                else:
                    res = await handler(req)  # no kwargs dict to build
            res = _make_response(res)
            if local_apps:
                for app in local_apps:
                    res = await self._after(req, res,
                                            app.after_request_handlers)
            if self.after_request_handlers:
                res = await self._after(req, res, self.after_request_handlers)
            if req.after_request_handlers:
                res = await self._after(req, res, req.after_request_handlers)
            return res
        except Exception as exc:
            from microdot._errors import handle_exception
            apps = (self,)
            if route is not None and route.local_apps:
                apps = route.local_apps + apps
            return await handle_exception(self, req, exc, apps)

    async def _before(self, req, local_apps):
        for app in (self,) + local_apps:
            for handler in app.before_request_handlers:
                res = await _call(handler, req)
                if res is not None:
                    return res
        return None

    async def _after(self, req, res, handlers):
        for handler in handlers:
            new_res = await _call(handler, req, res)
            if new_res is not None:
                res = _make_response(new_res)
        return res

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
            asyncio.run(self.start_server(host, port, debug, ssl))
        except KeyboardInterrupt:  # pragma: no cover
            pass

    def shutdown(self):
        """Stops the server once the requests in progress complete."""
        self._shutdown_requested = True
        if self._stop is not None:
            self._stop()  # (set by the built-in server while it serves)

    async def handle_request(self, reader, writer):
        """Serves one connection given as asyncio streams."""
        from microdot._server import StreamConnection, serve_connection
        await serve_connection(self, StreamConnection(reader, writer))

    def mount(self, *args, **kwargs):
        """Adds the routes of a sub-app: ``mount(subapp, url_prefix='',
        local=False)``. Its request and error handlers apply to the whole
        app, or only to its own routes with ``local=True``. (The arguments
        are named in microdot._mount, loaded on the first call.)"""
        from microdot._mount import mount
        mount(self, *args, **kwargs)

    async def error_response(self, req, status_code):
        """The response to send for an error status detected outside
        of the app (e.g. 413 from the server), through the error
        handlers."""
        from microdot._errors import error_response
        return await error_response(self, req, status_code)


# The arguments of the routes without components: one shared empty dict, not
# a new one per request (never mutated by the framework).
_NO_ARGS = {}  # what _find_route gives for a route without components


async def _call(f, *args, **kwargs):
    """Calls ``f`` and awaits its result when it is a coroutine (CPython:
    microdot._cpython's, which runs sync ones in a thread executor)."""
    ret = f(*args, **kwargs)
    if iscoroutinefunction(f):
        ret = await ret
    return ret


if not _MICROPYTHON:
    import microdot._cpycore  # noqa: F401  (sets the CPython versions)


#: Calls a handler or callback the way the app calls its handlers: awaits
#: async callables; runs sync ones in a thread executor on CPython, inline on
#: MicroPython. For extensions that wrap handlers.
invoke_handler = _call

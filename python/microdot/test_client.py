"""A test client that sends requests to an app without a network.

Each request is written as raw HTTP/1.1 bytes into an in-memory connection
and served by the same request loop as the built-in server, so the app sees
exactly what it would see over a socket::

    client = TestClient(app)
    res = await client.get('/')
    assert res.status_code == 200

``TestWebSocket`` (a WebSocket to an app, in memory) is importable from here
too; it lives in microdot._ws_client, loaded on first use.
"""
import asyncio
import json as _json
import time

from microdot.microdot import NoCaseDict
from microdot._server import Connection, serve_connection


class MemoryConnection(Connection):
    """A connection whose peer is the test: ``feed()`` bytes in, read what
    the server wrote from ``output``."""

    def __init__(self, data=b'', eof=True, client_addr=('127.0.0.1', 1234)):
        super().__init__()
        self.buf = bytearray(data)
        self.eof = eof
        self.closed = False
        self.output = bytearray()
        self.client_addr = client_addr
        self._incoming = None  # asyncio.Event, made on first need
        self._written = None

    def feed(self, data):
        """Appends ``data`` (bytes) to what the server reads next, as if the
        client had sent it, and wakes a server waiting in :meth:`fill`."""
        self.buf += data
        self._set(self._incoming)

    def feed_eof(self):
        """Marks the client side as finished: once the buffered bytes are
        read, the server sees the end of the connection."""
        self.eof = True
        self._set(self._incoming)

    @staticmethod
    def _set(event):
        if event is not None:
            event.set()

    async def fill(self):
        """Waits until more bytes are fed in (called by the server when it
        needs more input).

        :return: True when new bytes arrived in ``buf``; False at the end
                 of input (after :meth:`feed_eof`) or once the connection
                 is closed.
        """
        size = len(self.buf)
        while len(self.buf) == size:
            if self.eof or self.closed:
                return False
            if self._incoming is None:
                self._incoming = asyncio.Event()
            self._incoming.clear()
            await self._incoming.wait()
        return True

    def write(self, data):
        """Appends the bytes the server sends to ``output`` and wakes a
        test waiting in :meth:`wait_output`.

        :raises OSError: the connection is closed.
        """
        if self.closed:
            raise OSError('connection closed')
        self.output += data
        self._set(self._written)

    async def wait_output(self):
        """Waits until the server writes something (or closes)."""
        if self._written is None:
            self._written = asyncio.Event()
        self._written.clear()
        await self._written.wait()

    async def drain(self):
        """Does nothing: written bytes are in ``output`` at once."""
        pass

    def close(self):
        """Closes the connection: later writes fail, and anyone waiting in
        :meth:`fill` or :meth:`wait_output` is woken."""
        self.closed = True
        self._set(self._written)
        self._set(self._incoming)

    async def wait_closed(self):
        """Does nothing: :meth:`close` takes effect at once."""
        pass


class TestResponse:
    """What the app answered: status_code, reason, headers, body, text, json.
    Repeated headers (and Set-Cookie always) are lists."""

    def __init__(self, status_code, reason, headers, body):
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self.body = body
        self._json = None

    @property
    def text(self):
        """The body decoded from UTF-8, as str; None when it is not UTF-8
        (an image, say)."""
        try:
            return self.body.decode()
        except UnicodeError:
            return None

    @property
    def json(self):
        """The body parsed as JSON, or None when the response's
        ``Content-Type`` is not ``application/json``. Parsed on first
        access.

        Example::

            res = await client.get('/api/users/1')
            assert res.json['id'] == 1
        """
        if self._json is None:
            content_type = self.headers.get('Content-Type', '')
            if not content_type.startswith('application/json'):
                return None
            self._json = _json.loads(self.body)
        return self._json

    @classmethod
    def parse(cls, raw):
        """Parses one response from raw bytes (the whole connection output).
        Returns (response, rest)."""
        end = raw.find(b'\r\n\r\n')
        if end < 0:
            raise ValueError('incomplete response head')
        lines = bytes(raw[:end]).decode().split('\r\n')
        version_status = lines[0].split(' ', 2)
        status_code = int(version_status[1])
        reason = version_status[2] if len(version_status) > 2 else ''
        headers = NoCaseDict()
        for line in lines[1:]:
            name, value = line.split(':', 1)
            value = value.strip()
            if name in headers:
                current = headers[name]
                if not isinstance(current, list):
                    current = headers[name] = [current]
                current.append(value)
            elif name.lower() == 'set-cookie':
                headers[name] = [value]
            else:
                headers[name] = value
        rest = raw[end + 4:]
        if headers.get('Transfer-Encoding', '').lower() == 'chunked':
            body, rest = _dechunk(rest)
        elif 'Content-Length' in headers:
            length = int(headers['Content-Length'])
            body, rest = rest[:length], rest[length:]
        else:
            body, rest = rest, b''
        return cls(status_code, reason, headers, bytes(body)), rest


def _dechunk(data):
    """Decodes a chunked body; a body cut short gives what arrived."""
    body = b''
    pos = 0
    while True:
        end = data.find(b'\r\n', pos)
        try:
            size = int(bytes(data[pos:end]).split(b';')[0], 16)
        except ValueError:
            return body, b''
        pos = end + 2
        if size == 0:
            end = data.find(b'\r\n', pos)  # no trailers are sent
            return body, data[end + 2:]
        body += data[pos:pos + size]
        pos += size + 2


class TestClient:
    """Sends requests to ``app`` in memory. Cookies set by the app are kept
    and sent back, like a browser would."""

    __test__ = False  # not a pytest test class

    def __init__(self, app, cookies=None):
        self.app = app
        #: the cookies the client holds, by name
        self.cookies = dict(cookies or {})
        self._cookie_paths = {}  # name -> the Path it is sent under

    def build_request(self, method, path, headers=None, body=None, json=None,
                      data=None):
        """The raw bytes of a request."""
        headers = NoCaseDict(headers or {})
        if json is not None:  # (any JSON value: a str, a number, True...)
            body = _json.dumps(json)
            headers.setdefault('Content-Type', 'application/json')
        if data is not None:
            body = _urlencode(data)
            headers.setdefault('Content-Type',
                               'application/x-www-form-urlencoded')
        if isinstance(body, (dict, list)):
            body = _json.dumps(body)
            headers.setdefault('Content-Type', 'application/json')
        if isinstance(body, str):
            body = body.encode()
        body = body or b''
        headers.setdefault('Host', 'localhost')
        if body or method in ('POST', 'PUT', 'PATCH'):
            if 'Transfer-Encoding' not in headers:
                headers.setdefault('Content-Length', str(len(body)))
        if self.cookies and 'Cookie' not in headers:
            sent = [k + '=' + v for k, v in self.cookies.items()
                    if _path_matches(_path_of(path),
                                     self._cookie_paths.get(k, '/'))]
            if sent:
                headers['Cookie'] = '; '.join(sent)
        head = method + ' ' + _request_target(path) + ' HTTP/1.1\r\n'
        for name, value in headers.items():
            head += name + ': ' + str(value) + '\r\n'
        return (head + '\r\n').encode() + body

    async def run(self, raw, conn=None):
        """Serves raw request bytes through the app's request loop and
        returns the raw bytes it wrote."""
        if conn is None:
            conn = MemoryConnection(raw)
        await serve_connection(self.app, conn)
        return bytes(conn.output)

    async def request(self, method, path, headers=None, body=None, json=None,
                      data=None):
        """Sends one request to the app and returns its response. The
        client's cookies go in a ``Cookie`` header (unless ``headers`` has
        one), and the cookies the response sets or deletes update them.

        :param method: the HTTP method, in upper case (``'GET'``).
        :param path: the URL path, with an optional query string.
        :param headers: optional dict of request headers. ``Host`` defaults
                        to ``localhost``; ``Content-Length`` is added for
                        a body (and always for POST, PUT and PATCH).
        :param body: optional body, as bytes, str (sent UTF-8 encoded), or
                     a dict or list (sent as JSON).
        :param json: optional value (a dict, a list, a str, a number...),
                     sent as a JSON body with ``Content-Type`` set to
                     ``application/json``.
        :param data: optional dict, sent as a urlencoded form body with
                     ``Content-Type`` set to
                     ``application/x-www-form-urlencoded``; a list or
                     tuple value sends the field once per item (as
                     ``request.form.getlist()`` reads it back).
        :return: a :class:`TestResponse`, or None when the app answered
                 nothing because it took the connection over.

        Example::

            client = TestClient(app)
            res = await client.request('POST', '/items', json={'n': 1})
            assert res.status_code == 201
        """
        raw = await self.run(self.build_request(method, path, headers, body,
                                                json, data))
        if not raw:
            return None  # the app took the connection over
        res, _ = TestResponse.parse(raw)
        self._update_cookies(res, _path_of(path))
        return res

    async def websocket(self, path, client, headers=None):
        """Opens a WebSocket on ``path`` and runs ``client``, a (sync or
        async) generator function: each value it yields is sent, and the
        server's next message is the value of the yield. Returns the
        handshake's TestResponse (101, or the error response)."""
        from microdot._ws_client import run_websocket_client
        return await run_websocket_client(self, path, client, headers)

    def _update_cookies(self, res, request_path='/'):
        # as a browser (RFC 6265): Max-Age before Expires, and a cookie is
        # sent to its Path and below (by default the request's directory)
        for cookie in res.headers.get('Set-Cookie', []):
            parts = cookie.split(';')
            name, value = parts[0].split('=', 1)
            name = name.strip()
            max_age = expires = path = None
            for attr in parts[1:]:
                key, text = _split_attr(attr)
                key = key.lower()
                if key == 'max-age':
                    max_age = text
                elif key == 'expires':
                    expires = text
                elif key == 'path' and text.startswith('/'):
                    path = text
            if max_age is not None:
                try:
                    expired = int(max_age) <= 0
                except ValueError:
                    expired = False
            else:
                expired = expires is not None and _in_the_past(expires)
            if expired:
                self.cookies.pop(name, None)
                self._cookie_paths.pop(name, None)
            else:
                self.cookies[name] = value.strip()
                self._cookie_paths[name] = path or \
                    _default_path(request_path)

    async def get(self, path, headers=None):
        """Sends a GET request; see :meth:`request` for the arguments.

        Example::

            res = await client.get('/search?q=dot')
            assert res.text == 'found'
        """
        return await self.request('GET', path, headers=headers)

    async def head(self, path, headers=None):
        """Sends a HEAD request; see :meth:`request` for the arguments."""
        return await self.request('HEAD', path, headers=headers)

    async def options(self, path, headers=None):
        """Sends an OPTIONS request; see :meth:`request` for the
        arguments."""
        return await self.request('OPTIONS', path, headers=headers)

    async def post(self, path, headers=None, body=None, json=None,
                   data=None):
        """Sends a POST request; see :meth:`request` for the arguments.

        Example::

            res = await client.post('/login', data={'user': 'ana'})
        """
        return await self.request('POST', path, headers, body, json, data)

    async def put(self, path, headers=None, body=None, json=None, data=None):
        """Sends a PUT request; see :meth:`request` for the arguments."""
        return await self.request('PUT', path, headers, body, json, data)

    async def patch(self, path, headers=None, body=None, json=None,
                    data=None):
        """Sends a PATCH request; see :meth:`request` for the arguments."""
        return await self.request('PATCH', path, headers, body, json, data)

    async def delete(self, path, headers=None, body=None, json=None,
                     data=None):
        """Sends a DELETE request; see :meth:`request` for the
        arguments."""
        return await self.request('DELETE', path, headers, body, json, data)


def _split_attr(attr):
    # (name, value) of a cookie attribute
    attr = attr.strip()
    i = attr.find('=')
    if i < 0:
        return attr, ''
    return attr[:i], attr[i + 1:].strip()


def _path_of(target):
    """The path of a request target (no query string or fragment)."""
    for sep in '?#':
        i = target.find(sep)
        if i >= 0:
            target = target[:i]
    return target or '/'


def _default_path(path):
    # RFC 6265 5.1.4: the request path up to its last '/'
    i = path.rfind('/')
    return path[:i] if i > 0 else '/'


def _path_matches(path, cookie_path):
    if path == cookie_path:
        return True
    return path.startswith(cookie_path) and \
        (cookie_path.endswith('/') or path[len(cookie_path)] == '/')


_MONTHS = ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep',
           'oct', 'nov', 'dec')


def _in_the_past(date):
    """Whether an Expires date (``Sun, 06 Nov 1994 08:49:37 GMT``, or with
    dashes) has passed; an unreadable date has not."""
    fields = date.replace('-', ' ').split()
    if fields and fields[0].endswith(','):
        fields = fields[1:]
    try:
        day = int(fields[0])
        month = _MONTHS.index(fields[1][:3].lower()) + 1
        year = int(fields[2])
        hour, minute, second = [int(f) for f in fields[3].split(':')]
    except (ValueError, IndexError):
        return False
    if year < 100:
        year += 2000 if year < 70 else 1900
    # days since 1970-01-01 of a Gregorian date
    y = year - (1 if month <= 2 else 0)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    when = ((days * 24 + hour) * 60 + minute) * 60 + second
    return when <= time.time()


def _urlencode(data):
    pairs = []
    for name, value in data.items():
        values = value if isinstance(value, (list, tuple)) else (value,)
        for item in values:
            pairs.append(_quote(name) + '=' + _quote(item))
    return '&'.join(pairs)


_SAFE = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'


def _quote(text):
    out = ''
    for byte in str(text).encode():
        if byte in _SAFE:
            out += chr(byte)
        elif byte == 32:
            out += '+'
        else:
            out += '%{:02X}'.format(byte)
    return out


# (bytes a request-target cannot hold as they are: controls, space,
# non-ASCII and these)
_UNSAFE_IN_TARGET = b'"<>\\^`{|}'


def _request_target(path):
    """``path`` as a client puts it on the request line: without the
    fragment, with spaces, non-ASCII and other bytes that cannot appear
    there percent-encoded (``%`` escapes already in it are kept)."""
    hash_at = path.find('#')
    if hash_at >= 0:
        path = path[:hash_at]
    out = ''
    for byte in path.encode():
        if byte <= 32 or byte >= 127 or byte in _UNSAFE_IN_TARGET:
            out += '%{:02X}'.format(byte)
        else:
            out += chr(byte)
    return out


def __getattr__(name):
    # TestWebSocket needs microdot.websocket: import both only when asked.
    if name == 'TestWebSocket':
        from microdot._ws_client import TestWebSocket
        return TestWebSocket
    raise AttributeError(name)

"""WebSocket (RFC 6455) support for Microdot.

Usage::

    from microdot.websocket import with_websocket

    @app.route('/echo')
    @with_websocket
    async def echo(request, ws):
        while True:
            message = await ws.receive()
            await ws.send(message)

``ws.receive()`` returns a ``str`` for a text message and ``bytes`` for a
binary one. When the peer closes the connection, goes away, or breaks the
protocol, ``receive()`` (and ``send()``) raise :class:`ConnectionClosed`, a
subclass of :class:`WebSocketError`, whose ``code`` is the close code. The
decorator catches it, so a handler may simply loop until it is raised.

The same handler runs on the built-in server (the frames are parsed here,
with the C core doing the header parsing, unmasking and UTF-8 checks), under
ASGI (the server does the framing) and under WSGI when the server exposes
the socket (gunicorn). Compression extensions are not negotiated.
"""
import asyncio

from microdot._backend import backend
from microdot.microdot import Response, iscoroutinefunction

try:
    from micropython import const  # names inlined by MicroPython's compiler
except ImportError:
    def const(value):
        """MicroPython's ``micropython.const`` on CPython: the value itself."""
        return value

try:
    from sys import print_exception  # MicroPython
except ImportError:
    from microdot.helpers import print_exception

# The public opcodes (OP_TEXT, ...) and close codes (CLOSE_NORMAL, ...) are
# names of microdot._ws_frames, and of this module: on CPython imported at
# the end of it, on MicroPython looked up there on first use (see
# __getattr__), so that the fast path's module carries none of their names.
# These are the same numbers, for this module's own use.
_OP_TEXT = const(1)
_OP_BINARY = const(2)
_OP_CLOSE = const(8)
_OP_PING = const(9)
_OP_PONG = const(10)
_CLOSE_NORMAL = const(1000)
_CLOSE_PROTOCOL_ERROR = const(1002)
_CLOSE_NO_STATUS = const(1005)
_CLOSE_ABNORMAL = const(1006)
_CLOSE_INVALID_DATA = const(1007)
_CLOSE_INTERNAL_ERROR = const(1011)

_MICROPYTHON = __import__('sys').implementation.name == 'micropython'
_NO_LIMIT = 1 << 62
_WHOLE_TEXT = const(4096)  # text frames up to this size are checked whole


class WebSocketError(Exception):
    """Base class of the errors raised by WebSocket objects."""


class ConnectionClosed(WebSocketError):
    """The connection is closed: the peer sent a close frame, went away, or
    broke the protocol. ``code`` is the close code (1006 when the connection
    dropped without a close frame) and ``reason`` the close reason."""

    def __init__(self, code=_CLOSE_NO_STATUS, reason=''):
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


# ---------------------------------------------------------------------------
# Frames (the frame reader, FrameReader, and ProtocolError, the ValueError it
# raises, are in _ws_frames: on MicroPython the server needs them only for
# what its fast path does not take, see receive). A broken frame found here
# is a ValueError(close code, message), as the backend's header parser
# raises it.
# ---------------------------------------------------------------------------

def parse_close_payload(data):
    """Returns ``(code, reason)`` for the payload of a close frame,
    ``data``."""
    if len(data) == 0:
        return _CLOSE_NO_STATUS, ''
    if len(data) == 1:
        raise ValueError(_CLOSE_PROTOCOL_ERROR, 'truncated close code')
    code = data[0] << 8 | data[1]
    if code < 1000 or code >= 5000 or code < 3000 and not (
            code <= 1003 or 1007 <= code <= 1014):
        raise ValueError(_CLOSE_PROTOCOL_ERROR, 'invalid close code')
    if len(data) == 2:  # (no reason: the pure backend's check stays unloaded)
        return code, ''
    if backend.utf8_check(0, data, 2, len(data)) != 0:
        raise ValueError(_CLOSE_INVALID_DATA, 'invalid UTF-8')
    return code, str(memoryview(data)[2:], 'utf-8')


def close_payload(code, reason=''):
    """The payload of a close frame: the status ``code`` as two bytes and the
    UTF-8 ``reason``; empty for no code (or 1005, "no status")."""
    if code is None or code == _CLOSE_NO_STATUS:
        return b''
    return bytes((code >> 8, code & 0xff)) + reason.encode()


if _MICROPYTHON:
    from asyncio import core as _core
    # builtins used once per message, as module names: MicroPython looks a
    # builtin up only after missing the module's names (about 400
    # instructions a use)
    _len = len
    _isinstance = isinstance
    _str = str
    # what send() returns when there is nothing to wait for: an ended
    # generator (after its first run), so awaiting it returns at once
    _SENT = (None for _ in ())
    # the receive generator's fast path in one call, where the backend has
    # it (the pure backend, the x64 .mpy and firmware; not the small .mpy:
    # see below)
    _take_message = getattr(backend, 'ws_take_message', None)


# ---------------------------------------------------------------------------
# Opening handshake.
# ---------------------------------------------------------------------------

def _has_token(value, token):
    for part in (value or '').split(','):
        if part.strip().lower() == token:
            return True
    return False


def accept_key(key):
    """The Sec-WebSocket-Accept value for a Sec-WebSocket-Key."""
    import binascii
    import hashlib
    digest = hashlib.sha1(
        key.encode() + b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest()
    return binascii.b2a_base64(digest)[:-1].decode()


def _header(request, name):
    # one header's value (name in lower case) without making
    # request.headers: a dict the request of a WebSocket would keep for
    # good (~700 bytes on MicroPython) when the app never asks for it
    try:
        return request._header(name)
    except AttributeError:  # (not microdot's Request)
        return request.headers.get(name)


def check_upgrade(request):
    """Validates a WebSocket upgrade request. Returns ``None`` when it is
    valid, else the text of the reason to reject it with a 400."""
    if request.method != 'GET':
        return 'WebSocket upgrade must use GET'
    if not _has_token(_header(request, 'upgrade'), 'websocket'):
        return 'Missing "Upgrade: websocket" header'
    if not _has_token(_header(request, 'connection'), 'upgrade'):
        return 'Missing "Connection: Upgrade" header'
    if _header(request, 'sec-websocket-version') != '13':
        return 'Unsupported WebSocket version'
    key = _header(request, 'sec-websocket-key') or ''
    import binascii
    try:
        if len(binascii.a2b_base64(key)) != 16:
            return 'Invalid Sec-WebSocket-Key'
    except ValueError:
        return 'Invalid Sec-WebSocket-Key'
    return None


# MicroPython: the receive buffer no WebSocket holds (see WebSocket.receive)
_free_buf = None


def _new_buffer(ws, limit=256):
    # (a memoryview: slicing it makes no copy) On a small heap that has no
    # block that big left, a smaller buffer, of at least ``limit`` bytes,
    # still works (bigger frames go to their payload buffer a piece at a
    # time).
    size = max(ws.stream_buffer_size, limit)
    while True:
        try:
            return memoryview(bytearray(size))
        except MemoryError:
            if size <= limit:
                raise
            size = max(size >> 1, limit)


def _give_buffer(buf):
    # (the bigger one is kept: a smaller buffer made on a fragmented heap
    # would leave every bigger frame to the frame reader)
    global _free_buf
    if _free_buf is None or len(_free_buf) < len(buf):
        _free_buf = buf


def _stream_path():
    # the WebSocket code beyond MicroPython's fast path, imported on first
    # use (its functions are WebSocket's methods on CPython)
    from microdot import _ws_stream
    return _ws_stream


# ---------------------------------------------------------------------------
# WebSocket objects given to handlers.
# ---------------------------------------------------------------------------

class WebSocket:
    """A server-side WebSocket connection over a stream pair: the built-in
    server's ``request.sock``, a WSGI server's socket or the test client.

    ``max_message_size`` (bytes, class attribute or per instance) bounds an
    incoming message: a bigger one closes the connection with code 1009.
    """
    max_message_size = 64 * 1024
    read_size = 64 * 1024
    # MicroPython: the size of a receive buffer, whose free space also joins
    # a frame's header and payload into one write; a WebSocket holds one
    # only while a partial frame header is in it, so idle ones share one
    stream_buffer_size = 2048
    # binary frames up to this size are unmasked in the server's receive
    # buffer once whole (CPython), bigger ones as they arrive
    whole_frame_size = 256 * 1024
    close_timeout = 5

    # (defaults in the class: a WebSocket stores only what differs)
    _direct = False  # the built-in server's connection
    _stream = None  # MicroPython: its asyncio stream (see receive)
    _rbuf = None  # MicroPython: the receive buffer, while it has bytes
    _rpos = 0  # the unparsed bytes of _rbuf: _rbuf[_rpos:_rend]
    _rend = -1  # (-1 until the server's buffer has none of ours left)
    _yielded = False  # a read yielded since the last send
    _nodelay = True  # (MicroPython) Nagle's algorithm is off
    frames = None  # the FrameReader, made when a frame needs it

    def __init__(self, request, reader=None, writer=None):
        self.closed = None  # the ConnectionClosed once closed
        self.request = request
        if reader is None:
            reader, writer = request.sock[0], request.sock[1]
        self.reader = reader
        self.writer = writer
        # the built-in server's connection: frames are parsed in its buffer
        # and, on MicroPython, its socket stream is read directly (see
        # receive)
        from microdot._server import Connection, StreamConnection
        if isinstance(reader, Connection):
            self._direct = True
            stream = reader.reader
            if isinstance(reader, StreamConnection) and \
                    hasattr(stream, 'readinto') and hasattr(stream, 'out_buf'):
                self._stream = stream

    async def handshake(self):
        """Answers the upgrade request with 101 and takes the connection
        over from the HTTP server."""
        try:
            # Tells the built-in server's idle sweeper that the connection
            # now belongs to this WebSocket (see facade_contract "Requests").
            self.reader.detached = True
        except AttributeError:
            pass
        if self._stream is not None:
            # Nagle's algorithm off where the server left it on
            # (MicroPython's asyncio; CPython's sets TCP_NODELAY itself): a
            # frame written while an earlier one is unacknowledged would
            # wait for the peer's delayed ACK
            try:
                self.reader.writer.s.setsockopt(6, 1, 1)  # TCP_NODELAY
            except Exception:
                self._nodelay = False
        self.writer.write(
            b'HTTP/1.1 101 Switching Protocols\r\n'
            b'Upgrade: websocket\r\nConnection: Upgrade\r\n'
            b'Sec-WebSocket-Accept: ' +
            accept_key(_header(self.request, 'sec-websocket-key')).encode() +
            b'\r\n\r\n')
        await self.writer.drain()
        if self._stream is not None:
            __import__('gc').collect()

    if _MICROPYTHON:
        def receive(self):
            """Waits for the next message; returns ``str`` or ``bytes``."""
            # MicroPython, over the built-in server's plain TCP socket: a
            # generator (asyncio runs it as a coroutine) that waits for the
            # socket itself and takes a whole one-frame message (or a
            # control frame) from its receive buffer in one call (the
            # backend's, or _take_message below): one generator and few
            # lookups per message. What needs the frame reader goes to
            # _ws_stream.
            global _free_buf
            if self._rend < 0:  # (see _rend)
                if self._stream is None or self.reader.pending():
                    return (yield from _stream_path().receive(self))
                # (the first: the request loop's frames are garbage once
                # the handler runs in a task of its own, see with_websocket)
                __import__('gc').collect()
                self._rend = 0
            while True:
                if self.closed is not None:
                    raise self.closed
                if self.frames is not None:
                    # (a message or frame the frame reader is putting
                    # together: _ws_stream drops the reader once it is done)
                    return (yield from _stream_path().receive(self))
                buf = self._rbuf
                try:
                    if buf is not None:
                        taken = _take_message(buf, self._rpos, self._rend,
                                              self.max_message_size or
                                              _NO_LIMIT, True)
                        if taken is None:
                            if not _wait_more(self, buf, self._rpos,
                                              self._rend):
                                return (yield from
                                        _stream_path().receive(self))
                        else:
                            # (opcode, payload, stop), indexed: each local
                            # makes every receive's generator bigger
                            if taken[2] == self._rend:
                                self._rbuf = None
                                if _free_buf is None:
                                    _free_buf = buf
                                else:
                                    _give_buffer(buf)
                            else:
                                self._rpos = taken[2]
                            if taken[0] <= _OP_BINARY:
                                return taken[1]
                            if taken[0] == _OP_PING:
                                yield from self._send_frame(_OP_PONG,
                                                            taken[1])
                            elif taken[0] == _OP_CLOSE:
                                taken = parse_close_payload(taken[1])
                                yield from self._fail(taken[0], taken[1])
                            continue
                    # (no bytes, or the start of a frame that fits in the
                    # buffer: the socket's next bytes go after them)
                    buf = self._stream.s
                    yield _core._io_queue.queue_read(buf)
                    if self._rbuf is None:
                        taken = _free_buf
                        if taken is None:
                            taken = _new_buffer(self)
                        else:
                            _free_buf = None
                        n = buf.readinto(taken)
                        if n:
                            self._rbuf = taken
                            self._rpos = 0
                            self._rend = n
                        else:
                            _give_buffer(taken)
                    else:
                        n = self._read_socket(buf)
                    if n is None:  # not readable after all
                        continue
                    self._yielded = True
                    if not n:
                        yield from self._lost()
                except ValueError as exc:  # (a broken frame: see above)
                    yield from self._fail(exc.args[0], str(exc.args[-1]))
                except OSError:
                    yield from self._lost()

        def send(self, data, opcode=None):
            """Sends a message: text for ``str``, binary for bytes-like."""
            # MicroPython: a frame of up to 64 KiB is joined in a receive
            # buffer's free space and written at once (see _write_frame);
            # what is returned to await is a coroutine only when there is
            # something to wait for (the socket took part of the frame, or
            # another send came first): none is made per message
            stream = self._stream
            if stream is None or stream.out_buf or self.closed is not None:
                return _stream_path().send(self, data, opcode)
            buf = self._rbuf
            if buf is None:
                buf = _free_buf
                if buf is None:
                    return _stream_path().send(self, data, opcode)
                start = 0
                room = _len(buf)
            else:
                start = self._rend
                room = _len(buf) - start
                if room < self._rpos:
                    start = 0
                    room = self._rpos
            if _isinstance(data, _str):
                data = memoryview(data)
                if opcode is None:
                    opcode = _OP_TEXT
            elif opcode is None:
                opcode = _OP_BINARY
            n = _len(data)
            if n < 126 and n + 2 <= room:
                buf[start + 1] = n
                h = start + 2
            elif n + 4 <= room:
                buf[start + 1] = 126
                buf[start + 2] = n >> 8
                buf[start + 3] = n & 0xff
                h = start + 4
            else:
                return _stream_path().send(self, data, opcode)
            buf[start] = 0x80 | opcode
            n += h
            buf[h:n] = data
            try:
                sent = start + (stream.s.write(buf, start, n - start) or 0)
                if sent != n:
                    stream.write(buf[sent:n])
                elif self._yielded:  # (no drain: see _write_frame)
                    self._yielded = False
                    return _SENT
            except OSError:
                return self._lost()
            self._yielded = False
            return self._drain(stream)

        async def _drain(self, stream):
            try:
                await stream.drain()
            except OSError:
                await self._lost()

        def _read_socket(self, sock):
            """Reads what the (readable) socket has into the receive
            buffer: after its unparsed bytes (a partial frame header), or
            into a free one. Returns the byte count (None: nothing was
            readable after all). MicroPython."""
            global _free_buf
            buf = self._rbuf
            if buf is not None:
                rpos = self._rpos
                k = self._rend - rpos
                if rpos:  # (a copy first where the two overlap)
                    buf[:k] = buf[rpos:self._rend] if k <= rpos else \
                        bytes(buf[rpos:self._rend])
                    self._rpos = 0
                n = sock.readinto(buf[k:])
                if n:
                    self._rend = k + n
                return n
            buf = _free_buf
            if buf is None:
                buf = _new_buffer(self)
            else:
                _free_buf = None
            n = sock.readinto(buf)
            if n:
                self._rbuf = buf
                self._rpos = 0
                self._rend = n
            else:
                _give_buffer(buf)
            return n

        def _write_frame(self, opcode, data):
            """Writes one frame; returns the writer to drain, or None where
            a drain would only yield (right after a read yielded)."""
            stream = self._stream
            if stream is None:
                return _stream_path().write_frame(self, opcode, data)
            n = len(data)
            h = 2 if n < 126 else 4 if n < 65536 else 10
            total = h + n
            # the frame is joined in a buffer: the free receive buffer, or
            # this socket's own, before or after its unparsed bytes (a
            # pending readinto fills it only once this synchronous write is
            # over, and Stream.write copies what the socket does not take)
            buf = self._rbuf
            start = -1
            if buf is None:
                buf = _free_buf
                if buf is not None and total <= len(buf):
                    start = 0
            elif total <= self._rpos:
                start = 0
            elif total <= len(buf) - self._rend:
                start = self._rend
            if start < 0:
                header = backend.ws_build_header(True, opcode, n, None)
                if self._nodelay:
                    stream.write(header)
                    stream.write(data)
                else:  # Nagle would hold the payload's tail back
                    stream.write(header + data)
            else:
                buf[start] = 0x80 | opcode
                if h == 2:
                    buf[start + 1] = n
                elif h == 4:
                    buf[start + 1] = 126
                    buf[start + 2] = n >> 8
                    buf[start + 3] = n & 0xff
                else:
                    buf[start:start + h] = backend.ws_build_header(
                        True, opcode, n, None)
                buf[start + h:start + total] = data
                if stream.out_buf:
                    stream.write(buf[start:start + total])
                else:  # (Stream.write, inlined)
                    sent = stream.s.write(buf, start, total) or 0
                    if sent != total:
                        stream.write(buf[start + sent:start + total])
            # Stream.drain() yields even with nothing to send: skip that
            # when a read yielded since the last send
            yielded = self._yielded
            self._yielded = False
            return stream if stream.out_buf or not yielded else None
    else:
        # CPython: the frame reader's way over any stream pair, for every
        # connection
        receive = _stream_path().receive
        send = _stream_path().send
        _write_frame = _stream_path().write_frame

    async def close(self, code=_CLOSE_NORMAL, reason=''):
        """Starts the closing handshake, waits (at most ``close_timeout``
        seconds) for the peer's close frame, then closes the connection."""
        if self.closed is None:
            from microdot._ws_close import close
            await close(self, code, reason)

    async def _fail(self, code, reason):
        """Answers a close frame (or a broken one) with ``code``, closes the
        transport and raises ConnectionClosed."""
        self.closed = ConnectionClosed(code, reason)
        try:
            await self._send_frame(_OP_CLOSE, close_payload(code))
        except ConnectionClosed:
            pass
        await self._close_transport()
        raise self.closed

    async def _lost(self):
        if self.closed is None:
            self.closed = ConnectionClosed(_CLOSE_ABNORMAL, 'connection lost')
        await self._close_transport()
        raise self.closed

    async def _close_transport(self):
        writer = self.writer
        if self._stream is None:
            # (a closed transport may take writes without an error: what
            # is written from now on fails; MicroPython's socket stream
            # fails by itself)
            self.writer = _stream_path().ClosedWriter()
        try:
            writer.close()
            await writer.wait_closed()
        except Exception:
            pass

    async def _send_frame(self, opcode, data):
        try:
            writer = self._write_frame(opcode, data)
            if writer is not None:
                await writer.drain()
        except (OSError, EOFError):
            await self._lost()

    def _ended(self, task, exc):
        # (MicroPython) the handler's task, detached from the request's
        # (see with_websocket), is done: exc is the StopIteration of its
        # return, or what it raised. A task of its own ends the connection.
        # (nothing may escape: asyncio's loop would end)
        try:
            if isinstance(exc, (StopIteration, WebSocketError)):
                code = _CLOSE_NORMAL
            elif isinstance(exc, Exception):
                code = _CLOSE_INTERNAL_ERROR
                print_exception(exc)
            else:  # (cancelled: shutdown or idle timeout)
                code = 0
            asyncio.create_task(_finish(self, code))
        except MemoryError:  # (no room for that task: dropped at once)
            self._stream.s.close()
            registry = getattr(self.reader, 'registry', None)
            if registry is not None:
                registry.discard(self.reader)


def _wait_more(ws, buf, pos, end):
    """Whether the receive generator reads more into its buffer for the
    frame that starts at ``buf[pos]``, instead of handing it to the frame
    reader: a partial header, or a frame its fast path takes whole (see
    receive) that fits in a receive buffer. A message split by the network
    then costs no FrameReader and no payload buffer of its own, which a
    WebSocket would keep for good. A frame bigger than ``buf`` (a smaller
    buffer, made when the heap had no bigger block) moves to a full-size
    one when one can be had. MicroPython."""
    header = backend.ws_parse_header(buf, pos, end, 1,
                                     ws.max_message_size or _NO_LIMIT)
    if header is None:
        return True
    fin, opcode, mask, length, start = header
    if not (fin and (opcode == _OP_BINARY or opcode == _OP_TEXT and
                     length <= _WHOLE_TEXT) or opcode >= _OP_CLOSE):
        return False
    start += length  # (the frame's size)
    if start <= _len(buf):
        return True
    if start > ws.stream_buffer_size:
        return False
    global _free_buf
    big = _free_buf
    if big is not None and _len(big) >= start:
        _free_buf = None
    else:
        try:  # (a full-size one, else one the frame fits in)
            big = _new_buffer(ws, start)
        except MemoryError:
            return False
    end -= pos
    big[:end] = buf[pos:pos + end]
    ws._rbuf = big
    ws._rpos = 0
    ws._rend = end
    _give_buffer(buf)
    return True


if _MICROPYTHON and _take_message is None:
    def _take_message(buf, start, end, limit, data_ok):
        # ws_take_message of the C binding (and of the pure backend), for a
        # binding without it (the small .mpy): the same results through the
        # backend's other functions, but the payload is unmasked in buf
        header = backend.ws_parse_header(buf, start, end, 1, limit)
        if header is None:
            return None
        fin, opcode, mask, length, stop = header
        start += stop
        stop = start + length
        if stop > end or opcode < _OP_CLOSE and not (
                data_ok and fin and (opcode == _OP_BINARY or
                                     opcode == _OP_TEXT and
                                     length <= _WHOLE_TEXT)):
            return None
        backend.ws_mask(buf, start, stop, mask, 0)
        if opcode != _OP_TEXT:
            return opcode, bytes(buf[start:stop]), stop
        if backend.utf8_check(0, buf, start, stop) != 0:
            raise ValueError(_CLOSE_INVALID_DATA, 'invalid UTF-8')
        return opcode, str(buf[start:stop], 'utf-8'), stop


# ---------------------------------------------------------------------------
# The decorator.
# ---------------------------------------------------------------------------

async def websocket_upgrade(request):
    """Completes the opening handshake and returns the WebSocket, or returns
    a :class:`Response` to send instead: 400 for an invalid upgrade request,
    501 where the server gives no access to the connection.

    Servers that do the handshake themselves (ASGI) or need their own
    transport (WSGI) set ``request.websocket_factory``, a callable taking the
    request and returning the WebSocket object."""
    factory = getattr(request, 'websocket_factory', None)
    if factory is None:
        reason = check_upgrade(request)
        if reason is not None:
            return Response(reason, status_code=400,
                            headers={'Sec-WebSocket-Version': '13'})
        if request.sock is None:
            return Response('WebSocket is not supported by this server',
                            status_code=501)
        if _MICROPYTHON:
            __import__('gc').collect()
        ws = WebSocket(request)
    else:
        ws = factory(request)
    await ws.handshake()
    return ws


def with_websocket(f):
    """Decorator that makes a route a WebSocket endpoint. The handler
    receives the :class:`WebSocket` as second argument; the connection is
    closed (code 1000) when it returns, or with code 1011 when it raises.

    Handlers should be ``async def``. A ``def`` handler is accepted on
    CPython, where it runs in a thread with blocking ``ws.receive()`` and
    ``ws.send()``; MicroPython has no threads for it, so there it is a
    TypeError."""
    if not iscoroutinefunction(f) and _MICROPYTHON:
        raise TypeError('WebSocket handlers must be async def on MicroPython')

    # (f as a default, not a closure: MicroPython tells an async def
    # function by its type, a closure only by its repr, through
    # microdot.helpers)
    async def websocket_handler(request, *args, _handler=f, **kwargs):
        ws = await websocket_upgrade(request)
        if isinstance(ws, Response):
            return ws
        if _MICROPYTHON and ws._stream is not None and \
                ws.reader.socket is not None and \
                request.subapp is None and \
                not request.after_request_handlers and \
                not request.app.after_request_handlers:
            # The server's request loop (_serve_socket), dispatch_request
            # and this coroutine would keep their frames (~1 KB) for the
            # WebSocket's life: the handler goes on in a task of its own
            # and they end (the connection is left to that task: see
            # WebSocket._ended)
            ws.reader.socket = None
            task = ws.reader.task = asyncio.create_task(
                _handler(request, ws, *args, **kwargs))
            # (MicroPython's asyncio calls a task's state when it is
            # callable, once the task is done: no coroutine of ours waits
            # for the handler's)
            task.state = ws._ended
            return Response.already_handled
        code = _CLOSE_NORMAL
        try:
            if iscoroutinefunction(_handler):  # (no coroutine in between)
                await _handler(request, ws, *args, **kwargs)
            else:
                from microdot._ws_sync import run_in_thread
                await run_in_thread(_handler, request, ws, args, kwargs)
        except WebSocketError:
            pass
        except Exception as exc:
            # The connection is no longer HTTP: report the error here rather
            # than letting the app answer with a 500 on the upgraded stream.
            code = _CLOSE_INTERNAL_ERROR
            print_exception(exc)
        await ws.close(code)
        return Response.already_handled

    if _MICROPYTHON:
        # Functions take no attributes here: microdot.helpers records what
        # a wrapper wraps, for the extensions that look through wrappers
        # (csrf), which import it. A server without them does not load it.
        helpers = __import__('sys').modules.get('microdot.helpers')
        if helpers is not None:
            helpers.wraps(f)(websocket_handler)
        return websocket_handler
    from microdot.helpers import wraps
    return wraps(f)(websocket_handler)


async def _finish(ws, code):
    """Ends a WebSocket whose handler's task has ended (see
    WebSocket._ended): the closing handshake with ``code`` (0: none), then
    the connection, the way the server's request loop would have."""
    try:
        if code:
            await ws.close(code)
    except BaseException:  # (the client went away, no RAM, or cancelled)
        pass
    from microdot._server import _close
    await _close(ws.reader)


def __getattr__(name):
    # MicroPython: the opcodes (OP_TEXT, ...), close codes (CLOSE_NORMAL,
    # ...), FrameReader, ProtocolError and build_frame_header, names of
    # microdot._ws_frames, imported on first use
    from microdot import _ws_frames
    return getattr(_ws_frames, name)


if not _MICROPYTHON:  # (CPython: the same names, as this module's)
    from microdot._ws_frames import *  # noqa: E402, F401, F403

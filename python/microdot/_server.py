"""The built-in HTTP/1.1 server: connections, the per-connection request
loop, and the writing of plain responses (the parts a server that answers
only those needs; the rest is in ``microdot._respond`` and the loop over
streams in ``microdot._serve_stream``, which MicroPython imports on first
use).

A connection keeps ONE receive buffer (``buf``, with ``pos`` the first byte
not consumed yet). The request loop parses heads in place with the backend,
reads bodies from the same buffer, and writes each response with as few
writes as it can. Three kinds of connection feed it: an asyncio Protocol
(CPython, in ``microdot._aioserver``), asyncio streams (MicroPython, and
``Microdot.handle_request``) and an in-memory one (the test client).
On MicroPython a plain TCP connection gets the same loop written for it
(``_serve_socket``: the socket read and written directly, the state in
local variables, a head that arrives whole parsed from the received bytes).
Bodies over ``Request.max_body_length`` and chunked bodies are read by
``microdot._reqbody``, imported on first use.
"""
import asyncio
import sys

from microdot._backend import backend
from microdot.microdot import Request, Response

_MICROPYTHON = sys.implementation.name == 'micropython'
if _MICROPYTHON:  # milliseconds, as small ints (no float object per
    # reading; see _sweep)
    from time import ticks_ms as _now, ticks_diff
else:  # (time.monotonic: its name is not in a board's bytecode)
    from microdot._cpycore import _now

F_CHUNKED = backend.F_CHUNKED
F_KEEP_ALIVE = backend.F_KEEP_ALIVE
F_EXPECT_CONTINUE = backend.F_EXPECT_CONTINUE
# (the C module's: sets a Request's attributes in one call. Also keeps this
# module's dict at 38 names, a hash table of 47 slots: 37 names would fill
# one of 37 to the last slot, and every builtin looked up from this
# module's functions would probe all of it first, +3% instructions per
# connection)
_new_object = getattr(backend, 'new_object', None)

_CONTINUE = b'HTTP/1.1 100 Continue\r\n\r\n'
_UNAVAILABLE = (b'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n'
                b'Connection: close\r\n\r\n')
_BIG_BODY = 64 * 1024  # bodies this large are written apart from the head
_CancelledError = asyncio.CancelledError


class Connection:
    """The reading half shared by every connection kind: ``buf``/``pos`` and
    the stream interface (read, readexactly, readuntil, readline: see
    microdot._serve_stream) that extensions use once they take the
    connection over. Subclasses provide ``fill()``, ``write()``,
    ``drain()``, ``close()`` and ``wait_closed()``."""

    # (defaults in the class: a connection stores only what differs, which
    # keeps it small on MicroPython)
    scheme = 'http'
    if not _MICROPYTHON:  # (MicroPython: made when read, see __getattr__)
        client_addr = None
    reader = None  # the asyncio stream (StreamConnection)
    registry = None  # the server's set of connections, to leave at the end
    # (handoff, idle_wait and flushed(), which only the loop over streams
    # reads, are set on this class by microdot._serve_stream)
    waiting_since = None  # set while blocked on the peer
    idle = True  # no byte of the next request received yet
    request_since = None  # first byte of the request being read
    task = None
    detached = False  # taken over by a WebSocket
    linger = False  # an answer refused what the client may still be sending
    # (MicroPython, plain TCP) the stream's socket, which _serve_socket
    # waits for, reads and writes directly
    socket = None

    def __init__(self):
        self.buf = bytearray()
        self.pos = 0

    def pending(self):
        return len(self.buf) - self.pos

    def take(self, n):
        """Consumes and returns the next n buffered bytes (n <= pending)."""
        pos = self.pos
        # (through a memoryview: one copy, not two)
        data = bytes(memoryview(self.buf)[pos:pos + n])
        self.pos = pos + n
        return data

    def compact(self):
        """Drops the consumed bytes from the buffer."""
        if self.pos:
            self.buf[:self.pos] = b''
            self.pos = 0

    if _MICROPYTHON:
        def __getattr__(self, name):
            # read, readexactly, readuntil and readline, the stream
            # interface extensions read a connection with, are in
            # microdot._serve_stream, set on this class on first use
            if name == 'client_addr':
                # from the stream's peer address, made on first read and
                # kept: a connection whose requests never ask for it keeps
                # no tuple and str of it
                peer = None
                try:
                    peer = self.writer.get_extra_info('peername')
                    if isinstance(peer, (bytes, bytearray)):  # raw sockaddr
                        import socket
                        family, address, port = socket.sockaddr(peer)[:3]
                        peer = socket.inet_ntop(family, address), port
                except Exception:  # (no writer, or no peername)
                    peer = None
                self.client_addr = peer
                return peer
            if name[:4] != 'read':
                raise AttributeError(name)
            from microdot._serve_stream import add_reading
            add_reading(Connection)
            return getattr(self, name)

    def abort(self):
        """Ends the connection now (idle timeout or shutdown)."""
        self.close()
        if self.task is not None:
            self.task.cancel()


class StreamConnection(Connection):
    """A connection over asyncio streams."""

    # bytes asked for per read: each read allocates that much on
    # MicroPython, whose heap fragments, so it asks for less there
    read_size = 1024 if sys.implementation.name == 'micropython' else 4096

    def __init__(self, reader, writer, scheme='http'):
        super().__init__()
        self.reader = reader
        self.writer = writer
        if scheme != 'http':
            self.scheme = scheme
        elif _MICROPYTHON and hasattr(writer, 'out_buf'):
            sock = getattr(writer, 's', None)
            if hasattr(sock, 'recv'):
                self.socket = sock
        if not _MICROPYTHON:  # (MicroPython: on first read, in _peer)
            try:
                self.client_addr = writer.get_extra_info('peername')
            except Exception:  # pragma: no cover - no peername
                pass

    async def fill(self):
        self.compact()
        self.waiting_since = _now()
        try:
            data = await self.reader.read(self.read_size)
        finally:
            self.waiting_since = None
        if not data:
            return False
        self.buf += data
        return True

    def write(self, data):
        self.writer.write(data)

    async def drain(self):
        self.waiting_since = _now()
        try:
            await self.writer.drain()
        finally:
            self.waiting_since = None

    def close(self):
        try:
            self.writer.close()
        except Exception:  # pragma: no cover
            pass

    def wait_closed(self):
        return self.writer.wait_closed()


_prefixes = {}  # (minor, status, content type, keep-alive, default) -> prefix
# the last plain head made: content type (as set, or the default's raw
# value), status, minor, keep-alive, length, head, whether the type is the
# default (a server answering the same kind of response again and again, as
# most do, finds it here without building a key)
_last = [None, 0, 0, False, -1, b'', False]


def _plain_head(res, minor, keep_alive, length):
    """The head of the common response (no header but Content-Type, a
    length, a standard reason) as bytes, or None for any other response."""
    if res.reason is not None:
        return None
    headers = res.headers
    default = not headers
    if default:
        content_type = res.default_content_type
    else:
        if len(headers) != 1:
            return None
        content_type = headers.get('Content-Type')
        if not isinstance(content_type, str):
            return None
    status = res.status_code
    last = _last
    if last[4] == length and last[1] == status and last[0] == content_type \
            and last[2] == minor and last[3] == keep_alive and \
            last[6] == default:
        return last[5]
    key = (minor, status, content_type, keep_alive, default)
    prefix = _prefixes.get(key)
    if prefix is None:
        if len(_prefixes) >= 64:
            _prefixes.clear()
        # (what microdot._respond's _status_line and _header_line write,
        # for a standard reason and a Content-Type that is a str)
        value = res._content_type() if default else content_type
        if '\r' in value or '\n' in value:
            return None  # (microdot._respond refuses it: 500)
        if status == 200:
            prefix = 'OK'
        else:
            from microdot._reasons import phrase
            prefix = phrase(status, 'N/A')
        prefix = 'HTTP/1.{} {} {}\r\nContent-Type: {}\r\n'.format(
            minor, status, prefix, value)
        if '%' in prefix:  # (formatted with the length below)
            return None  # (a rare Content-Type: microdot._respond writes it)
        if keep_alive:
            if not minor:
                prefix += 'Connection: keep-alive\r\n'
        else:
            prefix += 'Connection: close\r\n'
        prefix = (prefix + 'Content-Length: %d\r\n\r\n').encode()
        _prefixes[key] = prefix
    head = prefix % length
    last[0] = content_type
    last[1] = status
    last[2] = minor
    last[3] = keep_alive
    last[4] = length
    last[5] = head
    last[6] = default
    return head


def _plain_bytes(res, minor, keep_alive):
    """The whole common response (a small body in memory, no header but
    Content-Type) as bytes, or None for any other response."""
    body = res.body
    if not isinstance(body, bytes):
        return None
    status = res.status_code
    if status < 200 or status == 204 or status == 304 or \
            len(body) >= _BIG_BODY:
        return None
    try:
        head = _plain_head(res, minor, keep_alive, len(body))
    except ValueError:  # (write_response answers 500)
        return None
    if head is None:
        return None
    return head + body


def _header_line_too_long(headers, limit):
    for i in range(0, len(headers), 2):
        if len(headers[i]) + len(headers[i + 1]) + 2 > limit:
            return True
    return False


async def _read_body(conn, req, length, flags):
    """Loads the body into ``req.body`` (or, in microdot._reqbody, sets up
    ``req.stream``). Returns an HTTP status when the body is refused, else
    0."""
    if not flags & F_CHUNKED:
        if length > Request.max_content_length:
            return 413
        if length <= Request.max_body_length:
            if conn.pending() < length:
                if flags & F_EXPECT_CONTINUE:
                    conn.write(_CONTINUE)
                    await conn.drain()
                while conn.pending() < length:
                    if not await conn.fill():
                        # (the client left. No message: it would be a str
                        # in RAM, and the request loop drops it unread)
                        raise EOFError
            req.body = conn.take(length)
            return 0
    from microdot._reqbody import read_streamed
    return await read_streamed(conn, req, length, flags)


def _recv_less(sock):
    """sock.recv() when a fragmented heap has no free 1 KiB block: a smaller
    read (the rest comes with the next ones); None if nothing was readable
    after all."""
    try:
        return sock.recv(128)
    except OSError as exc:
        if exc.errno != 11:  # EAGAIN
            raise
    return None


def _serve_socket(app, conn):
    """serve_connection on MicroPython over a plain TCP socket: the same
    request loop, as a generator (which MicroPython's coroutines are) that
    waits for the socket with asyncio's I/O queue itself and writes to it
    directly. What is not the common case (a body, a response with headers
    or a streamed body, an error) goes through the helpers serve_connection
    uses, and a connection sending empty lines before a request line is
    handed over to serve_connection's loop. (Unlike there, Request's limits
    are read once, when the connection opens.)

    This generator's frame (its locals, stack and exception handlers) is
    the largest block a connection keeps for its whole life, and the heap
    must have that much in one piece for every new connection: 544 bytes
    on the 64-bit unix port, 704 before it was trimmed. What it reads for
    every request is a local variable (MicroPython reads those without a
    lookup); the rest is read where it is used, methods are called on their
    objects rather than kept bound, and no handler keeps its exception
    (each `except ... as` is a handler level more)."""
    if conn.registry is not None:
        conn.task = asyncio.current_task()
    try:
        sock = conn.socket
        writer = conn.writer
        buf = conn.buf
        io = asyncio.core._io_queue
        pair = (conn, conn)
        # (the functions and values read for every request, as local
        # variables: MicroPython reads those without a lookup)
        parse = backend.parse_request
        handled = Response.already_handled
        new_object = _new_object
        now = _now
        Req = Request
        max_line = Req.max_readline
        max_head = Req.max_head_length
        max_headers = Req.max_headers
        Len = len
        Type = type
        Bytes = bytes
        # the last plain response's (body length, status, content type,
        # minor version, keep-alive, head): most connections get the same
        # kind again, and its head is reused without a call
        last = None
        while True:
            # 1. the request head (see serve_connection): parsed straight
            # from the bytes received when nothing else was buffered, else
            # in place in the connection's buffer
            pos = conn.pos
            src = buf
            end = Len(buf)
            scanned = pos
            timed = False  # whether request_since was set
            while True:
                if end > pos:
                    if src[pos] == 10 or src[pos] == 13:
                        if src is not buf:
                            buf += src
                        conn.socket = None  # (handed over)
                        yield from serve_connection(app, conn)
                        return
                    try:
                        head = parse(src, pos, end, scanned, max_line,
                                     max_head, max_headers)
                    except ValueError:  # (no `as`: one handler level less)
                        # (the head again: send_error parses it for its
                        # status, in microdot._respond)
                        yield from _send_error(conn, (src, pos, end, scanned))
                        return
                    if head is not None:
                        break
                    if src is not buf:
                        buf += src
                        src = buf
                if pos:
                    buf[:pos] = b''
                    conn.pos = pos = 0
                    end = Len(buf)
                if end:  # part of a head: request_timeout counts from now
                    conn.idle = False
                    if not timed:
                        conn.request_since = now()
                        timed = True
                else:
                    conn.idle = True
                    # (an idle connection keeps nothing of its last request)
                    src = head = req = res = data = stream = None
                conn.waiting_since = now()
                while True:
                    yield io.queue_read(sock)
                    # (read() answers None for EAGAIN, a false alarm, where
                    # recv() raises)
                    try:
                        data = sock.read(1024)
                    except MemoryError:
                        data = _recv_less(sock)
                    if data is not None:
                        break
                conn.waiting_since = None
                if not data:
                    return
                scanned = end
                if end:
                    buf += data
                    end = Len(buf)
                else:
                    src = data
                    end = Len(data)
            conn.idle = False
            method, path, query, minor, headers, head_len, length, flags = head
            pos += head_len
            if src is buf:
                conn.pos = pos
            elif pos < end:  # (a body or a next request came with it)
                buf += src
                conn.pos = pos
            # (the received bytes and the parsed head are not needed past
            # here: a WebSocket the handler runs keeps this frame for long)
            src = data = head = None
            if head_len > max_line and \
                    _header_line_too_long(headers, max_line):
                yield from _send_error(conn, 431)
                return
            # (the attributes Request.__init__ stores for these arguments,
            # without its call and its tests of those the server never
            # passes; with the C module, in one call. client_addr is read
            # from the connection when asked for)
            if new_object is not None:
                req = new_object(Req, 'app', app, 'path', path,
                                 '_raw_headers', headers, 'sock', pair)
            else:
                req = object.__new__(Req)
                req.app = app
                req.path = path
                req._raw_headers = headers
                req.sock = pair
            path = headers = None
            if method != 'GET':
                req.method = method
            if query is not None:  # (url is joined when read)
                req.query_string = query
            if not minor:
                req.http_version = '1.0'
            head_only = method == 'HEAD'

            # 2. the body, and the app
            keep_alive = flags & F_KEEP_ALIVE != 0
            stream = None
            if length > 0 or flags & F_CHUNKED:
                if not timed:
                    conn.request_since = now()
                    timed = True
                # (res: the HTTP status refusing the body, or 0)
                res = yield from _read_body(conn, req, length, flags)
                if res:
                    conn.linger = True
                    res = yield from app.error_response(req, res)
                    yield from _respond(app, conn, req, res, minor, False,
                                        head_only, None)
                    return
                stream = req._stream
            res = yield from app.dispatch_request(req)
            if res is handled:
                return

            # 3. the response
            if app._shutdown_requested:
                keep_alive = False
            if stream is None:
                if timed:
                    conn.request_since = None
                if not head_only:
                    data = res.body
                    if last is not None and Type(data) is Bytes and \
                            Len(data) == last[0] and \
                            res.status_code == last[1] and \
                            res.reason is None and not res.headers and \
                            res.default_content_type is last[2] and \
                            minor == last[3] and keep_alive == last[4]:
                        data = last[5] + data
                    else:
                        data = _plain_bytes(res, minor, keep_alive)
                        if data is not None and not res.headers:
                            # (the head _plain_head made, as it keeps it
                            # in _last: shared, not a copy per connection)
                            last = (len(res.body), res.status_code,
                                    res.default_content_type, minor,
                                    keep_alive, _last[5])
                if data is not None:
                    if app.debug:
                        _log(app, req, res)
                    if writer.out_buf:
                        writer.write(data)
                    else:
                        sent = sock.write(data)
                        if sent == Len(data):
                            if keep_alive:
                                continue
                            return
                        writer.write(data[sent or 0:])
                    conn.waiting_since = now()
                    yield from writer.drain()
                    conn.waiting_since = None
                    if keep_alive:
                        continue
                    return
            elif not getattr(stream, 'from_server', False):
                stream = None
            if not (yield from _respond(app, conn, req, res, minor,
                                        keep_alive, head_only, stream)):
                return
    except _CancelledError:
        pass  # idle timeout or shutdown
    except (OSError, EOFError):
        pass  # the client went away
    except MemoryError:
        yield from _out_of_memory(conn)
    except Exception as exc:  # pragma: no cover - a bug in the server
        sys.print_exception(exc)  # (MicroPython's; no local for helpers')
    finally:
        if conn.socket is not None:  # (else serve_connection closes it)
            yield from _close(conn)


_stream_loop = None  # microdot._serve_stream.serve_connection, once imported


def serve_connection(app, conn):
    """Serves the requests of one connection until it closes (a coroutine):
    MicroPython's plain TCP connections in _serve_socket, the others in
    microdot._serve_stream (on MicroPython imported on first use; CPython
    imports it at once, and its serve_connection replaces this one)."""
    global _stream_loop
    if conn.socket is not None:
        return _serve_socket(app, conn)
    if _stream_loop is None:
        # (an import in a function allocates on each call on MicroPython:
        # 32 bytes per connection of Microdot.handle_request)
        from microdot._serve_stream import serve_connection as _stream_loop
    return _stream_loop(app, conn)


# Stubs of microdot._respond's respond and send_error (the responses the
# plain path does not write; on MicroPython imported on first use): the
# first call puts the real function in the stub's place. (CPython imports
# them at the end of this module.)

def _respond(app, conn, req, res, minor, keep_alive, head_only, stream):
    global _respond
    from microdot._respond import respond as _respond
    return _respond(app, conn, req, res, minor, keep_alive, head_only,
                    stream)


def _send_error(conn, status_code):
    global _send_error
    from microdot._respond import send_error as _send_error
    return _send_error(conn, status_code)


async def _out_of_memory(conn):
    """Out of RAM (MicroPython): drops this connection, keeps serving."""
    try:
        conn.write(_UNAVAILABLE)
        await conn.drain()
    except Exception:
        pass


async def _close(conn):
    if conn.linger and conn.reader is not None:
        # (a refused request: microdot._respond, which answered it, is
        # loaded)
        from microdot._respond import linger
        await linger(conn)
    conn.close()
    if conn.registry is not None:
        conn.registry.discard(conn)
    try:
        # (MicroPython's asyncio closes the socket in wait_closed() only)
        await conn.wait_closed()
    except Exception:  # pragma: no cover
        pass


def _log(app, req, res):
    if app.debug:
        print(req.method, req.path, res.status_code)


async def _sweep(app, registry):
    """Closes connections that idle (or stall) past the app's timeouts."""
    while True:
        await asyncio.sleep(1)
        now = _now()
        for conn in list(registry):
            since = conn.waiting_since
            if since is None or getattr(conn, 'detached', False):
                continue  # (a WebSocket that took over may idle at will)
            if conn.request_since is not None:
                since = conn.request_since
                limit = app.request_timeout
            elif conn.idle:
                limit = app.keep_alive_timeout
            else:
                limit = app.request_timeout
            if (ticks_diff(now, since) / 1000 if _MICROPYTHON
                    else now - since) > limit:
                conn.abort()


async def _refuse(writer):
    """Answers a connection over Microdot.max_connections with 503."""
    try:
        writer.write(_UNAVAILABLE)
        await writer.drain()
    except Exception:
        pass
    try:
        writer.close()
        await writer.wait_closed()
    except Exception:
        pass


async def serve_forever(app, host, port, ssl):
    """Listens on host:port until app.shutdown(), then lets the requests in
    progress finish (for a few seconds at most) and returns."""
    connections = set()
    scheme = 'https' if ssl else 'http'
    if app._router is None:
        # (before the first request: the router lives as long as the app,
        # and on MicroPython its blocks then come from a heap that requests
        # have not fragmented yet)
        app._router = app._compile_router()
    # app._stop: what shutdown() calls; stopped: waits until it was called
    if not _MICROPYTHON:  # (microdot._aioserver's server)
        from microdot._cpycore import listen
        server, stopped = await listen(app, connections, scheme, host, port,
                                       ssl)
    else:
        def accept(reader, writer):
            # (returns the connection's coroutine, for asyncio to run as
            # its task: no coroutine in between)
            cap = app.max_connections
            if cap is not None and len(connections) >= cap:
                return _refuse(writer)
            conn = StreamConnection(reader, writer, scheme)
            conn.registry = connections
            connections.add(conn)
            try:
                if conn.socket is not None:
                    return _serve_socket(app, conn)
                return serve_connection(app, conn)
            except MemoryError:
                # (no room for the connection's coroutine, its largest
                # block: refused, where the exception would end the server)
                connections.discard(conn)
                return _refuse(writer)

        # (MicroPython's default backlog of 5 refuses bursts of clients)
        server = await asyncio.start_server(accept, host, port,
                                            backlog=64, ssl=ssl)
        # (closing the listening server is the signal: an asyncio.Event
        # would import asyncio's event module, about 1 KB of a board's RAM)
        app._stop = server.close
        stopped = server.wait_closed
    app.server = server
    sweeper = asyncio.create_task(_sweep(app, connections))
    if app.debug:
        print('Starting async server on {}:{}...'.format(host, port))
    try:
        if not app._shutdown_requested:
            await stopped()  # (until shutdown() calls app._stop)
    finally:
        server.close()
        await server.wait_closed()
        for conn in list(connections):
            if conn.idle:
                conn.abort()
        for _ in range(50):
            if not connections:
                break
            await asyncio.sleep(0.1)
        for conn in list(connections):
            conn.abort()
        sweeper.cancel()
        app._stop = None
        app.server = None


if not _MICROPYTHON:  # (RAM to spare: everything loaded at once)
    from microdot._respond import respond as _respond, \
        send_error as _send_error  # noqa: F811
    from microdot._serve_stream import serve_connection, \
        add_reading  # noqa: F811
    add_reading(Connection)

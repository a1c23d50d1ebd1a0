"""The built-in server's request loop over a connection's stream interface
(``fill()``, ``write()``, ``drain()``): CPython's asyncio Protocol
connections (microdot._aioserver), the test client's in-memory ones,
``Microdot.handle_request``, and on MicroPython TLS connections and those
that begin with empty lines; and the reading methods extensions use on a
connection they take over (read, readexactly, readuntil, readline).
MicroPython's plain TCP connections have their own loop
(microdot._server._serve_socket) and WebSockets read them directly, so
there this module is imported on first use.
"""
import asyncio

from microdot._backend import backend
from microdot.microdot import Request, Response
from microdot._server import F_CHUNKED, F_KEEP_ALIVE, _CancelledError, \
    _close, _header_line_too_long, _log, _now, _out_of_memory, \
    _plain_bytes, _read_body, Connection, StreamConnection
from microdot._respond import respond, send_error, write_response
from microdot.helpers import print_exception


# What only this loop reads of a connection, set on microdot._server's
# classes here (MicroPython's plain TCP loop runs without them):
Connection.handoff = None  # (CPython) a request _aioserver._serve_now began
Connection.idle_wait = False  # (CPython) the loop waits for a next request


def _never_flushed(conn):
    """Whether what was written is on its way without a drain()."""
    return False


def _out_buf_empty(conn):
    # MicroPython's streams write at once what the socket takes and keep
    # the rest in out_buf for drain()
    return not getattr(conn.writer, 'out_buf', True)


Connection.flushed = _never_flushed
StreamConnection.flushed = _out_buf_empty


async def serve_connection(app, conn):
    """Serves the requests of one connection until it closes (called through
    microdot._server.serve_connection, which gives MicroPython's plain TCP
    connections to _serve_socket instead)."""
    if conn.registry is not None:
        conn.task = asyncio.current_task()
    try:
        parse = backend.parse_request
        now = _now
        Req = Request
        sock = (conn, conn)
        handled = Response.already_handled
        client_addr = conn.client_addr
        scheme = conn.scheme
        reader = conn.reader
        while True:
            # 1. the request head, parsed in place in the connection buffer
            # (request_timeout counts from its first byte: trickling bytes
            # does not keep a request open)
            pos = conn.pos
            conn.request_since = now() if len(conn.buf) > pos else None
            scanned = pos
            handoff = None
            blank = 0  # empty lines skipped before the request line
            while True:
                buf = conn.buf
                end = len(buf)
                while pos < end and (buf[pos] == 10 or (
                        buf[pos] == 13 and scanned == pos)):
                    # RFC 9112 2.2: ignore empty lines before a request line
                    pos += 1
                    scanned = pos
                    blank += 1
                    if blank > Req.max_readline:
                        await send_error(conn, 400)
                        return
                conn.pos = pos
                if end > pos:  # (nothing to parse between requests)
                    try:
                        head = parse(buf, pos, end, scanned,
                                     Req.max_readline, Req.max_head_length,
                                     Req.max_headers)
                    except ValueError as exc:
                        status = exc.args[0] if exc.args else 400
                        await send_error(conn, status if isinstance(
                            status, int) else 400)
                        return
                    if head is not None:
                        break
                received = end - pos
                conn.idle = not received
                if reader is None:
                    conn.idle_wait = not received
                    more = await conn.fill()
                    conn.idle_wait = False
                    if not more:
                        return
                    handoff = conn.handoff
                    if handoff is not None:
                        break  # (a request _aioserver._serve_now started)
                else:  # (StreamConnection.fill, inlined: on MicroPython
                    # each coroutine call allocates its frame)
                    if pos:
                        buf[:pos] = b''  # (compact(); the same bytearray)
                        conn.pos = 0
                    conn.waiting_since = now()
                    data = await reader.read(conn.read_size)
                    conn.waiting_since = None
                    if not data:
                        return
                    buf += data
                if conn.request_since is None:
                    conn.request_since = now()
                pos = conn.pos
                scanned = pos + received
            if handoff is not None:
                conn.handoff = None
                conn.idle = False
                req, res, coro, yielded, minor, keep_alive = handoff
                head_only = False
                stream = req._stream
                if coro is not None:
                    from microdot._aioserver import _Resume
                    res = await _Resume(coro, yielded)
                    if res is handled:
                        return
                elif res is None:  # (written, not flushed)
                    await conn.drain()
                    if keep_alive:
                        continue
                    return
            else:
                conn.idle = False
                method, path, query, minor, headers, head_len, length, \
                    flags = head
                conn.pos = pos + head_len
                if head_len > Req.max_readline and \
                        _header_line_too_long(headers, Req.max_readline):
                    await send_error(conn, 431)
                    return
                req = Req(app, client_addr, method, path,
                          '1.1' if minor else '1.0', headers, None, None,
                          sock, '', None, scheme)
                if query is not None:  # (url is joined when read)
                    req.query_string = query
                head_only = method == 'HEAD'

                # 2. the body, and the app
                keep_alive = flags & F_KEEP_ALIVE != 0
                stream = None  # a body the server streams (microdot._reqbody)
                if length > 0 or flags & F_CHUNKED:
                    status = await _read_body(conn, req, length, flags)
                    if status:
                        conn.linger = True
                        res = await app.error_response(req, status)
                        await write_response(conn, res, minor, False,
                                             head_only)
                        _log(app, req, res)
                        return
                    stream = req._stream
                res = await app.dispatch_request(req)
                if res is handled:
                    return

            # 3. the response
            if app._shutdown_requested:
                keep_alive = False
            if stream is not None and \
                    not getattr(stream, 'from_server', False):
                stream = None  # (only a body stream of microdot._reqbody)
            if stream is None:
                # (a stalled write gets request_timeout)
                conn.request_since = None
                data = None if head_only else \
                    _plain_bytes(res, minor, keep_alive)
                if data is not None:  # (drained only when stuck)
                    if app.debug:
                        _log(app, req, res)
                    conn.write(data)
                    if conn.flushed():
                        pass
                    elif reader is None:
                        await conn.drain()
                    else:  # (StreamConnection.drain, inlined)
                        conn.waiting_since = now()
                        await conn.writer.drain()
                        conn.waiting_since = None
                    if keep_alive:
                        continue
                    return
            if not await respond(app, conn, req, res, minor, keep_alive,
                                 head_only, stream):
                return
    except _CancelledError:
        pass  # idle timeout or shutdown
    except (OSError, EOFError):
        pass  # the client went away
    except MemoryError:
        await _out_of_memory(conn)
    except Exception as exc:  # pragma: no cover - a bug in the server
        print_exception(exc)
    finally:
        await _close(conn)


class _Reading:
    """The stream reading methods of a connection (microdot._server's
    Connection, which gets them from add_reading)."""

    async def read(self, n=-1):
        if n < 0:
            while await self.fill():
                pass
            return self.take(self.pending())
        if not self.pending() and not await self.fill():
            return b''
        return self.take(min(n, self.pending()))

    async def readexactly(self, n):
        while self.pending() < n:
            if not await self.fill():
                raise EOFError('connection closed')
        return self.take(n)

    async def readuntil(self, separator=b'\n'):
        start = self.pos
        while True:
            end = self.buf.find(separator, start)
            if end >= 0:
                return self.take(end + len(separator) - self.pos)
            start = max(self.pos, len(self.buf) - len(separator) + 1)
            offset = self.pos
            if not await self.fill():
                raise EOFError('connection closed')
            start += self.pos - offset

    async def readline(self):
        try:
            return await self.readuntil(b'\n')
        except EOFError:
            return self.take(self.pending())


def add_reading(cls):
    for name in ('read', 'readexactly', 'readuntil', 'readline'):
        setattr(cls, name, getattr(_Reading, name))

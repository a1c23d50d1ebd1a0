"""The built-in server's CPython half: connections driven by asyncio
callbacks (``asyncio.Protocol``) and, on CPython 3.11+, requests served
straight from ``data_received`` (the first ones of a connection, and the
next ones of a kept-alive connection whose request loop waits idle). A
connection gets a task of its own only when it has to wait: until then its
handlers run in the server's spare task (``_Spare``), so a connection that
closes after answering costs no task.
MicroPython has no Protocol: its bundles and frozen builds leave this module
out, and ``microdot._server`` imports it only where ``asyncio.Protocol``
exists."""
import asyncio
import sys
from functools import partial
from asyncio import Task as _Task
from types import CoroutineType as _Coroutine
from weakref import getweakrefcount as _weakrefs

from microdot._backend import backend
from microdot._server import Connection, serve_connection, _now, _log, \
    _plain_bytes, _UNAVAILABLE, F_CHUNKED, F_KEEP_ALIVE, _CancelledError
from microdot.microdot import Microdot, Request, Response, \
    _make_response

try:  # CPython 3.11+ (tasks created with a context): see _serve_now
    import contextvars
    from asyncio.tasks import _enter_task, _leave_task
    if sys.version_info < (3, 11):
        raise ImportError
except ImportError:
    _enter_task = None
_refs = sys.getrefcount
try:  # (its extra info read directly: see connection_made)
    from asyncio.selector_events import _SelectorSocketTransport \
        as _TCPTransport
except ImportError:
    _TCPTransport = None


def _keep_freed_memory():
    """glibc: serve blocks of up to 1 MiB from the heap and keep up to
    4 MiB of it once freed. With its defaults (a dynamic mmap threshold,
    the top of the heap given back to the kernel past twice that), whether
    asyncio's 256 KiB read buffers and a busy connection's buffer are
    mapped, faulted in and given back at every read depends on the
    process's heap layout: about 30 page faults per 64 KiB WebSocket
    message, or none."""
    try:
        import ctypes
        mallopt = ctypes.CDLL(None).mallopt
    except (ImportError, OSError, AttributeError):  # not glibc
        return
    mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD
    mallopt(-1, 4 << 20)  # M_TRIM_THRESHOLD


async def start_server(app, connections, scheme, host, port, ssl):
    loop = asyncio.get_running_loop()
    _keep_freed_memory()
    listener = _Listener()
    listener.direct = type(app).dispatch_request is Microdot.dispatch_request
    # (a partial, not a lambda: no Python frame more per connection)
    listener.server = await loop.create_server(
        partial(ProtocolConnection, app, connections, scheme, loop, listener),
        host, port, ssl=ssl, reuse_address=True, backlog=128)
    return listener


class _Listener(asyncio.AbstractServer):
    """The asyncio server (an AbstractServer whose attributes are the
    server's), and the spare task its fresh connections are served in (see
    ProtocolConnection.data_received), which ends when the server closes."""

    server = None
    spare = None
    # whether _serve_now may call handlers itself: not when the app's class
    # has a dispatch_request of its own
    direct = True

    def close(self):
        self.server.close()
        spare = self.spare
        if spare is not None:
            self.spare = None
            spare.task.cancel()

    def get_loop(self):
        return self.server.get_loop()

    def is_serving(self):
        return self.server.is_serving()

    async def start_serving(self):
        await self.server.start_serving()

    async def serve_forever(self):
        await self.server.serve_forever()

    async def wait_closed(self):
        await self.server.wait_closed()

    def __getattr__(self, name):
        return getattr(self.server, name)


class _Spare:
    """A connection's task made ahead: it waits, in a context of its own,
    for the connection that takes it (``conn``)."""

    def __init__(self, app, loop):
        self.conn = None
        self.context = contextvars.copy_context()
        self.snapshot = self.context.copy()  # (to tell it was changed)
        self.wake = loop.create_future()
        self.task = _new_task(loop, _run(app, self, None), self.context)

    def take(self, conn):
        self.conn = conn
        conn.task = self.task
        conn.context = self.context
        if not self.wake.done():  # (cancelled: _run finds conn)
            self.wake.set_result(None)


def _new_task(loop, coro, context):
    coro.send(None)  # (primed: see _run)
    if loop.get_task_factory() is None:
        return _Task(coro, loop=loop, context=context)
    return loop.create_task(coro, context=context)


class ProtocolConnection(asyncio.Protocol, Connection):
    """A connection driven by asyncio callbacks (CPython): received bytes
    go straight into the buffer, with no stream layer in between."""

    high_water = 256 * 1024  # stop reading with this much unconsumed
    context = None  # the request loop's task's, for _serve_now
    ended = False  # closed by data_received: the task has nothing to do
    resume_pos = None  # (see _go_on)
    # The state a connection closed from data_received never changes (see
    # _own_state); in the class, not set per connection. (The buffer: an
    # empty bytes until bytes must be kept, then a bytearray.)
    buf = b''
    pos = 0
    transport = None
    eof = closed = refused = False
    _waiter = _drain_waiter = None
    _read_paused = False

    def __init__(self, app, connections, scheme, loop=None, listener=None):
        # (what the first bytes' path reads is set here, even to its
        # default: CPython 3.11 reads instance attributes faster than class
        # ones)
        self.app = app
        self.connections = connections
        self.scheme = scheme
        self.loop = loop
        self.listener = _Listener() if listener is None else listener
        self.task = None
        self._write_paused = False

    def _own_state(self):
        # A connection that goes on past data_received: the defaults of
        # the class stored in the instance, for its request loop to read
        # them faster (the values unchanged), and its buffer a bytearray
        if self.buf.__class__ is not bytearray:
            self.buf = bytearray(self.buf)
        self.pos = self.pos
        self.transport = self.transport
        self.eof = self.eof
        self.closed = self.closed
        self.refused = self.refused
        self._waiter = self._waiter
        self._drain_waiter = self._drain_waiter
        self._read_paused = self._read_paused

    def connection_made(self, transport):
        self.transport = transport
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
        if transport.__class__ is _TCPTransport:  # (get_extra_info's dict)
            self.client_addr = transport._extra['peername']
        else:
            self.client_addr = transport.get_extra_info('peername')
        cap = self.app.max_connections
        if cap is not None and len(self.connections) >= cap:
            # answer 503 and half-close; what the client sends is read
            # and dropped (closing with it unread would reset the
            # connection, and the 503 could be lost) for a moment
            self.refused = True
            self.data_received = _drop  # (not read: see data_received)
            transport.write(_UNAVAILABLE)
            if transport.can_write_eof():  # (not over TLS)
                transport.write_eof()
            self.loop.call_later(2, transport.close)
            return
        self.connections.add(self)
        # The request loop starts with the first bytes, so a request
        # that arrives whole finds them already buffered and costs no
        # wait; until then the connection is idle (for the sweeper).
        self.waiting_since = _now()

    def data_received(self, data):
        if self.task is None and _enter_task is not None:
            # CPython 3.11+: the first bytes of the connection. The requests
            # already whole are served here (_serve_now), handlers running in
            # the server's spare task (the current_task() they see) and its
            # context. A connection that ends with them is closed at once and
            # leaves the spare as it was: a Connection: close request costs
            # no task and no wake-up. If its handlers left a trace on the
            # spare (a reference or a weak reference kept, a cancellation, a
            # done callback, a context variable set, a new name), or one
            # waits, the connection takes the spare, and goes on in it; one
            # that goes on otherwise (keep-alive, bodies, streamed responses)
            # gets a task of its own. (A refused connection's data_received
            # is _drop, set on it by connection_made.)
            self.waiting_since = None
            if self.buf:  # (not the first bytes after all: parsed there)
                self.buf += data
                data = None
            listener = self.listener
            spare = listener.spare
            if spare is None:
                spare = listener.spare = _Spare(self.app, self.loop)
            task = spare.task
            ctx = spare.context
            refs = _refs(task)
            weak = _weakrefs(task)
            name = task.get_name()
            more = ctx.run(_serve_now, self.app, self, task, data)
            taken = _refs(task) != refs or _weakrefs(task) != weak or \
                task.cancelling() or task.get_name() != name or \
                task._callbacks is not None or ctx != spare.snapshot or \
                (more and self.handoff is not None and
                 self.handoff[2] is not None)
            if more is False and not taken:
                self.transport.close()
                return
            self._go_on(more, taken, spare, ctx)
            return
        if _enter_task is None and self.task is None:
            self._own_state()  # (before CPython 3.11: the first bytes)
        buf = self.buf
        buf += data
        waiter = self._waiter
        if waiter is not None:  # (self._wake(), inlined)
            more = True
            if self.idle_wait and self.context is not None:
                more = self.context.run(_serve_now, self.app, self,
                                        self.task)
                if more is None:  # all served: the loop waits on
                    self.waiting_since = _now()
                    return
            if self._waiter is waiter:  # (not a handler's since)
                self._waiter = self.waiting_since = None
            if not waiter.done():
                waiter.set_result(more)
        elif self.task is None:  # (before CPython 3.11)
            self.waiting_since = None
            self.task = self.loop.create_task(
                serve_connection(self.app, self))
        if len(buf) - self.pos > self.high_water:
            self._read_paused = True
            self.transport.pause_reading()

    def _go_on(self, more, taken, spare, ctx):
        # The connection goes on after data_received served its first
        # requests (``more`` what _serve_now answered): in the spare task,
        # ``taken``, or in a task of its own, made here in a copy of the
        # spare's context ``ctx``.
        self._own_state()
        if more is False:
            self.ended = True
        elif more and self.handoff is not None:
            # the task's request loop must take this request first: it
            # finds the buffer empty, and fill() gives the rest back (set
            # before the task is made: an eager task factory runs its
            # first step in create_task)
            self.idle = False
            self.resume_pos = self.pos
            self.pos = len(self.buf)
        if taken:
            self.listener.spare = None
            spare.take(self)
        else:
            ctx = self.context = ctx.copy()
            self.task = _new_task(self.loop, _run(self.app, None, self), ctx)
        if more is None:  # all served: the task starts idle
            return
        if not more:
            self.transport.close()
            return
        if len(self.buf) - self.pos > self.high_water:
            self._read_paused = True
            self.transport.pause_reading()

    def eof_received(self):
        self.eof = True
        if self.task is None:
            return False  # nothing was asked: let the transport close
        self._wake()
        # keep the write side open to answer (TLS cannot half-close: there
        # asyncio ignores True and logs a warning)
        return self.transport.get_extra_info('sslcontext') is None

    def connection_lost(self, exc):
        self.eof = self.closed = True
        self.connections.discard(self)
        transport = self.transport
        if transport.__class__ is _TCPTransport:
            # (its reading callback, a bound method of its own, makes a
            # cycle that only the cyclic collector would free, with the
            # socket and the extra info: 7 objects per connection, a gen-0
            # collection every 100 connections. Nothing reads it once the
            # connection is lost: asyncio calls this after closing it.)
            transport._read_ready_cb = None
        if self.task is None:  # (closed from data_received: none waits)
            return
        if self._waiter is not None:
            self._wake()
        if self._drain_waiter is not None or self._write_paused:
            self.resume_writing()

    def _wake(self):
        # (after eof or a lost connection: nothing more to read)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = self.waiting_since = None
            if not waiter.done():
                waiter.set_result(False)

    def pause_writing(self):
        self._write_paused = True

    def resume_writing(self):
        self._write_paused = False
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def fill(self):
        # (not a coroutine: the future it returns is all there is to
        # wait for, and _wake() settles it)
        if self.resume_pos is not None:  # (see _go_on)
            self.pos = self.resume_pos
            self.resume_pos = None
            waiter = self.loop.create_future()
            waiter.set_result(True)
            return waiter
        size = len(self.buf)
        if self.pos == size:
            if size:
                self.buf = bytearray()
                self.pos = size = 0
        elif self.pos > 65536:
            self.compact()
            size = len(self.buf)
        if self._read_paused:
            self._read_paused = False
            self.transport.resume_reading()
        waiter = self.loop.create_future()
        if len(self.buf) > size:
            waiter.set_result(True)
        elif self.eof:
            waiter.set_result(False)
        else:
            self._waiter = waiter
            self.waiting_since = _now()
        return waiter

    def write(self, data):
        if self.closed:
            raise ConnectionResetError('connection lost')
        self.transport.write(data)

    def flushed(self):
        return not self._write_paused

    async def drain(self):
        # is_closing(): a write that failed closes the transport at once
        # but reports connection_lost a loop turn later, and a response
        # whose writes never fill the buffer would never give it that turn
        if self.closed or self.transport.is_closing():
            raise ConnectionResetError('connection lost')
        if self._write_paused:
            self._drain_waiter = self.loop.create_future()
            self.waiting_since = _now()
            try:
                await self._drain_waiter
            finally:
                self.waiting_since = None
            if self.closed:
                raise ConnectionResetError('connection lost')

    def close(self):
        if self.transport is not None and not self.closed:
            self.transport.close()

    async def wait_closed(self):
        pass


class _Primed:
    def __await__(self):
        yield


_primed = _Primed()


async def _run(app, spare, conn):
    """The task of a connection: ``conn``'s, or a spare (see _Spare) until
    a connection takes it. It is primed (run up to its first await) before
    it is made a task, so that a cancellation arriving before the task's
    first step lands in this try."""
    try:
        await _primed
        if conn is None and spare.conn is None:
            await spare.wake
    except _CancelledError as exc:
        if conn is None:
            conn = spare.conn
            if conn is None:  # (the server closed)
                return
        if not _cancel_handoff(conn, exc):
            conn.close()
            return
    if conn is None:
        conn = spare.conn
    if not conn.ended:
        await serve_connection(app, conn)


def _cancel_handoff(conn, exc):
    """Delivers a cancellation of the connection's task to the handler that
    _serve_now started (where it waits, as if it had run in the task all
    along). Returns whether the request loop goes on with its outcome."""
    handoff = conn.handoff
    if handoff is None or handoff[2] is None:
        return False  # (the loop, cancelled, ends the connection)
    req, res, coro, pending, minor, keep_alive = handoff
    conn.handoff = None
    try:
        pending = coro.throw(exc)
    except StopIteration as stop:  # (it caught the cancellation)
        if stop.value is Response.already_handled:
            return False
        conn.handoff = (req, stop.value, None, None, minor, keep_alive)
    except BaseException:
        return False
    else:
        conn.handoff = (req, None, coro, pending, minor, keep_alive)
    return True


class _Resume:
    """Awaits, in the request loop's task, a handler's coroutine that
    _serve_now started and that waits for ``pending`` (what it yielded)."""

    def __init__(self, coro, pending):
        self.coro = coro
        self.pending = pending

    def __await__(self):
        coro = self.coro
        value = self.pending
        while True:
            try:
                try:
                    sent = yield value
                except BaseException as exc:
                    value = coro.throw(exc)
                else:
                    value = coro.send(sent)
            except StopIteration as exc:
                return exc.value


def _serve_now(app, conn, task, data=None):
    """CPython: serves, from data_received, the requests already whole in
    the buffer of a connection whose request loop waits idle for the next
    one, or has not started yet (a GET-like request without a body and
    with a plain response costs no task wake-up). The handler runs as part
    of ``task`` (the loop's, or the server's spare: see
    ProtocolConnection.data_received), in the current context; one that
    waits is handed to the loop, as is anything but that simple case.
    Returns None when all was served and the loop can wait on, True to wake
    it (or let it start), False to end the connection. ``data``: the first
    bytes of a fresh connection, parsed where they are (the buffer is
    empty): only what follows the first head is copied to the buffer.

    A route without components whose handler is async, not mounted, in an
    app without before-request handlers, has its handler called here
    rather than through Microdot.dispatch_request; when it returns a str
    the answer is made without a Response (see _text_answer)."""
    parse = backend.parse_request
    loop = conn.loop
    while True:
        if data is None:
            buf = conn.buf
            pos = conn.pos
        else:
            buf = data
            pos = 0
        end = len(buf)
        if pos == end:
            conn.buf = bytearray()
            conn.pos = 0
            return None
        max_line = Request.max_readline
        if buf[pos] < 14:  # (CR or LF: the loop skips empty lines; other
            head = None    # control bytes are the loop's error to answer)
        else:
            try:
                head = parse(buf, pos, end, pos, max_line,
                             Request.max_head_length, Request.max_headers)
            except ValueError:
                head = None  # (the loop answers the error)
        if head is None:
            if data is not None:  # (the buffer is empty)
                conn.buf = bytearray(data)
            return True
        method, path, query, minor, headers, head_len, length, flags = head
        if head_len > max_line or length > 0 or \
                flags & F_CHUNKED or method == 'HEAD':
            if data is not None:
                conn.buf = bytearray(data)
            return True
        if data is None:
            conn.pos = pos + head_len
        else:
            if end > head_len:  # (pipelined)
                conn.buf = bytearray(memoryview(data)[head_len:])
            data = None
        # Request(app, conn.client_addr, method, path, version, headers,
        # sock=(conn, conn), scheme=conn.scheme) with query_string set (the
        # url is joined when read), made without calling the class: what
        # its __init__ would store, stored here (a class call with a Python
        # __init__ and a dozen arguments costs CPython ~2k instructions)
        req = _new_object(Request)
        req.app = app
        if method != 'GET':
            req.method = method
        req.path = path
        if query is not None:
            req.query_string = query
        if not minor:
            req.http_version = '1.0'
        req._raw_headers = headers
        if conn.client_addr is not None:
            req.client_addr = conn.client_addr
        req.sock = (conn, conn)
        if conn.scheme != 'http':
            req.scheme = conn.scheme
        keep_alive = flags & F_KEEP_ALIVE != 0
        # The route whose handler is called here (see the docstring): a
        # route without components that dispatch_request would find in the
        # router's table, with an async handler, not mounted, in an app
        # without before-request handlers, whose class does not change
        # dispatch_request.
        route = app._router if conn.listener.direct else None
        if route is not None:
            route = route[1].get(path)
            if route is not None:
                route = route[0]
                if method not in route.methods or not route.is_async or \
                        route.subapp is not None or \
                        app.before_request_handlers:
                    route = None
        _enter_task(loop, task)
        try:
            if route is None:
                coro = app.dispatch_request(req)
            else:  # (what dispatch_request does for it, up to the call)
                req.route = handler = route.handler
                coro = handler(req)
                if coro.__class__ is not _Coroutine:  # (another awaitable)
                    coro = _awaited(coro)
            if _step is not None:
                res, done = _step(coro)
            else:  # (the same in Python, without a frame more)
                try:
                    res = coro.send(None)
                    done = False
                except StopIteration as exc:
                    res = exc.value
                    done = True
            if not done:  # (res: what it waits for)
                if route is not None:  # the rest of the dispatch waits
                    coro = _dispatch_rest(app, req, coro, res, None)
                    res = coro.send(None)  # (yields the same again)
                conn.handoff = (req, None, coro, res, minor, keep_alive)
                return True
        except _CancelledError:
            conn.abort()  # (as the request loop ends when cancelled)
            return False
        except Exception as exc:
            if route is None:
                conn.abort()
                raise
            res = _Failed(exc)  # (the handler's: answered below)
        except BaseException:
            conn.abort()
            raise
        finally:
            _leave_task(loop, task)
        if app._shutdown_requested:
            keep_alive = False
        out = None
        if route is not None:
            if res.__class__ is str and not app.debug and \
                    not app.after_request_handlers and \
                    not req.after_request_handlers:
                last = _text_last  # (the same str as last time?)
                if last[5] is res and minor == last[1] and \
                        keep_alive == last[2] and \
                        last[0] is Response.default_content_type:
                    out = last[6]
                else:
                    out = _text_answer(res, minor, keep_alive)
            if out is None:
                res = _finish_dispatch(app, conn, task, req, res, minor,
                                       keep_alive)
                if res is None:  # (handed to the loop)
                    return True
                if res is False:
                    return False
        if out is None:
            if res is Response.already_handled:
                return False
            out = _plain_bytes(res, minor, keep_alive)
            if out is None:
                conn.handoff = (req, res, None, None, minor, keep_alive)
                return True
        conn.transport.write(out)  # (conn.write: not closed while here)
        if app.debug:
            _log(app, req, res)
        if conn._write_paused:  # (not flushed: the loop drains)
            conn.handoff = (req, None, None, None, minor, keep_alive)
            return True
        if not keep_alive:
            return False


try:  # (object.__new__(cls) in one C call)
    from microdot._cbuild import new_object as _new_object
except ImportError:
    _new_object = object.__new__


def _drop(data):
    # (what a refused connection receives)
    pass


try:  # (coro.send(None) without raising the StopIteration that ends it)
    from microdot._cbuild import step as _step
except ImportError:
    _step = None


async def _awaited(awaitable):
    # (a handler whose call gives an awaitable that is not a coroutine)
    return await awaitable


class _Failed:
    """What a handler called by _serve_now raised (an Exception)."""

    __slots__ = ('exc',)

    def __init__(self, exc):
        self.exc = exc


# the last answer made by _text_answer: (default content type, HTTP minor
# version, keep-alive, body length, head, text, answer), replaced whole
# (servers in other threads may read it meanwhile)
_text_last = (None, -1, False, -1, b'', None, b'')


def _text_answer(text, minor, keep_alive):
    """The bytes of Response(text) (a handler's str, status 200, no header)
    as _plain_bytes makes them, without making the Response; None for a
    text that does not encode or is too long for _plain_bytes. (_serve_now
    answers the same text object as last time, a handler's constant, with
    the same bytes without calling this.)"""
    global _text_last
    last = _text_last
    content_type = Response.default_content_type
    try:
        body = text.encode()
    except UnicodeError:
        return None  # (the Response made of it fails: _finish_dispatch)
    size = len(body)
    if last[3] == size and last[0] is content_type and last[1] == minor \
            and last[2] == keep_alive:
        head = last[4]
        out = head + body
    else:
        out = _plain_bytes(Response(body), minor, keep_alive)
        if out is None:
            return None
        head = out[:len(out) - size]
    _text_last = (content_type, minor, keep_alive, size, head, text, out)
    return out


def _finish_dispatch(app, conn, task, req, value, minor, keep_alive):
    """The Response of a request whose handler _serve_now called, from what
    the handler returned (``value``, or a _Failed), as dispatch_request
    would give it; None when it waits (handed to the request loop), False
    when the connection ends."""
    if value.__class__ is _Failed:
        coro = _dispatch_rest(app, req, None, None, value.exc)
    else:
        coro = _dispatch_rest(app, req, None, None, None, value)
    _enter_task(conn.loop, task)
    try:
        pending = coro.send(None)
    except StopIteration as exc:
        return exc.value
    except _CancelledError:
        conn.abort()
        return False
    except BaseException:
        conn.abort()
        raise
    else:
        conn.handoff = (req, None, coro, pending, minor, keep_alive)
        return None
    finally:
        _leave_task(conn.loop, task)


async def _dispatch_rest(app, req, coro, pending, exc, value=None):
    """Microdot.dispatch_request after _serve_now called the handler of a
    static route: awaits the handler when it waits (``coro``, which yielded
    ``pending``), makes a Response of what it returned (``value``) and runs
    the after-request handlers; or answers the exception it raised
    (``exc``), through the error handlers."""
    try:
        if exc is not None:
            # (raised here to be handled as dispatch_request handles it,
            # sys.exc_info() included; its traceback kept as it was)
            tb = exc.__traceback__
            try:
                raise exc
            finally:
                exc.__traceback__ = tb
        if coro is not None:
            value = await _Resume(coro, pending)
        res = _make_response(value)
        if app.after_request_handlers:
            res = await app._after(req, res, app.after_request_handlers)
        if req.after_request_handlers:
            res = await app._after(req, res, req.after_request_handlers)
        return res
    except Exception as exc:
        from microdot._errors import handle_exception
        return await handle_exception(app, req, exc, (app,))

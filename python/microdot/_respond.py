"""The responses the built-in server's request loops do not write on their
plain path (microdot._server: a small body in memory with no header but
Content-Type): responses with other headers, streamed bodies and files,
requests whose body the server streams, and the answers to requests that
cannot be parsed. Imported on first use, so that a board serving plain
responses only does not hold this code in its heap.
"""
import asyncio

from microdot._backend import backend
from microdot.helpers import print_exception
from microdot.microdot import Request, Response
from microdot._server import _BIG_BODY, _CancelledError, _log, _plain_head


def _status_line(minor, status_code, reason):
    if reason is None:
        if status_code == 200:
            reason = 'OK'
        else:
            from microdot._reasons import phrase
            reason = phrase(status_code, 'N/A')
    elif '\r' in reason or '\n' in reason:
        raise ValueError('reason contains CR or LF')
    return 'HTTP/1.{} {} {}\r\n'.format(minor, status_code, reason)


def _header_line(name, value):
    if not isinstance(value, str):
        value = str(value)
    if '\r' in value or '\n' in value or '\r' in name or '\n' in name:
        raise ValueError('header {} contains CR or LF'.format(name))
    return name + ': ' + value + '\r\n'


def _response_head(res, minor, keep_alive, length, chunked):
    """The response head as bytes. ``length`` is the body length to
    announce (None: unknown), ``chunked`` whether the body is sent chunked."""
    head = _status_line(minor, res.status_code, res.reason)
    has_type = has_length = False
    if res.headers:
        for name, value in res.headers.items():
            lower = name.lower()
            if lower == 'content-type':
                has_type = True
            elif lower == 'content-length':
                has_length = True
            elif lower == 'connection' or lower == 'transfer-encoding':
                continue  # framing is the server's business
            if isinstance(value, list):
                for item in value:
                    head += _header_line(name, item)
            else:
                head += _header_line(name, value)
    status = res.status_code
    if not has_type and status >= 200 and status != 204 and status != 304:
        # (checked: microdot._server's plain path leaves a default type
        # with CR or LF to this)
        head += _header_line('Content-Type', res._content_type())
    if length is not None and not has_length:
        head += 'Content-Length: ' + str(length) + '\r\n'
    if chunked:
        head += 'Transfer-Encoding: chunked\r\n'
    if keep_alive:
        if not minor:
            head += 'Connection: keep-alive\r\n'
    else:
        head += 'Connection: close\r\n'
    return (head + '\r\n').encode()


def _wants_close(res):
    for name in res.headers:
        if len(name) == 10 and name.lower() == 'connection':
            value = res.headers[name]
            return isinstance(value, str) and value.lower() == 'close'
    return False


async def write_response(conn, res, minor, keep_alive, head_only):
    """Writes ``res`` and returns whether the connection can stay open."""
    status = res.status_code
    body = res.body
    no_body = status < 200 or status == 204 or status == 304
    if keep_alive and res.headers and _wants_close(res):
        keep_alive = False
    if isinstance(body, bytes):
        length = None if no_body and not len(body) else len(body)
        chunked = False
    else:
        length = res.headers.get('Content-Length')
        chunked = length is None and minor == 1 and not no_body
        if length is None and not chunked:
            keep_alive = False  # the end of the body ends the connection
        length = None
    try:
        head = None
        if length is not None and not no_body:
            head = _plain_head(res, minor, keep_alive, length)
        if head is None:
            head = _response_head(res, minor, keep_alive, length, chunked)
    except ValueError as exc:
        # an unsafe header or reason (CR/LF injection): answer 500 instead
        print_exception(exc)
        if not isinstance(body, bytes):
            await res.body_iter().aclose()
        res = Response('Internal Server Error', 500)
        return await write_response(conn, res, minor, False, head_only)
    if isinstance(body, bytes):
        if head_only or no_body:
            conn.write(head)
        elif len(body) < _BIG_BODY:
            conn.write(head + body)
        else:
            conn.write(head)
            conn.write(body)
        await conn.drain()
        return keep_alive
    conn.write(head)
    body_iter = res.body_iter()
    if head_only or no_body:
        await body_iter.aclose()
        await conn.drain()
        return keep_alive
    try:
        async for chunk in body_iter:
            if not chunk:
                continue
            if chunked:
                conn.write(('%x\r\n' % len(chunk)).encode() + chunk +
                           b'\r\n')
            else:
                conn.write(chunk)
            await conn.drain()
    except BaseException:
        await body_iter.aclose()
        raise
    if chunked:
        conn.write(b'0\r\n\r\n')
    await conn.drain()
    return keep_alive


def _head_status(buf, start, end, scanned):
    """The HTTP status of the ValueError of a head the backend refused,
    parsed again for it (the request loop catches the error without keeping
    it, which keeps its frame smaller)."""
    try:
        backend.parse_request(buf, start, end, scanned,
                              Request.max_readline, Request.max_head_length,
                              Request.max_headers)
    except ValueError as exc:
        if exc.args and isinstance(exc.args[0], int):
            return exc.args[0]
    return 400


async def send_error(conn, status_code):
    """Answers a request that cannot be parsed; the connection then closes.
    ``status_code``: an HTTP status, or the (buffer, start, end, scanned) of
    a head the backend refused, whose status is found by parsing it again."""
    if isinstance(status_code, tuple):
        status_code = _head_status(*status_code)
    conn.linger = True
    from microdot._reasons import phrase
    res = Response(phrase(status_code, 'Error'), status_code)
    conn.write(_response_head(res, 1, False, len(res.body), False) + res.body)
    await conn.drain()


async def linger(conn):
    """Reads and drops what the client still sends before its connection
    closes: a socket closed with bytes unread (a refused body still
    arriving) resets the connection, and the client may lose the answer.
    Until 0.2 s pass without any or 64 KiB are dropped."""
    dropped = 0
    try:
        while dropped < 65536:
            data = await asyncio.wait_for(conn.reader.read(1024), 0.2)
            if not data:
                return
            dropped += len(data)
    except Exception:  # (the timeout, or the client went away)
        pass


async def respond(app, conn, req, res, minor, keep_alive, head_only, stream):
    """Writes the response of a request the plain path of the request loops
    does not take: a response with headers, a streamed body, or a request
    whose body ``stream`` (microdot._reqbody's, or None) the server reads.
    Returns whether the connection can serve a next request."""
    if stream is not None:
        from microdot._reqbody import before_response
        status, keep_alive = await before_response(stream, keep_alive)
        conn.request_since = None
        if status:
            conn.linger = True
            await _drop_body(res)
            res = await app.error_response(req, status)
            await write_response(conn, res, minor, False, head_only)
            _log(app, req, res)
            return False
    if not isinstance(res.body, bytes) and not _sendable(res.body):
        print_exception(TypeError(
            'cannot send a response body of type ' +
            type(res.body).__name__))
        res = await app.error_response(req, 500)
    try:
        keep_alive = await write_response(conn, res, minor, keep_alive,
                                          head_only)
    except (OSError, EOFError, _CancelledError):
        raise
    except Exception as exc:
        # raised by a streamed body after the head went out: the only
        # way to tell the client is to cut the response short
        print_exception(exc)
        _log(app, req, res)
        return False
    if app.debug:
        _log(app, req, res)
    if keep_alive and stream is not None:
        await stream.discard()
    return keep_alive


def _sendable(body):
    """Whether write_response can send ``body`` (bytes, a file, or an
    iterator or async iterator of chunks)."""
    return isinstance(body, (bytes, bytearray, memoryview)) or \
        hasattr(body, 'read') or hasattr(body, '__next__') or \
        hasattr(body, '__anext__')


async def _drop_body(res):
    """Releases the (unsent) body of a response replaced by an error."""
    if not isinstance(res.body, (bytes, str)):
        try:
            await res.body_iter().aclose()
        except Exception as exc:  # pragma: no cover
            print_exception(exc)

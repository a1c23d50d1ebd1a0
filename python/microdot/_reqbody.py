"""Request bodies the built-in server does not load whole (the rarer
cases, imported on first use): a body over ``Request.max_body_length``,
read from the connection as the handler asks for it (``BodyStream``), and a
chunked body (``ChunkedStream``), decoded as it arrives."""
from microdot._backend import backend
from microdot.microdot import Request, HTTPException
from microdot._server import F_CHUNKED, F_EXPECT_CONTINUE, _CONTINUE


async def read_streamed(conn, req, length, flags):
    """Sets up ``req.stream`` (or, for a short chunked body, loads
    ``req.body``) for a body _server._read_body does not load itself.
    Returns an HTTP status when the body is refused, else 0."""
    if flags & F_CHUNKED:
        return await _read_chunked(conn, req, flags)
    req.stream = BodyStream(conn, length, flags & F_EXPECT_CONTINUE)
    return 0


async def before_response(stream, keep_alive):
    """For a request whose body is ``stream`` (one of this module's), once
    the handler returned: ``(status, keep_alive)``. ``status`` is 0, or the
    status the request gets instead (413, or 400 for a malformed chunk) when
    the handler did not touch a body that turns out too long (or
    malformed); ``keep_alive`` whether the connection can still serve a next
    request (after ``stream.discard()``)."""
    status = await _skip_unread_body(stream)
    if isinstance(stream, BodyStream):
        if stream.remaining and stream.expect_continue:
            keep_alive = False  # the client may never send it
    elif stream.too_long or not (stream.done or stream.continue_sent):
        # (the same for a chunked body; or its end was not looked for)
        keep_alive = False
    return status, keep_alive


class BodyStream:
    """A request body over max_body_length, read from the connection as the
    handler asks for it."""

    from_server = True

    def __init__(self, conn, length, expect_continue):
        self.conn = conn
        self.remaining = length
        self.expect_continue = expect_continue
        self.started = False  # whether the handler read from it

    async def _fill(self):
        if self.expect_continue:
            self.expect_continue = False
            self.conn.write(_CONTINUE)
            await self.conn.drain()
        if not await self.conn.fill():
            from microdot._errors import body_incomplete
            raise body_incomplete()

    async def read(self, n=-1):
        if n < 0:
            chunks = []
            while self.remaining:
                chunks.append(await self.read(self.remaining))
            return b''.join(chunks)
        if not self.remaining or not n:
            return b''
        self.started = True
        conn = self.conn
        if not conn.pending():
            await self._fill()
        data = conn.take(min(n, self.remaining, conn.pending()))
        self.remaining -= len(data)
        return data

    async def readexactly(self, n):
        if n > self.remaining:
            raise EOFError('the body is shorter than that')
        chunks = []
        while n:
            data = await self.read(n)
            n -= len(data)
            chunks.append(data)
        return b''.join(chunks)

    async def readline(self):
        conn = self.conn
        while self.remaining:
            end = conn.buf.find(b'\n', conn.pos,
                                conn.pos + min(self.remaining,
                                               conn.pending()))
            if end >= 0:
                return await self.read(end + 1 - conn.pos)
            if conn.pending() >= self.remaining:
                return await self.read(self.remaining)
            await self._fill()
        return b''

    async def discard(self):
        """Skips what the handler did not read, to reach the next request."""
        while self.remaining:
            await self.read(self.remaining)


async def _read_chunked(conn, req, flags):
    """Decodes a chunked body into ``req.body``; past max_body_length, the
    rest is left to ``req.stream`` (a ChunkedStream) to decode on demand."""
    stream = ChunkedStream(conn, not flags & F_EXPECT_CONTINUE)
    body = b''
    try:
        while await stream.more():
            body += stream.data
            stream.data = b''
            if len(body) > Request.max_body_length:
                stream.data = body
                req.stream = stream
                return 0
    except HTTPException as exc:  # a malformed chunk
        return exc.status_code
    if stream.too_long:
        return 413
    req.body = body
    return 0


class ChunkSizes:
    """Follows the framing of a chunked body just far enough to read each
    chunk size as soon as its line arrives, so that a body announced longer
    than the limit is refused before its data is sent (the decoder's state
    is opaque; it still checks the framing)."""

    def __init__(self):
        self.phase = 0  # 0 size digits, 1 rest of the size line, 2 data,
        # 3 the data's line end, 4 trailers (nothing more to follow)
        self.size = 0  # of the chunk whose size line is being read
        self.left = 0  # data bytes of the current chunk not seen yet
        self.announced = 0  # sizes of the chunks whose size line ended

    def scan(self, buf, i, end, limit):
        """Follows buf[i:end]; True once the sizes announced exceed
        ``limit``."""
        while i < end and self.phase != 4:
            phase = self.phase
            if phase == 0:
                c = buf[i]
                if 48 <= c <= 57:
                    digit = c - 48
                elif 97 <= c <= 102:
                    digit = c - 87
                elif 65 <= c <= 70:
                    digit = c - 55
                else:
                    self.phase = 1
                    continue
                self.size = self.size * 16 + digit
                if self.announced + self.size > limit:
                    return True
                i += 1
            elif phase == 2:
                n = min(self.left, end - i)
                i += n
                self.left -= n
                if not self.left:
                    self.phase = 3
            else:
                lf = buf.find(b'\n', i, end)
                if lf < 0:
                    break
                i = lf + 1
                if phase == 3:
                    self.phase = 0
                elif self.size:
                    self.announced += self.size
                    self.left = self.size
                    self.size = 0
                    self.phase = 2
                else:
                    self.phase = 4
        return False


class ChunkedStream:
    """A chunked request body, decoded from the connection's buffer as it is
    read (the reading interface of ``Request.stream``). A body longer than
    max_content_length raises HTTPException(413) to its reader."""

    from_server = True

    def __init__(self, conn, continue_sent):
        self.conn = conn
        self.state = backend.new_chunked()
        self.continue_sent = continue_sent
        self.data = b''  # decoded, not read yet
        self.total = 0
        self.done = False
        self.too_long = False
        self.started = False  # whether the handler read from it
        self.sizes = ChunkSizes()

    async def more(self):
        """Decodes the next piece of payload into ``data``; False at the
        end of the body."""
        conn = self.conn
        while not self.done:
            start = conn.pos
            end = len(conn.buf)
            if end > start:
                over = self.sizes.scan(conn.buf, start, end,
                                       Request.max_content_length)
                try:
                    data_end, next_pos, self.done = backend.chunked_decode(
                        self.state, conn.buf, start, end)
                except ValueError as exc:
                    self.done = self.too_long = True  # unusable connection
                    raise HTTPException(exc.args[0] if exc.args else 400)
                if over:  # refused before its data arrives
                    self.done = self.too_long = True
                    return False
                chunk = bytes(conn.buf[start:data_end])
                conn.buf[start:next_pos] = b''
                if chunk:
                    self.total += len(chunk)
                    if self.total > Request.max_content_length:
                        self.done = self.too_long = True
                        return False
                    self.data += chunk
                    return True
                if self.done or next_pos > start:
                    continue
            if not self.continue_sent:
                self.continue_sent = True
                conn.write(_CONTINUE)
                await conn.drain()
            if not await conn.fill():
                from microdot._errors import body_incomplete
                raise body_incomplete()
        return False

    async def _want(self, n):
        while len(self.data) < n and await self.more():
            pass
        if self.too_long:
            raise HTTPException(413)

    def _take(self, n):
        self.started = True
        data = self.data[:n]
        self.data = self.data[n:]
        return data

    async def read(self, n=-1):
        self.started = True  # (even if reading fails: see before_response)
        if n < 0:
            while await self.more():
                pass
            if self.too_long:
                raise HTTPException(413)
            return self._take(len(self.data))
        await self._want(1 if n else 0)
        return self._take(n)

    async def readexactly(self, n):
        self.started = True
        await self._want(n)
        if len(self.data) < n:
            raise EOFError('the body is shorter than that')
        return self._take(n)

    async def readline(self):
        self.started = True
        while b'\n' not in self.data and await self.more():
            pass
        if self.too_long:
            raise HTTPException(413)
        end = self.data.find(b'\n')
        return self._take(len(self.data) if end < 0 else end + 1)

    async def discard(self):
        """Skips what the handler did not read, to reach the next request
        (raises EOFError, ending the connection, past max_content_length)."""
        if await self.skip():
            raise EOFError('request body over max_content_length')

    async def skip(self):
        """Skips what the handler did not read; returns 0, or the status
        the request gets instead: 413 past max_content_length, 400 for a
        malformed chunk."""
        self.data = b''
        try:
            while await self.more():
                self.data = b''
        except HTTPException as exc:
            return exc.status_code
        return 413 if self.too_long else 0


async def _skip_unread_body(stream):
    """Reads to its end a body the handler did not touch, so that its
    response can be a 413 (or 400) when the body turns out too long (or
    malformed); returns that status, or 0. A body the handler started
    reading is its business: the response goes out first, and the rest is
    skipped after it. So is one awaiting 100 Continue (it may never come)."""
    if isinstance(stream, BodyStream):
        if stream.started or stream.expect_continue:
            return 0
        await stream.discard()
    elif isinstance(stream, ChunkedStream):
        if stream.started or stream.done or not stream.continue_sent:
            return 0
        return await stream.skip()
    return 0

"""The sans-IO WebSocket frame reader (:class:`FrameReader`, bytes in,
messages and control frames out). Apart from websocket.py so that a server
on MicroPython loads it only when a frame needs more than its fast path
(whole one-frame messages and control frames in its receive buffer): a
fragmented message, a frame bigger than the buffer.
``microdot.websocket.FrameReader`` and ``.ProtocolError`` still name them
(imported on first use), as it does the opcodes and close codes defined
here.
"""
from microdot._backend import backend

try:
    from micropython import const
except ImportError:
    def const(value):  # (CPython; not websocket's: see the import below)
        return value

# the opcodes and close codes, also microdot.websocket's names
OP_CONT = const(0)
OP_TEXT = const(1)
OP_BINARY = const(2)
OP_CLOSE = const(8)
OP_PING = const(9)
OP_PONG = const(10)

CLOSE_NORMAL = const(1000)
CLOSE_GOING_AWAY = const(1001)
CLOSE_PROTOCOL_ERROR = const(1002)
CLOSE_NO_STATUS = const(1005)
CLOSE_ABNORMAL = const(1006)
CLOSE_INVALID_DATA = const(1007)
CLOSE_TOO_BIG = const(1009)
CLOSE_INTERNAL_ERROR = const(1011)

_WHOLE_TEXT = const(4096)  # text frames up to this size are checked whole


def build_frame_header(opcode, length, fin=True, mask=None):
    """The header of a frame with ``length`` bytes of payload, as bytes
    (``mask``: 4 bytes, or ``None`` for a server's unmasked frame)."""
    return backend.ws_build_header(fin, opcode, length, mask)


# (after the names above: microdot.websocket imports them, on CPython)
from microdot.websocket import _NO_LIMIT, parse_close_payload  # noqa: E402


class ProtocolError(ValueError):
    """A frame the protocol rejects; ``code`` is the close code to send.
    (A ValueError, as the backend's header parser and the fast path of
    microdot.websocket raise: ``args`` is ``(code, message)``.)"""

    def __init__(self, code, message=''):
        super().__init__(code, message)
        self.code = code


def _text(data):
    if backend.utf8_check(0, data, 0, len(data)) != 0:
        raise ProtocolError(CLOSE_INVALID_DATA, 'invalid UTF-8')
    return str(data, 'utf-8')


class FrameReader:
    """Turns the bytes of a WebSocket connection into events.

    Feed received bytes with :meth:`feed`, then call :meth:`next_event`
    until it returns ``None`` (more bytes needed). Events are tuples:
    ``(OP_TEXT, str)``, ``(OP_BINARY, bytes)``, ``(OP_PING, bytes)``,
    ``(OP_PONG, bytes)`` and ``(OP_CLOSE, code, reason)``. Fragmented
    messages come out whole. Violations raise :class:`ProtocolError`.

    A reader that owns its receive buffer calls :meth:`parse` on it
    instead, with no copy in between.

    Each frame's payload goes into a bytearray of its announced length,
    unmasked and UTF-8-checked a received piece at a time, so invalid text
    fails before the frame is complete. While a frame is incomplete and
    nothing is buffered, :meth:`payload_view` gives the rest of that
    bytearray for the caller to read the socket straight into; it then
    calls :meth:`payload_received`.
    """

    # (defaults in the class: a reader stores only what differs, which
    # keeps it small on MicroPython; what every frame reads is stored, as
    # an instance's own attributes are found faster)
    _buf = b''
    _pos = 0
    _payload = None    # the bytearray the current frame goes to
    _spare = None      # that bytearray, kept for the next frame
    _msg = None        # earlier fragments of the message being reassembled
    _utf8 = 0

    def __init__(self, max_message_size=None, client=False):
        self.max_message_size = max_message_size or _NO_LIMIT
        self.masked = 0 if client else 1
        self._frame = None  # [fin, opcode, mask, remaining, received]
        self._msg_opcode = None  # opcode of the message being reassembled

    def feed(self, data):
        """Adds received bytes; call :meth:`next_event` after it."""
        if self._pos == len(self._buf):
            self._buf = data
        else:
            # at most a partial frame header is left: payload bytes are
            # always moved to their frame at once
            self._buf = bytes(self._buf[self._pos:]) + data
        self._pos = 0

    def wanted(self):
        """A good size for the next read: the rest of the current frame."""
        if self._frame is None:
            return 0
        return self._frame[3] - (len(self._buf) - self._pos)

    def payload_view(self):
        """The unfilled rest of the current frame's payload, when nothing
        is buffered, else ``None``."""
        frame = self._frame
        if frame is None or self._pos != len(self._buf) or not frame[3]:
            return None
        return memoryview(self._payload)[frame[4]:frame[4] + frame[3]]

    def payload_received(self, n):
        """``n`` bytes were written at the start of :meth:`payload_view`."""
        self._landed(n)

    def next_event(self):
        """The next event from the bytes fed so far, or ``None`` when more
        bytes are needed. Raises ProtocolError for a broken frame."""
        event, self._pos = self.parse(self._buf, self._pos, len(self._buf))
        return event

    def parse(self, buf, pos, end, whole=0):
        """The next event from the bytes ``buf[pos:end]``, and the position
        after the bytes it used: ``(None, pos)`` when more bytes are needed
        (a partial frame header is left unused). Payloads are copied out, so
        the caller may reuse ``buf`` for the next bytes.

        A single-frame message of up to ``whole`` bytes (text: and up to
        _WHOLE_TEXT) in a ``bytearray`` is only taken once it is all there,
        and then unmasked (and checked) in place: the message is one copy of
        the received bytes."""
        while True:
            if self._frame is None:
                try:
                    header = backend.ws_parse_header(
                        buf, pos, end, self.masked, self.max_message_size)
                except ValueError as exc:
                    raise ProtocolError(exc.args[0], str(exc.args[-1]))
                if header is None:
                    return None, pos
                fin, opcode, mask, length, header_len = header
                if length <= whole and fin and self._msg_opcode is None and \
                        (opcode == OP_BINARY or opcode == OP_TEXT and
                         length <= _WHOLE_TEXT) and type(buf) is not bytes:
                    start = pos + header_len
                    if end - start < length:
                        return None, pos
                    if mask is not None:
                        backend.ws_mask(buf, start, start + length, mask, 0)
                    data = memoryview(buf)[start:start + length]
                    return (opcode, _text(data) if opcode == OP_TEXT
                            else bytes(data)), start + length
                pos += header_len
                self._start_frame(fin, opcode, mask, length)
            pos = self._take_payload(buf, pos, end)
            if self._frame[3]:
                return None, pos
            event = self._end_frame()
            if event is not None:
                return event, pos

    def _start_frame(self, fin, opcode, mask, length):
        if opcode == OP_CONT:
            if self._msg_opcode is None:
                raise ProtocolError(CLOSE_PROTOCOL_ERROR,
                                    'continuation without a message')
        elif opcode < OP_CLOSE:
            if self._msg_opcode is not None:
                raise ProtocolError(CLOSE_PROTOCOL_ERROR,
                                    'new message inside a fragmented one')
            self._msg_opcode = opcode
            self._utf8 = 0
        if opcode < OP_CLOSE and self._msg is not None and \
                len(self._msg) + length > self.max_message_size:
            raise ProtocolError(CLOSE_TOO_BIG, 'message too big')
        # one payload buffer, reused frame after frame (grown as needed, in
        # 1 KB steps): a bytearray per frame costs MicroPython's allocator
        # dearly, and the app's max_message_size bounds it
        spare = self._spare
        if spare is None or len(spare) < length:
            try:
                spare = bytearray(length + 1023 & ~1023)
            except MemoryError:  # (a heap with no block that big left)
                spare = bytearray(length)
            self._spare = spare
        self._payload = spare
        self._frame = [fin, opcode, mask, length, 0]

    def _take_payload(self, buf, pos, end):
        frame = self._frame
        take = min(frame[3], end - pos)
        if take:
            self._payload[frame[4]:frame[4] + take] = \
                memoryview(buf)[pos:pos + take]
            self._landed(take)
        return pos + take

    def _landed(self, n):
        frame = self._frame
        start = frame[4]
        if frame[2] is not None:
            backend.ws_mask(self._payload, start, start + n, frame[2], start)
        if frame[1] < OP_CLOSE and self._msg_opcode == OP_TEXT:
            self._utf8 = backend.utf8_check(self._utf8, self._payload, start,
                                            start + n)
            if self._utf8 == 1:
                raise ProtocolError(CLOSE_INVALID_DATA, 'invalid UTF-8')
        frame[3] -= n
        frame[4] = start + n

    def _end_frame(self):
        fin, opcode, length = self._frame[0], self._frame[1], self._frame[4]
        payload = memoryview(self._payload)[:length]
        self._frame = self._payload = None
        if opcode == OP_CLOSE:
            try:
                return (OP_CLOSE,) + parse_close_payload(bytes(payload))
            except ValueError as exc:
                raise ProtocolError(exc.args[0], exc.args[-1])
        if opcode >= OP_CLOSE:
            return opcode, bytes(payload)
        if self._msg is not None:
            self._msg += payload
            payload = self._msg
        if not fin:
            if self._msg is None:
                self._msg = bytearray(payload)
            return None
        opcode = self._msg_opcode
        self._msg_opcode = self._msg = None
        if opcode == OP_TEXT:
            if self._utf8 != 0:
                raise ProtocolError(CLOSE_INVALID_DATA, 'truncated UTF-8')
            return OP_TEXT, str(payload, 'utf-8')
        return OP_BINARY, bytes(payload)

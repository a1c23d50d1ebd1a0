"""Pure-Python backend: the same functions, with the same results, as the C
core (``_microdot`` on MicroPython, the cffi extension on CPython).

This docstring is the backend interface. Every backend module provides the
names below; the façade imports one of them through ``microdot._backend`` and
never asks which it got. Every backend passes the vectors in
``tests/vectors/``. (This module's chunked-body, WebSocket, UTF-8,
route-compiling and parameter functions live in ``_pure_chunked``,
``_pure_ws``, ``_pure_utf8``, ``_pure_route`` and ``_pure_args``,
imported on first use.)

Conventions
-----------
- ``buf`` is a ``bytes``, ``bytearray`` or ``memoryview``; ``start``/``end``
  select ``buf[start:end]`` without copying. Functions documented as working
  "in place" need a writable buffer (``bytearray`` or a writable
  ``memoryview``).
- Text results are ``str`` (bytes decoded as UTF-8; input that is not valid
  UTF-8 is rejected, never replaced).
- Errors are ``ValueError(code, message)``: ``code`` is the HTTP status to
  answer with (400, 413, 414, 417, 431, 501, 505) for HTTP input, or the
  WebSocket close code (1002, 1009) for WebSocket input. ``code`` is
  ``e.args[0]`` on every interpreter.

Constants
---------
``NAME``
    ``'c'`` (MicroPython native), ``'cffi'`` (CPython) or ``'pure'``.
``F_CHUNKED = 1, F_KEEP_ALIVE = 2, F_EXPECT_CONTINUE = 4, F_UPGRADE = 8``
    Bits of ``flags`` in the result of ``parse_request``.

HTTP
----
``parse_request(buf, start, end, scanned, max_line, max_head, max_headers)``
    Parses the request head at ``buf[start:end]``. ``scanned`` is the ``end``
    of a previous call on the same head that returned ``None`` (``start`` on
    the first call), so a slow client costs only its new bytes.
    Returns ``None`` while the head is incomplete, else the tuple
    ``(method, path, query_string, minor_version, headers, head_len,
    content_length, flags)``:

    - ``path``: the raw (still percent-encoded) path of the target, without
      the query; ``'/'`` for an absolute-form target with no path, ``'*'`` for
      asterisk-form.
    - ``query_string``: the raw text after ``'?'``, or ``None`` with no ``'?'``.
    - ``minor_version``: 0 or 1.
    - ``headers``: a flat list ``[name0, value0, name1, value1, ...]``, names
      as sent, values with surrounding whitespace removed.
    - ``head_len``: bytes from ``start`` to the end of the blank line.
    - ``content_length``: an int, or -1 when absent.
    - ``flags``: ``F_*`` bits; ``F_KEEP_ALIVE`` already accounts for the
      version and the Connection header. (The C core's MD_F_QUERY is not
      one of them: ``query_string`` is ``None`` or a ``str``.)

    Rejections (``ValueError``) follow ``cmodule/md_http.h``: 400 malformed,
    414 request line over ``max_line``, 431 head over ``max_head`` or more
    than ``max_headers`` fields, 417 unknown expectation, 501 a transfer
    coding other than chunked, 505 a version other than 1.0/1.1.

``new_chunked()``
    A fresh decoder state for one chunked body (opaque).
``chunked_decode(state, buf, start, end)``
    Decodes ``buf[start:end]`` in place and returns
    ``(data_end, next, done)``: the payload found is now at
    ``buf[start:data_end]``; ``next`` is the index of the first byte not
    consumed (``end`` unless the body ended); ``done`` is true once the last
    chunk and the trailers have been read. Raises ``ValueError(400, ...)``,
    and again on every later call with the same state.

Routing
-------
``compile_router(patterns)``
    Compiles a list of route pattern strings (syntax in
    ``cmodule/md_route.h``) into an opaque router. Raises ``ValueError`` for
    a malformed pattern.
``match_route(router, path, start)``
    Finds the first pattern with index ``>= start`` matching the raw
    ``path``. Returns ``None``, or ``(index, captures)`` where ``captures``
    is the list of values of the route's components in pattern order
    (``int`` for int, percent-decoded ``str`` for string and path), or
    ``None`` for a route with ``re``/custom components (or two ``path``
    components), which the caller must match itself (calling again with
    ``start=index + 1`` if it does not). A route whose percent-decoded
    capture is not valid UTF-8 does not match.

WebSocket
---------
``ws_parse_header(buf, start, end, masked, max_payload)``
    Returns ``None`` while incomplete, else
    ``(fin, opcode, mask, payload_len, header_len)`` with ``fin`` a bool and
    ``mask`` 4 ``bytes`` or ``None``. Raises ``ValueError(1002 | 1009, ...)``
    as ``md_ws_parse_header`` documents.
``ws_build_header(fin, opcode, length, mask)``
    The frame header as ``bytes``; ``mask`` is 4 bytes or ``None``.
``ws_mask(buf, start, end, mask, offset)``
    XORs ``buf[start:end]`` in place with ``mask``, ``offset`` being the
    position of ``buf[start]`` in the payload. Returns ``None``.
``utf8_check(state, buf, start, end)``
    Incremental UTF-8 validation: start with ``state=0``; returns 0 when all
    bytes so far form valid, complete UTF-8, 1 once anything was invalid
    (sticky), another int in the middle of a sequence (its value is the
    backend's own: pass it back, compare it only with 0 and 1).

Utilities
---------
``url_decode(s, plus)``
    Percent-decodes ``s`` (``str`` or bytes-like) to ``str``; with ``plus``,
    ``'+'`` is a space. Malformed escapes are kept as they are. Raises
    ``ValueError(400, ...)`` if the result is not valid UTF-8.
``parse_query(s)``
    Splits a query string or urlencoded form (``str`` or bytes-like) into a
    flat list ``[name0, value0, ...]`` of decoded ``str`` (plus as space).
``parse_cookies(s)``
    Splits a Cookie header into a flat ``[name0, value0, ...]`` list of
    ``str``, trimmed, values not decoded.

Optional
--------
Only ``_microdot`` built with ``MD_MP_NEW_OBJECT`` has these; callers probe
with ``getattr`` and fall back to plain attribute stores.

``new_object(cls, name0, value0, name1, value1, ...)``
    ``object.__new__(cls)`` with the given attributes written straight into
    its instance dict (a repeated name keeps its last value).
"""

if __import__('sys').implementation.name != 'micropython':
    def const(x):  # (MicroPython's compiler folds const() itself)
        return x

NAME = 'pure'
F_CHUNKED = 1
F_KEEP_ALIVE = 2
F_EXPECT_CONTINUE = 4
F_UPGRADE = 8


# HTTP request head -------------------------------------------------------------
#
# parse_request mirrors md_http.c's decision rules (its top comment). A fast
# path handles ordinary heads with a few whole-buffer operations; any head it
# is not sure about goes to _parse_head, a byte-by-byte port of md_http.c,
# which finds the exact error.

_C_TOKEN = const(1)
_C_VALUE = const(2)     # HTAB, SP, VCHAR
_C_PATH = const(4)      # VCHAR but '#' and '?'
_C_TARGET = const(8)    # VCHAR but '#'


# Each byte's classes (the bits above) plus 0x40, which keeps the table
# printable: @ none; B value (HTAB, SP); C token, value ('#'); J value,
# target ('?'); N value, target, path; O all four. A const(): one object,
# and no name in the module. (test_mppure2_lazy checks it against the
# classes' rules.)
_CT = const(b'@@@@@@@@@B@@@@@@@@@@@@@@@@@@@@@@'
             b'BONCOOOONNOONOONOOOOOOOOOONNNNNJ'
             b'NOOOOOOOOOOOOOOOOOOOOOOOOOONNNOO'
             b'OOOOOOOOOOOOOOOOOOOOOOOOOOONONO@'
             b'@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@'
             b'@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@'
             b'@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@'
             b'@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@')

# The messages of the errors raised here are in one string, in _error: a
# message written at each raise would be a str object of its own in RAM,
# even from ROMFS (only strings of up to 10 characters are interned). Each
# raise names its message by number, with the words in a comment. (Numbers,
# not named constants: where the source is compiled on the board, every name
# becomes a qstr, which makes each new str's qstr lookup longer.)


def _error(code, n):
    """ValueError(code, the n-th of these messages)."""
    messages = (
        'request line too long|'                      # 0
        'request head too large|'                     # 1
        'malformed request head|'                     # 2
        'missing Host header|'                        # 3
        'both Content-Length and Transfer-Encoding|'  # 4
        'invalid method|'                             # 5
        'invalid request target|'                     # 6
        'invalid HTTP version|'                       # 7
        'HTTP version not supported|'                 # 8
        'too many header fields|'                     # 9
        'invalid header field name|'                  # 10
        'header value is not valid UTF-8|'            # 11
        'control character in header value|'          # 12
        'more than one Host header|'                  # 13
        'unsupported expectation|'                    # 14
        'invalid Content-Length|'                     # 15
        'Content-Length too large|'                   # 16
        'conflicting Content-Length headers|'         # 17
        'Transfer-Encoding in an HTTP/1.0 request|'   # 18
        'more than one Transfer-Encoding header|'     # 19
        'unsupported transfer coding|'                # 20
        'CR without LF|'                              # 21
        'asterisk-form target outside OPTIONS|'       # 22
        'userinfo in request target|'                 # 23
        'empty authority in request target'           # 24
    )
    i = 0
    while n:
        i = messages.find('|', i) + 1
        n -= 1
    j = messages.find('|', i)
    return ValueError(code, messages[i:] if j < 0 else messages[i:j])


# builtins used per header, as module names: MicroPython looks a builtin up
# only after missing every name of the module, whose table is nearly full
_str = str
_len = len

_CONN_CLOSE = const(1)
_CONN_KEEP = const(2)
_CONN_UPGRADE = const(4)

# The fast path (microdot._pure_fast) needs a quick search for control
# characters: CPython's bytes.translate. MicroPython has none (31 finds cost
# more than the whole byte-by-byte port, measured on the unix port), so there
# _parse_head does all the work; tests switch _FAST off to compare the two.
_FAST = __import__('sys').implementation.name != 'micropython'


def _blank_line(buf, i, stop):
    """End of the first blank line (LF then LF or CRLF) in buf[i:stop], or -1."""
    a = buf.find(b'\n\n', i, stop)
    b = buf.find(b'\n\r\n', i, stop)
    if a < 0:
        return -1 if b < 0 else b + 3
    return a + 2 if b < 0 or a < b else b + 3


def _line_too_long(buf, start, stop, max_line):
    n = stop - start
    if n > max_line + 2:
        n = max_line + 2
    lf = buf.find(b'\n', start, start + n)
    r = lf - start if lf >= 0 else n
    if r > 0 and buf[start + r - 1] == 13:
        r -= 1
    return r > max_line


def parse_request(buf, start, end, scanned, max_line, max_head, max_headers):
    if isinstance(buf, memoryview):  # no find() on memoryview
        buf = bytes(buf[start:end])
        end -= start
        scanned -= start
        start = 0
    n = end - start
    view = start + (n if n < max_head else max_head)
    if start < scanned <= end:
        # the head was unfinished at `scanned`: look at the new bytes only
        i = scanned - 2 if scanned - 2 > start else start
        if _blank_line(buf, i, view) < 0:
            if (scanned - start - 1 <= max_line
                    and _line_too_long(buf, start, view, max_line)):
                raise _error(414, 0)  # request line too long
            if n > max_head:
                raise _error(431, 1)  # request head too large
            return None
    stop = _blank_line(buf, start, view)
    if stop < 0:
        if _line_too_long(buf, start, view, max_line):
            raise _error(414, 0)  # request line too long
        if n > max_head:
            raise _error(431, 1)  # request head too large
        return None
    # (no copy when buf is the head alone, as a bytes object: the usual
    # request without a body, given as a memoryview and copied above)
    head = buf if start == 0 and stop == _len(buf) and isinstance(
        buf, bytes) else bytes(buf[start:stop])
    r = _parse_fast(head, max_line, max_headers) if _FAST else None
    if r is None:
        try:
            r = _parse_head(head, _len(head), max_line, max_headers)
            if r is None:
                raise _error(400, 2)  # malformed request head
        except ValueError:
            if _line_too_long(buf, start, view, max_line):
                raise _error(414, 0)  # request line too long
            raise
    return r


def _finish(method, path, query, minor, headers, head_len, length, flags,
            hosts, chunked, conn, upgrade):
    if minor == 1:
        if hosts == 0:
            raise _error(400, 3)  # missing Host header
        if not conn & _CONN_CLOSE:
            flags |= F_KEEP_ALIVE
    elif conn & (_CONN_KEEP | _CONN_CLOSE) == _CONN_KEEP:
        flags |= F_KEEP_ALIVE
    if chunked:
        if length >= 0:
            raise _error(400, 4)  # both Content-Length and Transfer-Encoding
        flags |= F_CHUNKED
    if conn & _CONN_UPGRADE and upgrade:
        flags |= F_UPGRADE
    return (method, path, query, minor, headers, head_len, length, flags)


def _connection_tokens(value):
    bits = 0
    for token in value.split(b','):
        token = token.strip(b' \t').lower()
        if token == b'close':
            bits |= _CONN_CLOSE
        elif token == b'keep-alive':
            bits |= _CONN_KEEP
        elif token == b'upgrade':
            bits |= _CONN_UPGRADE
    return bits


def _parse_head(b, end, max_line, max_headers):
    """md_http.c's parse_head over b[0:end): the parsed head, None when the
    bytes end first, or ValueError for the first problem from the left."""
    ct = _CT
    p = 0
    while p < end and ct[b[p]] & _C_TOKEN:
        p += 1
    if p == end:
        return None
    if b[p] != 32 or p == 0:
        raise _error(400, 5)  # invalid method
    method = _str(b[:p], 'utf-8')
    p += 1
    t = p
    q = -1
    while p < end and ct[b[p]] & _C_PATH:
        p += 1
    if p < end and b[p] == 63:  # '?'
        q = p
        p += 1
        while p < end and ct[b[p]] & _C_TARGET:
            p += 1
    if p == end:
        return None
    if b[p] != 32 or p == t:
        raise _error(400, 6)  # invalid request target
    path = _target_path(b, t, q if q >= 0 else p, p, method)
    query = _str(b[q + 1:p], 'utf-8') if q >= 0 else None
    p += 1
    for i in range(8):
        if p == end:
            return None
        c = b[p]
        if i == 5 or i == 7:
            if c < 48 or c > 57:
                raise _error(400, 7)  # invalid HTTP version
        elif c != b'HTTP/1.1'[i]:
            raise _error(400, 7)  # invalid HTTP version
        p += 1
    if b[p - 3] != 49 or b[p - 1] > 49:
        raise _error(505, 8)  # HTTP version not supported
    minor = b[p - 1] - 48
    if p == end:
        return None
    if p > max_line:
        raise _error(414, 0)  # request line too long
    p = _line_end(b, p, end, 7)  # invalid HTTP version
    if p < 0:
        return None
    headers = []
    hosts = 0
    length = -1
    chunked = False
    conn = 0
    upgrade = False
    flags = 0
    while True:
        if p == end:
            return None
        if b[p] == 13 or b[p] == 10:
            p = _line_end(b, p, end, 2)  # (b[p]: CR or LF)
            if p < 0:
                return None
            break
        if _len(headers) == 2 * max_headers:
            raise _error(431, 9)  # too many header fields
        name = p
        while p < end and ct[b[p]] & _C_TOKEN:
            p += 1
        if p == end:
            return None
        if b[p] != 58 or p == name:
            raise _error(400, 10)  # invalid header field name
        field = _str(b[name:p], 'utf-8')
        lname = field.lower()  # (a token: ASCII)
        p += 1
        while p < end and (b[p] == 32 or b[p] == 9):
            p += 1
        v = p
        while True:
            while p < end and ct[b[p]] & _C_VALUE:
                p += 1
            if p == end:
                return None
            if b[p] < 0x80:
                break
            n = _lazy('_pure_utf8').utf8_seq(b, p, end)
            if n < 0:
                return None
            if n == 0:
                raise _error(400, 11)  # header value is not valid UTF-8
            p += n
        ve = p
        p = _line_end(b, p, end, 12)  # control character in header value
        if p < 0:
            return None
        while ve > v and (b[ve - 1] == 32 or b[ve - 1] == 9):
            ve -= 1
        value = b[v:ve]
        headers.append(field)
        headers.append(_str(value, 'utf-8'))
        # (names compared as str: the short ones are no objects in RAM)
        if lname == 'host':
            hosts += 1
            if hosts > 1:
                raise _error(400, 13)  # more than one Host header
        elif lname == 'expect':
            if value.lower() != b'100-continue':
                raise _error(417, 14)  # unsupported expectation
            if minor == 1:
                flags |= F_EXPECT_CONTINUE
        elif lname == 'upgrade':
            upgrade = upgrade or _len(value) > 0
        elif lname == 'connection':
            conn |= _connection_tokens(value)
        elif lname == 'content-length':
            if not value:
                raise _error(400, 15)  # invalid Content-Length
            for c in value:
                if c < 48 or c > 57:
                    raise _error(400, 15)  # invalid Content-Length
            c = int(value)
            if c >> 63:
                raise _error(400, 16)  # Content-Length too large
            if length >= 0 and length != c:
                raise _error(400, 17)  # conflicting Content-Length headers
            length = c
        elif lname == 'transfer-encoding':
            if minor == 0:
                raise _error(400, 18)  # Transfer-Encoding in an HTTP/1.0 request
            if chunked:
                raise _error(400, 19)  # more than one Transfer-Encoding header
            if value.lower() != b'chunked':
                raise _error(501, 20)  # unsupported transfer coding
            chunked = True
    return _finish(method, path, query, minor, headers, p, length, flags,
                   hosts, chunked, conn, upgrade)


def _line_end(b, p, end, message):
    """Index past the CRLF or LF at b[p], -1 if cut, ValueError(400) with
    the message numbered `message` (see _error) if none."""
    if b[p] == 13:
        p += 1
        if p == end:
            return -1
        if b[p] != 10:
            raise _error(400, 21)  # CR without LF
    elif b[p] != 10:
        raise _error(400, message)
    return p + 1


def _target_path(b, t, stop, e, method):
    """The path of the request-target b[t:e) (stop: its '?' or e)."""
    c = b[t]
    if c == 47:  # origin-form
        return _str(b[t:stop], 'utf-8')
    if c == 42:  # asterisk-form
        if e - t != 1 or method != 'OPTIONS':
            raise _error(400, 22)  # asterisk-form target outside OPTIONS
        return '*'
    n = stop - t
    # (compared as str: no objects in RAM; the target is ASCII)
    if n > 7 and _str(b[t:t + 7], 'utf-8').lower() == 'http://':
        a = t + 7
    elif n > 8 and _str(b[t:t + 8], 'utf-8').lower() == 'https://':
        a = t + 8
    else:
        raise _error(400, 6)  # invalid request target
    p = a
    while p < stop and b[p] != 47:
        if b[p] == 64:  # '@'
            raise _error(400, 23)  # userinfo in request target
        p += 1
    if p == a:
        raise _error(400, 24)  # empty authority in request target
    return _str(b[p:stop], 'utf-8') if p < stop else '/'


if _FAST:  # CPython (MicroPython would keep the fast path's constants in RAM)
    from microdot._pure_fast import parse_fast as _parse_fast


# Routing -------------------------------------------------------------------------
#
# A router is compiled by microdot._pure_route (its top comment); the
# captures of a dynamic route are decoded by microdot._pure_args.

def compile_router(patterns):
    # Once per app: the compiler's module (microdot._pure_route) is
    # forgotten after the call, so that a board's RAM holds its code only
    # meanwhile.
    import sys
    module = _lazy('_pure_route')
    try:
        return module.compile_router(patterns)
    finally:
        del sys.modules[module.__name__]
        package = sys.modules.get('microdot')
        # (its __dict__: microdot's __getattr__ would import the module)
        if package is not None and package.__dict__.get('_pure_route') is module:
            delattr(package, '_pure_route')


_args = None  # microdot._pure_args, once a dynamic route was tried


def match_route(router, path, start):
    global _args
    if not path or path[0] != '/':
        return None
    static, dynamic = router
    best = None
    for i in static.get(path[1:], ()):
        if i >= start:
            best = i
            break
    parts = None
    for i, kinds, segs, verify in dynamic:
        if best is not None and i > best:
            break
        if i < start:
            continue
        if parts is None:
            parts = path[1:].split('/')
        if verify:
            if len(parts) > len(segs) and parts[:len(segs)] == segs:
                return (i, None)
            continue
        if _args is None:
            _args = _lazy('_pure_args')
        captures = _args.match_segments(kinds, segs, parts)
        if captures is not None:
            return (i, captures)
    return None if best is None else (best, [])


# Functions imported on first use ---------------------------------------------------
#
# In their own modules: a board keeps a module's code in RAM only once
# something needs it.

def _lazy(module):
    import sys
    if __name__ != '_pure':  # (the vector tests import this file alone)
        module = 'microdot.' + module
    __import__(module)
    return sys.modules[module]


def __getattr__(name):
    # each module's name, then its functions; one string (a string constant
    # of over 10 characters is a str object of its own in RAM)
    lazy = (' _pure_chunked new_chunked chunked_decode'
            ' _pure_ws ws_parse_header ws_build_header ws_mask'
            ' ws_take_message'
            ' _pure_utf8 utf8_check'
            ' _pure_args url_decode parse_query split_query parse_cookies ')
    i = lazy.find(' ' + name + ' ')
    if i < 0 or name[:6] == '_pure_':
        raise AttributeError(name)
    i = lazy.rfind(' _pure_', 0, i) + 1
    value = globals()[name] = getattr(_lazy(lazy[i:lazy.find(' ', i)]), name)
    return value

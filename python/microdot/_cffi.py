"""CPython backend: the C core (cmodule/) through the cffi extension
``microdot._cmicrodot``, behind the interface documented in ``_pure.py``.

Importing this module raises ImportError when the extension was not built,
so ``microdot._backend`` falls back to the pure backend.

Each function makes one C call for the whole job and turns its (offset,
length) results into Python objects with as few Python operations as
possible: inputs are passed with ``ffi.from_buffer`` (no copy), the C output
structs are allocated once per module, and text is sliced out of one decoded
``str``."""
import struct
import threading

from microdot._cmicrodot import ffi, lib
from microdot._pure import parse_cookies, split_query  # noqa: F401

NAME = 'cffi'
F_CHUNKED = 1
F_KEEP_ALIVE = 2
F_EXPECT_CONTINUE = 4
F_UPGRADE = 8
_F_QUERY = 16
_F_PUBLIC = 15

_SIZE_T = ffi.sizeof('size_t')
# The slices are read out as flat arrays of size_t: check the layout once.
if (ffi.sizeof('md_header') != 4 * _SIZE_T
        or ffi.sizeof('md_slice') != 2 * _SIZE_T):  # pragma: no cover
    raise ImportError('microdot._cmicrodot: unexpected struct layout')

# ffi.from_buffer results are only ever temporaries inside a call
# expression: one kept in a local of a frame that a traceback holds crashed
# CPython 3.11's garbage collector (cffi 2.1.1) when the buffer was a
# memoryview.
_from_buffer = ffi.from_buffer

# The C scratch structs below are shared, and cffi releases the GIL during
# C calls: threads (WSGI workers, sync handlers) take turns through this lock.
_scratch_lock = threading.Lock()
_string = ffi.string


def _check_range(buf, start, end):
    # C trusts these: a wrong range would read or write outside the buffer.
    if not 0 <= start <= end <= len(buf):
        raise ValueError('need 0 <= start <= end <= len(buf)')


def _check_mask(mask):
    if len(mask) != 4:
        raise ValueError('a mask is 4 bytes')


def _error(code, message):
    message = _string(message).decode() if message else 'rejected'
    return ValueError(-code, message)


# HTTP ----------------------------------------------------------------------
#
# The md_request struct and the header array are read back with one
# struct.unpack_from / memoryview.tolist each, not field by field.

def _request_struct():
    fmt = '@'
    pos = 0
    for name, codes in (('method', 'NN'), ('target', 'NN'), ('path', 'NN'),
                        ('query', 'NN'), ('minor_version', 'i'),
                        ('num_headers', 'N'), ('content_length', 'q'),
                        ('flags', 'I')):
        off = ffi.offsetof('md_request', name)
        fmt += 'x' * (off - pos) + codes
        pos = off + struct.calcsize('@' + codes)
        if struct.calcsize(fmt) != pos:  # pragma: no cover
            raise ImportError('microdot._cmicrodot: unexpected md_request layout')
    return struct.Struct(fmt)


_REQUEST = _request_struct()
_req = ffi.new('md_request *')
_req_buffer = ffi.buffer(_req)
# num_headers is reset before every call: through a size_t view of the
# struct, which is cheaper than a cffi attribute store.
_req_words = memoryview(_req_buffer).cast('Q' if _SIZE_T == 8 else 'I')
_NUM_HEADERS = ffi.offsetof('md_request', 'num_headers') // _SIZE_T
_limits = ffi.new('md_limits *')
_max_line = _max_head = _max_headers = None
_capacity = 0
_headers = None
_headers_cap = 0
_headers_words = None


def _grow_headers(count):
    global _headers, _headers_cap, _headers_words
    _headers = ffi.new('md_header[]', count)
    _headers_cap = count
    _headers_words = memoryview(ffi.buffer(_headers)).cast('Q' if _SIZE_T == 8 else 'I')
    _req.headers = _headers


_grow_headers(128)


def _set_limits(max_line, max_head, max_headers):
    global _max_line, _max_head, _max_headers, _capacity
    # A field line takes at least 3 bytes ("a:\n") of the max_head bytes
    # parsed, so this many slots never run out before max_headers does.
    _capacity = min(max_headers, max_head // 3 + 1)
    if _capacity > _headers_cap:
        _grow_headers(_capacity)
    _limits.max_line = max_line
    _limits.max_head = max_head
    _limits.max_headers = max_headers
    _max_line, _max_head, _max_headers = max_line, max_head, max_headers


def parse_request(buf, start, end, scanned, max_line, max_head, max_headers):
    with _scratch_lock:
        if max_line != _max_line or max_head != _max_head or \
                max_headers != _max_headers:
            _set_limits(max_line, max_head, max_headers)
        if not 0 <= start <= end <= len(buf):
            raise ValueError('need 0 <= start <= end <= len(buf)')
        seen = scanned - start if start <= scanned <= end else 0
        _req_words[_NUM_HEADERS] = _capacity
        if start:
            n = lib.md_parse_request(_from_buffer('uint8_t[]', buf) + start,
                                     end - start, seen, _limits, _req)
        else:
            n = lib.md_parse_request(_from_buffer('uint8_t[]', buf), end, seen,
                                     _limits, _req)
        if n < 0:
            if n == -1:
                return None
            raise _error(n, _req.error)
        (m_off, m_len, _, _, p_off, p_len, q_off, q_len, minor, count, length,
         flags) = _REQUEST.unpack_from(_req_buffer)
        offs = iter(_headers_words[:4 * count])
        head = buf[start:start + n] if start or n != len(buf) else buf
        text = str(head, 'utf-8')
        if len(text) == n:  # ASCII: byte offsets are character offsets
            headers = [text[o:o + k] for o, k in zip(offs, offs)]
            method = text[m_off:m_off + m_len]
            path = text[p_off:p_off + p_len] if p_len else '/'
            query = text[q_off:q_off + q_len] if flags & _F_QUERY else None
        else:
            head = bytes(head)
            headers = [str(head[o:o + k], 'utf-8') for o, k in zip(offs, offs)]
            method = head[m_off:m_off + m_len].decode()
            path = head[p_off:p_off + p_len].decode() if p_len else '/'
            query = head[q_off:q_off + q_len].decode() if flags & _F_QUERY else None
        return (method, path, query, minor, headers, n, length, flags & _F_PUBLIC)


_out = ffi.new('size_t[2]')


def new_chunked():
    state = ffi.new('md_chunked *')
    lib.md_chunked_init(state)
    return state


def chunked_decode(state, buf, start, end):
    with _scratch_lock:
        _check_range(buf, start, end)
        out = _out
        rc = lib.md_chunked_decode(
            state, _from_buffer('uint8_t[]', buf, require_writable=True) + start,
            end - start, out, out + 1)
        if rc < 0:
            raise ValueError(-rc, 'malformed chunked body')
        return (start + out[0], start + out[1], rc == 1)


# Routing -------------------------------------------------------------------

class _Router:
    __slots__ = ('blob', 'count')

    def __init__(self, blob, count):
        self.blob = blob
        self.count = count


_caps = ffi.new('md_capture[]', lib.MD_MAX_CAPTURES)
_ncaps = ffi.new('size_t *')
_verify = ffi.new('int *')
_CAP_INT = lib.MD_CAP_INT


def compile_router(patterns):
    texts = [p.encode() if isinstance(p, str) else bytes(p) for p in patterns]
    slices = ffi.new('md_slice[]', max(len(texts), 1))
    off = 0
    for i, t in enumerate(texts):
        slices[i].off = off
        slices[i].len = len(t)
        off += len(t)
    text = b''.join(texts)
    bad = ffi.new('size_t *')
    size = lib.md_router_build(text, slices, len(texts), ffi.NULL, 0, bad)
    if size >= 0:
        blob = ffi.new('uint8_t[]', max(size, 1))
        size = lib.md_router_build(text, slices, len(texts), blob, size, bad)
    if size < 0:
        raise ValueError(-size, 'malformed route pattern %r' % (patterns[bad[0]],))
    return _Router(blob, len(texts))


def match_route(router, path, start):
    with _scratch_lock:
        raw = path.encode() if isinstance(path, str) else bytes(path)
        ncaps = _ncaps
        while True:
            ncaps[0] = lib.MD_MAX_CAPTURES
            index = lib.md_router_match(router.blob, raw, len(raw), start,
                                        _caps, ncaps, _verify)
            if index < 0:
                return None
            if _verify[0]:
                return (index, None)
            captures = _captures(raw, ncaps[0])
            if captures is not None:
                return (index, captures)
            start = index + 1  # a capture is not UTF-8: this route does not match


def _captures(raw, count):
    captures = []
    for i in range(count):
        cap = _caps[i]
        if cap.type == _CAP_INT:
            captures.append(cap.value)
            continue
        off = cap.text.off
        text = raw[off:off + cap.text.len]
        try:
            captures.append(url_decode(text, False))
        except ValueError:
            return None
    return captures


# WebSocket -----------------------------------------------------------------

_frame = ffi.new('md_ws_frame *')
_ws_out = ffi.new('uint8_t[]', lib.MD_WS_MAX_HEADER)
_ws_out_buffer = ffi.buffer(_ws_out)


def ws_parse_header(buf, start, end, masked, max_payload):
    with _scratch_lock:
        _check_range(buf, start, end)
        f = _frame
        n = lib.md_ws_parse_header(_from_buffer('uint8_t[]', buf) + start,
                                   end - start, 1 if masked else 0, max_payload, f)
        if n < 0:
            if n == -1:
                return None
            raise ValueError(-n, 'websocket protocol error' if n == -1002
                             else 'websocket message too big')
        mask = bytes(ffi.buffer(f.mask)) if f.masked else None
        return (bool(f.fin), f.opcode, mask, f.payload_len, n)


def ws_build_header(fin, opcode, length, mask):
    with _scratch_lock:
        if mask is not None:
            _check_mask(mask)
        n = lib.md_ws_build_header(
            _ws_out, 1 if fin else 0, opcode, length,
            ffi.NULL if mask is None else _from_buffer('uint8_t[]', mask))
        return _ws_out_buffer[:n]


def ws_mask(buf, start, end, mask, offset):
    _check_range(buf, start, end)
    _check_mask(mask)
    lib.md_ws_mask(_from_buffer('uint8_t[]', buf, require_writable=True) + start,
                   end - start, _from_buffer('uint8_t[]', mask), offset)


def utf8_check(state, buf, start, end):
    _check_range(buf, start, end)
    return lib.md_utf8_check(state, _from_buffer('uint8_t[]', buf) + start,
                             end - start)


# Utilities -----------------------------------------------------------------

def _decode(raw, plus):
    # raw: bytes. One C call percent-decodes into a scratch copy.
    dst = ffi.new('uint8_t[]', len(raw) or 1)
    n = lib.md_url_decode(raw, len(raw), dst, 1 if plus else 0)
    if n < 0:
        raise ValueError(-n, 'invalid UTF-8 after percent-decoding')
    return str(ffi.buffer(dst, n), 'utf-8')


def url_decode(s, plus):
    if isinstance(s, str):
        if '%' not in s and not (plus and '+' in s):
            return s
        return _decode(s.encode(), plus)
    raw = bytes(s)
    if b'%' not in raw and not (plus and b'+' in raw):
        try:
            return str(raw, 'utf-8')
        except UnicodeError:
            raise ValueError(400, 'invalid UTF-8')
    return _decode(raw, plus)


# parse_query and parse_cookies split in Python, with the pure backend's
# code: for the short strings they get, str.split beats a C call (whose slice
# array and casts cost more than the split itself). Query parts are still
# percent-decoded in C. test_diff_backends checks both backends agree.

def parse_query(s):
    return split_query(s, url_decode)

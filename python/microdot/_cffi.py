"""CPython backend: the C core (cmodule/) through the cffi extension
``microdot._cmicrodot``, behind the interface documented in ``_pure.py``.

Importing this module raises ImportError when the extension was not built,
so ``microdot._backend`` falls back to the pure backend.

Each function makes one C call for the whole job and turns its results into
Python objects with as few Python operations as possible: inputs are passed
without a copy (``bytes`` as they are, other buffers with
``ffi.from_buffer``) and the C output structs are allocated once per module.
The hot functions call glue next to the build script (ports/cffi/md_pack.c)
that checks the caller's start/end itself and packs its numbers into the
return value; a request head comes back as one text that one decode and one
split turn into all its strings. When the CPython C-API module
microdot._cbuild was built (ports/cffi/md_pybuild.c, with md_pack.c compiled
in), its parse_request does all of that in one call, and this module's
Python version is only the fallback."""
import threading

from microdot._cmicrodot import ffi, lib
from microdot._pure import parse_cookies as _pure_parse_cookies, split_query

try:  # (CPython C API: all of parse_request in one call)
    from microdot._cbuild import parse_request as _c_parse_request
    from microdot._cbuild import request_hints as _c_request_hints
except ImportError:
    _c_parse_request = None

if not hasattr(lib, 'md_pack_limits'):  # pragma: no cover
    raise ImportError('microdot._cmicrodot is older than microdot._cffi: '
                      'rebuild it (python ports/cffi/build_cffi.py)')

NAME = 'cffi'
F_CHUNKED = 1
F_KEEP_ALIVE = 2
F_EXPECT_CONTINUE = 4
F_UPGRADE = 8
_F_QUERY = 16
_F_PUBLIC = 15

# ffi.from_buffer results are only ever temporaries inside a call
# expression: one kept in a local of a frame that a traceback holds crashed
# CPython 3.11's garbage collector (cffi 2.1.1) when the buffer was a
# memoryview.
_from_buffer = ffi.from_buffer

# The C scratch structs below are shared, and cffi releases the GIL during
# C calls: threads (WSGI workers, sync handlers) take turns through this lock
# (parse_request has a pool of scratches instead).
_scratch_lock = threading.Lock()
_lock = _scratch_lock.acquire  # (cheaper than a with statement)
_unlock = _scratch_lock.release
_string = ffi.string


def _check_range(buf, start, end):
    # C trusts these: a wrong range would read or write outside the buffer.
    # (The md_pack_* glue functions check their ranges in C.)
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
# md_pack_request (ports/cffi/md_pack.c) parses the head and copies its
# strings into one '\n'-separated, NUL-terminated text, valid UTF-8: one
# decode and one split make all of them (header fields first, then method,
# path and query, popped off the end). The numbers come back packed in the
# return value.
#
# A client sends the same field names in the same order on every request:
# md_pack keeps the name lists it saw in a few slots, and this module one
# list per slot, [name0, None, name1, None, ...], made once. A head whose
# names are a slot's comes without them in the text, and its header list is
# a copy of the slot's with the values put in: fewer strings to make, and
# names whose hash is already known when headers is built.

_pack_request = lib.md_pack_request
_pack_limits = lib.md_pack_limits
_PACK_MINOR = lib.MD_PACK_MINOR
_PACK_LENGTH = lib.MD_PACK_LENGTH
_PACK_DISTINCT = lib.MD_PACK_DISTINCT
_PACK_SEEN = lib.MD_PACK_SEEN
_PACK_KEPT = lib.MD_PACK_KEPT
_SLOT_SHIFT = lib.MD_PACK_SLOT_SHIFT
_SLOT_MASK = 7
assert lib.MD_PACK_SLOTS <= _SLOT_MASK + 1
_PACK_SHIFT = lib.MD_PACK_SHIFT
_PACK_RANGE = lib.MD_PACK_RANGE
_PACK_GROW = lib.MD_PACK_GROW

# The header list of the latest parse_request result whose field names are
# all different ignoring case (C checked): microdot._cpython's headers
# builder then skips that check when it gets this very list. (Identity can
# only match that list: this reference keeps it alive.) plain_cookie is the
# latest Cookie value that C found to be a plain browser list (md_pack.h:
# MD_PACK_COOKIE_SHIFT), which the cookies builder then splits without
# checking it: that is a property of the text, so identity is enough.
distinct_headers = None
plain_cookie = False  # (never a header value, nor None)
_COOKIE_BITS = 63 << lib.MD_PACK_COOKIE_SHIFT
_COOKIE_VALUE_SHIFT = lib.MD_PACK_COOKIE_SHIFT - 1

# A head scratch is [md_pack *, a buffer over its text, its slots' names,
# its header slices, the max_line, max_head and max_headers its md_pack was
# given, and its text].
# parse_request takes one from this pool and gives it back: with threads,
# each one in a parse at the same time has its own (cheaper than a lock,
# which costs about 1,000 instructions per call). The limits go to C only
# when they change: three int comparisons cost less than three more cffi
# arguments.
_scratches = []
_take_scratch = _scratches.pop
_give_scratch = _scratches.append


def _new_scratch():
    scratch = [ffi.new('md_pack *'), None, [None] * lib.MD_PACK_SLOTS, None,
               None, None, None, None]
    _grow(scratch, 128, 16384)  # (ffi.new zeroes: the slots are empty)
    return scratch


def _grow(scratch, headers, text):
    pack = scratch[0]
    headers = max(headers, pack.headers_cap)
    text = max(text, pack.text_cap)
    scratch[3] = pack.headers = ffi.new('md_header[]', headers)
    scratch[7] = pack.text = ffi.new('char[]', text)
    scratch[1] = ffi.buffer(scratch[7])
    pack.headers_cap = headers
    pack.text_cap = text


_give_scratch(_new_scratch())


def _slot_names(fields):
    # fields: names and values, then method, path and query
    names = fields[:-3]
    names[1::2] = [None] * (len(names) // 2)
    return names


def _header_names(headers):
    names = headers[:]
    names[1::2] = [None] * (len(names) // 2)
    return names


# The bits of md_pack_request's result, as literal numbers in
# parse_request (a global read costs more, at every request):
#   15: F_* flags          16: MD_F_QUERY          32: MD_PACK_MINOR
#   64: MD_PACK_LENGTH    128: MD_PACK_DISTINCT   256: MD_PACK_SEEN
#  512: MD_PACK_KEPT      r >> 10 & 7: the slot   r >> 19: head length
#  r >> 13 & 63: the plain Cookie field + 1 (r & 516096: there is one)
assert (_F_PUBLIC, _F_QUERY, _PACK_MINOR, _PACK_LENGTH, _PACK_DISTINCT,
        _PACK_SEEN, _PACK_KEPT, _SLOT_SHIFT, _PACK_SHIFT, _COOKIE_BITS,
        _COOKIE_VALUE_SHIFT) == (
    15, 16, 32, 64, 128, 256, 512, 10, 19, 63 << 13, 12)


def _parse_request_text(buf, start, end, scanned, max_line, max_head,
                        max_headers):
    # parse_request without microdot._cbuild: one decode and one split
    global distinct_headers, plain_cookie
    try:
        scratch = _take_scratch()
    except IndexError:  # all in use by other threads
        scratch = _new_scratch()
    try:
        pack, _, kept, _, line, head, count, text = scratch
        if max_line != line or max_head != head or max_headers != count:
            _set_limits(scratch, max_line, max_head, max_headers)
        r = _pack_request(
            pack, buf if type(buf) is bytes else _from_buffer(buf),
            len(buf), start, end, scanned)
        if r < 0:
            r = _retry(scratch, r, buf, start, end, scanned)
            if r is None:
                return None
            text = scratch[7]
        try:
            headers = _string(text).decode().split('\n')
            if r & 256:  # seen: the names are those kept in slot r >> 10 & 7
                names = kept[r >> 10 & 7]
            else:
                names = None
                if r & 512:  # kept: the names went into that slot
                    kept[r >> 10 & 7] = _slot_names(headers)
        except BaseException:  # (MemoryError): the slots may be wrong now
            lib.md_pack_forget(pack)
            raise
        length = pack.content_length if r & 64 else -1
    finally:
        _give_scratch(scratch)
    query = headers.pop()
    path = headers.pop()
    method = headers.pop()
    if names is not None:  # headers holds the values: put them in a copy
        values = headers
        headers = names[:]
        headers[1::2] = values
    if r & 128:
        distinct_headers = headers
        if r & 516096:  # (1 + field index) * 2 - 1: the field's value
            plain_cookie = headers[(r >> 12 & 126) - 1]
    return (method, path, query if r & 16 else None, 1 if r & 32 else 0,
            headers, r >> 19, length, r & 15)


if _c_parse_request is not None:
    # the same parse with _cbuild's own scratches and slots, its hints put
    # into this module's globals (distinct_headers, plain_cookie)
    _c_request_hints(globals())
    parse_request = _c_parse_request
else:
    parse_request = _parse_request_text


def _set_limits(scratch, max_line, max_head, max_headers):
    scratch[4] = None  # (unknown if md_pack_limits raises)
    _pack_limits(scratch[0], max_line, max_head, max_headers)
    scratch[4:7] = max_line, max_head, max_headers


def _retry(scratch, r, buf, *args):
    # The slow paths of parse_request: returns the packed result, None for
    # an incomplete head, or raises.
    pack = scratch[0]
    while r == _PACK_GROW:
        _grow(scratch, pack.need_headers, pack.need_text)
        r = _pack_request(pack, _from_buffer(buf), len(buf), *args)
    if r == -1:
        return None
    if r == _PACK_RANGE:
        raise ValueError('need 0 <= start <= end <= len(buf)')
    if r < 0:
        raise _error(r, pack.error)
    return r


def new_chunked():
    state = ffi.new('md_chunked *')
    lib.md_chunked_init(state)
    return state


_next = ffi.new('int64_t *')
_pack_chunked = lib.md_pack_chunked


def chunked_decode(state, buf, start, end):
    with _scratch_lock:
        r = _pack_chunked(state, _from_buffer('char[]', buf, True), len(buf),
                          start, end, _next)
        if r < 0:
            if r == _PACK_RANGE:
                raise ValueError('need 0 <= start <= end <= len(buf)')
            raise ValueError(-r, 'malformed chunked body')
        return (r >> 1, _next[0], r & 1 == 1)


# Routing -------------------------------------------------------------------

class _Router:
    __slots__ = ('blob', 'count')

    def __init__(self, blob, count):
        self.blob = blob
        self.count = count


_caps = ffi.new('md_capture[]', lib.MD_MAX_CAPTURES)
_values = ffi.new('int64_t[]', 2 * lib.MD_MAX_CAPTURES)
_pack_route = lib.md_pack_route
_unpack = ffi.unpack
_PACK_COUNT = lib.MD_PACK_COUNT
_PACK_INTS = lib.MD_PACK_INTS
_PACK_VERIFY = lib.MD_PACK_VERIFY
_ONE_INT = lib.MD_PACK_INTS | 1


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
    if isinstance(path, str):
        raw = path.encode()
        if len(raw) != len(path):
            path = None  # not ASCII: captures are sliced out of raw
    else:
        raw = bytes(path)
        path = None
    with _scratch_lock:
        while True:
            r = _pack_route(router.blob, raw, len(raw), start, _caps, _values)
            if r < 0:
                return None
            what = r & 255
            if not what:
                return (r >> 8, [])
            if what == _ONE_INT:  # the common <int:id>
                return (r >> 8, [_values[0]])
            if what & _PACK_VERIFY:
                return (r >> 8, None)
            captures = _captures(raw, path, what & _PACK_COUNT)
            if captures is not None:
                return (r >> 8, captures)
            start = (r >> 8) + 1  # a capture is not UTF-8: no match here


def _captures(raw, path, count):
    # path: the str that raw encodes when it is ASCII (offsets match), else None
    values = _unpack(_values, 2 * count)
    captures = []
    for i in range(0, 2 * count, 2):
        off = values[i]
        n = values[i + 1]
        if n < 0:  # an int
            captures.append(off)
            continue
        try:
            captures.append(url_decode(raw[off:off + n] if path is None
                                       else path[off:off + n], False))
        except ValueError:
            return None
    return captures


# WebSocket -----------------------------------------------------------------

_frame = ffi.new('md_ws_frame *')
_ws_out = ffi.new('uint8_t[]', lib.MD_WS_MAX_HEADER)
_ws_out_buffer = ffi.buffer(_ws_out)


_pack_ws_header = lib.md_pack_ws_header
_PACK_FIN = lib.MD_PACK_FIN
_PACK_MASKED = lib.MD_PACK_MASKED


def ws_parse_header(buf, start, end, masked, max_payload):
    with _scratch_lock:
        r = _pack_ws_header(buf if type(buf) is bytes else _from_buffer(buf),
                            len(buf), start, end, 1 if masked else 0,
                            max_payload, _frame)
        if r < 0:
            if r == -1:
                return None
            if r == _PACK_RANGE:
                raise ValueError('need 0 <= start <= end <= len(buf)')
            raise ValueError(-r, 'websocket protocol error' if r == -1002
                             else 'websocket message too big')
        length = _frame.payload_len
    n = r & 15
    # the mask is the last 4 bytes of the header
    mask = bytes(buf[start + n - 4:start + n]) if r & _PACK_MASKED else None
    return (r & _PACK_FIN != 0, r >> 4 & 15, mask, length, n)


def ws_build_header(fin, opcode, length, mask):
    with _scratch_lock:
        if mask is not None:
            _check_mask(mask)
        n = lib.md_ws_build_header(
            _ws_out, 1 if fin else 0, opcode, length,
            ffi.NULL if mask is None else _from_buffer('uint8_t[]', mask))
        return _ws_out_buffer[:n]


_pack_ws_mask = lib.md_pack_ws_mask
_pack_utf8_check = lib.md_pack_utf8_check


def ws_mask(buf, start, end, mask, offset):
    if _pack_ws_mask(_from_buffer('char[]', buf, True), len(buf), start, end,
                     mask if type(mask) is bytes else _from_buffer(mask),
                     len(mask), offset):
        raise ValueError('need 0 <= start <= end <= len(buf) and a 4-byte mask')


def utf8_check(state, buf, start, end):
    r = _pack_utf8_check(state, buf if type(buf) is bytes else _from_buffer(buf),
                         len(buf), start, end)
    if r < 0:
        raise ValueError('need 0 <= start <= end <= len(buf)')
    return r


# Utilities -----------------------------------------------------------------

def _decode(raw, plus):
    # raw: bytes. One C call percent-decodes into a scratch copy.
    dst = ffi.new('uint8_t[]', len(raw) or 1)
    n = lib.md_url_decode(raw, len(raw), dst, 1 if plus else 0)
    if n < 0:
        raise ValueError(-n, 'invalid UTF-8 after percent-decoding')
    return str(ffi.buffer(dst, n), 'utf-8')


_PERCENT = ord('%')
_PLUS = ord('+')


def url_decode(s, plus):
    if isinstance(s, str):
        if '%' not in s and not (plus and '+' in s):
            return s
        return _decode(s.encode(), plus)
    raw = bytes(s)
    # (ints: `b'%' in raw` first tries b'%' as an int and formats an error)
    if _PERCENT not in raw and not (plus and _PLUS in raw):
        try:
            return str(raw, 'utf-8')
        except UnicodeError:
            raise ValueError(400, 'invalid UTF-8')
    return _decode(raw, plus)


# parse_query and parse_cookies: one C call splits (and decodes) all the
# pairs into a scratch text, that one decode and one split turn into the flat
# list. A part holding a '\n' (which would split in two) takes the pure
# backend's Python code, as does a str that is not encodable (lone
# surrogates). test_diff_backends checks both backends agree.

_pack_pairs = lib.md_pack_pairs
_PACK_NEWLINE = lib.MD_PACK_NEWLINE
_PAIRS_KEPT = 4096  # inputs up to this long use the scratches below


def _pairs_scratch(length):
    # (2 slices of 16 bytes per possible pair: 16 bytes per input byte)
    return (ffi.new('md_slice[]', 2 * (length // 2 + 1)),
            ffi.new('char[]', 2 * length + 2))


_pair_slices, _pair_text = _pairs_scratch(_PAIRS_KEPT)


def _pairs(s, cookies, fallback):
    if isinstance(s, str):
        try:
            raw = s.encode()
        except UnicodeError:
            return fallback(s)
    else:
        raw = bytes(s)
    length = len(raw)
    _lock()
    try:
        if length <= _PAIRS_KEPT:
            slices, out = _pair_slices, _pair_text
        else:  # a long form body: scratches for this call only
            slices, out = _pairs_scratch(length)
        r = _pack_pairs(raw, length, cookies, slices, length // 2 + 1, out,
                        2 * length + 2)
        text = _unpack(out, r) if r > 0 else None
    finally:
        _unlock()
    if text is not None:
        return text.decode().split('\n')
    if r == 0:
        return []
    if r == _PACK_NEWLINE:
        return fallback(s)
    raise ValueError(-r, 'invalid UTF-8')


def _pure_query(s):
    return split_query(s, url_decode)


def parse_query(s):
    return _pairs(s, 0, _pure_query)


def parse_cookies(s):
    return _pairs(s, 1, _pure_parse_cookies)

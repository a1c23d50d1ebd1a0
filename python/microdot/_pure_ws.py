"""The pure backend's WebSocket frame functions (ws_parse_header,
ws_build_header, ws_mask; see the interface in microdot._pure, which imports
this module on first use: an app without WebSocket routes keeps it out of
RAM)."""


def ws_parse_header(buf, start, end, masked, max_payload):
    n = end - start
    if n < 2:
        return None
    b0 = buf[start]
    b1 = buf[start + 1]
    opcode = b0 & 0x0f
    length = b1 & 0x7f
    # fail on the first two bytes, before waiting for the rest
    if (b0 & 0x70 or 2 < opcode < 8 or opcode > 10
            or bool(b1 & 0x80) != bool(masked)
            or (opcode & 8 and (not b0 & 0x80 or length > 125))):
        raise ValueError(1002, 'websocket protocol error')
    size = 2 if length < 126 else 4 if length == 126 else 10
    if b1 & 0x80:
        size += 4
    if n < size:
        return None
    if length == 126:
        length = (buf[start + 2] << 8) | buf[start + 3]
        if length < 126:
            raise ValueError(1002, 'websocket protocol error')
    elif length == 127:
        length = int.from_bytes(bytes(buf[start + 2:start + 10]), 'big')
        if length < 0x10000 or length >> 63:
            raise ValueError(1002, 'websocket protocol error')
    if length > max_payload:
        raise ValueError(1009, 'websocket message too big')
    mask = bytes(buf[start + size - 4:start + size]) if b1 & 0x80 else None
    return (bool(b0 & 0x80), opcode, mask, length, size)


def ws_build_header(fin, opcode, length, mask):
    b0 = (0x80 if fin else 0) | (opcode & 0x0f)
    m = 0 if mask is None else 0x80
    if length < 126:
        head = bytes((b0, m | length))
    elif length <= 0xffff:
        head = bytes((b0, m | 126)) + length.to_bytes(2, 'big')
    else:
        head = bytes((b0, m | 127)) + length.to_bytes(8, 'big')
    if mask is not None:
        head += bytes(mask)
    return head


# bytes masked per big-integer XOR (a multiple of 4): it bounds the garbage
# of a call, a few blocks of this size; on MicroPython (without uctypes, or
# under 16 bytes) small ones, which a fragmented heap still has
_MASK_PIECE = 256 if __import__('sys').implementation.name == 'micropython' \
    else 4096

# MicroPython masks through uctypes, a word at a time in place: as fast as
# the big-integer XOR, without its garbage (~4.6 bytes per byte masked in
# blocks of ~280). The words are aligned (boards fault on unaligned ones)
# and hold 32 bits where a small int holds them (no int is made), 16
# elsewhere.
try:
    import sys
    import uctypes
    _WORD = 4 if sys.maxsize >> 32 else 2
    _WINDOW = 0x4000 * _WORD  # bytes in the array _WORDS declares
    _WORDS = {'w': (uctypes.ARRAY | 0, 0x4000 | (
        uctypes.UINT32 if _WORD == 4 else uctypes.UINT16))}
    _ORDER = sys.byteorder
    _address = uctypes.addressof
    _struct = uctypes.struct
    del sys, uctypes
except ImportError:  # CPython
    _WORD = 0


def ws_mask(buf, start, end, mask, offset):
    n = end - start
    if n <= 0:
        return
    if _WORD and n >= 16:
        return _mask_words(buf, start, end, mask, offset)
    k = offset & 3
    mask = bytes(mask)
    if k:
        mask = mask[k:] + mask[:k]
    # one big-integer XOR per piece instead of a loop over the bytes; a
    # piece is a multiple of 4 bytes, so the key lines up for the next one
    piece = min(n, _MASK_PIECE)
    size = (piece + 3) & ~3  # the key's length
    key = int.from_bytes(mask * (size >> 2), 'big')
    view = memoryview(buf)
    while start < end:
        n = min(end - start, piece)
        x = int.from_bytes(view[start:start + n], 'big') ^ (
            key if n == size else key >> ((size - n) << 3))
        buf[start:start + n] = x.to_bytes(n, 'big')
        start += n


def _mask_words(buf, start, end, mask, offset):
    # bytes up to an aligned address, then whole words, then the last bytes
    # (n >= 16: there is at least one word)
    address = _address(buf) + start
    first = start + (-address & 3)
    last = first + (end - first) // 4 * 4
    for i in range(start, first):
        buf[i] ^= mask[(i - start + offset) & 3]
    for i in range(last, end):
        buf[i] ^= mask[(i - start + offset) & 3]
    k = (first - start + offset) & 3
    key = bytes(mask[k:]) + bytes(mask[:k])  # the mask from the first word
    # a window of words at a time
    address += first - start
    while first < last:
        size = min(last - first, _WINDOW)
        words = _struct(address, _WORDS).w
        if _WORD == 4:
            word = int.from_bytes(key, _ORDER)
            for j in range(size >> 2):
                words[j] ^= word
        else:
            word = int.from_bytes(key[:2], _ORDER)
            high = int.from_bytes(key[2:], _ORDER)
            for j in range(0, size >> 1, 2):
                words[j] ^= word
                words[j + 1] ^= high
        first += size
        address += size

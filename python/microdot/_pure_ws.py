"""The pure backend's WebSocket frame functions (ws_parse_header,
ws_build_header, ws_mask; see the interface in microdot._pure, which imports
this module on first use: an app without WebSocket routes keeps it out of
RAM), and ws_take_message, the optional one of the C binding that
microdot.websocket's receive uses on MicroPython."""


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
# of a call, a few blocks of this size; on MicroPython small ones, which a
# fragmented heap still has (a 1 KB message took ~7.9 KB with 4096)
_MASK_PIECE = 256 if __import__('sys').implementation.name == 'micropython' \
    else 4096


def ws_mask(buf, start, end, mask, offset):
    n = end - start
    if n <= 0:
        return
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


def ws_take_message(buf, start, end, max_payload, data_ok):
    """The C binding's ws_take_message: None, or (opcode, payload, stop) for
    the masked frame at buf[start:end] when it is whole and a control frame
    or, with data_ok, a one-frame binary message or text of up to 4 KiB
    (bigger ones: the caller's frame reader checks them in pieces); payload
    is bytes, str for text (ValueError(1007) if it is not valid UTF-8).
    Unlike the binding's, it unmasks the payload in buf (one copy less): the
    caller reads a frame once."""
    header = ws_parse_header(buf, start, end, True, max_payload)
    if header is None:
        return None
    opcode = header[1]
    start += header[4]
    stop = start + header[3]
    if stop > end or opcode < 8 and not (data_ok and header[0] and (
            opcode == 2 or opcode == 1 and header[3] <= 4096)):
        return None
    ws_mask(buf, start, stop, header[2], 0)
    data = bytes(memoryview(buf)[start:stop])
    if opcode != 1:
        return (opcode, data, stop)
    try:
        text = str(data, 'utf-8')  # (on MicroPython it shares data's bytes)
    except UnicodeError:
        text = None
    # ASCII is valid as decoded. Else the decoder may be MicroPython's, which
    # checks only how sequences are made: with two-byte sequences alone (no
    # byte from E0) and none led by C0 or C1 (overlong) that is enough, and
    # the DFA rules on the rest (microdot._pure_utf8 is imported for the
    # first such text)
    if text is not None and len(text) != len(data) and (
            max(data) >= 0xe0 or b'\xc0' in data or b'\xc1' in data):
        try:
            from microdot._pure_utf8 import _walk
        except ImportError:  # (the vector tests import the modules alone)
            from _pure_utf8 import _walk
        if _walk(0, data, 0, len(data)) != 0:
            text = None
    if text is None:
        raise ValueError(1007, 'invalid UTF-8')
    return (1, text, stop)

"""The pure backend's UTF-8 validation (utf8_check; see the interface in
microdot._pure, which imports this module on first use: a board whose
requests are ASCII keeps it out of RAM), and utf8_text, the check and the
decoding of a whole text in one pass (the pure WebSocket receive's).

The DFA of md_ws.c, with the same state numbers: 0 accept, 1 reject, 2..4
need 1..3 continuation bytes, 5..8 need a restricted second byte (after E0,
ED, F0, F4)."""

# MicroPython's decoder checks only how sequences are made (it lets
# overlong forms and surrogates through)
_STRICT_DECODE = __import__('sys').implementation.name != 'micropython'

# bytes the decoder vouches for at a time where it is not strict (on
# MicroPython it checks only how sequences are made, not what they encode):
# each piece's text is a small block, which a fragmented heap still has
_PIECE = 256


def _step(state, c):
    if state == 0:
        if c < 0x80:
            return 0
        if c < 0xc2 or c > 0xf4:
            return 1
        if c < 0xe0:
            return 2
        if c < 0xf0:
            return 5 if c == 0xe0 else 6 if c == 0xed else 3
        return 7 if c == 0xf0 else 8 if c == 0xf4 else 4
    lo = 0xa0 if state == 5 else 0x90 if state == 7 else 0x80
    hi = 0x9f if state == 6 else 0x8f if state == 8 else 0xbf
    if c < lo or c > hi:
        return 1
    # (2 ends the sequence; 3, 5, 6 leave one byte to come; 4, 7, 8 two)
    return 0 if state == 2 else 3 if state == 4 or state > 6 else 2


def _walk(state, buf, i, end):
    # _step over buf[i:end], inlined for ASCII, two-byte sequences and the
    # last continuation byte of any sequence (most bytes); a for loop over
    # a memoryview: no index to keep, no copy
    for c in memoryview(buf)[i:end]:
        if state == 0:
            if c < 0x80:
                continue
            if c < 0xe0 and c >= 0xc2:
                state = 2
                continue
            state = _step(0, c)
        elif state == 2:
            if c & 0xc0 != 0x80:
                return 1
            state = 0
            continue
        else:
            state = _step(state, c)
        if state == 1:
            return 1
    return state


def utf8_check(state, buf, start, end):
    i = start
    while state > 1 and i < end:  # finish the sequence left open
        state = _step(state, buf[i])
        i += 1
    if state != 0 or i == end:
        return state
    if _STRICT_DECODE:
        # CPython's decoder vouches for the rest; walk the DFA only from
        # where it stopped
        try:
            str(buf[i:end], 'utf-8')
            return 0
        except UnicodeError as e:
            return _walk(0, buf, i + e.start, end)
    # ASCII pieces, decoded without a copy; the first other one sends the
    # rest to the DFA (text that is not ASCII seldom turns ASCII for long)
    view = memoryview(buf)
    while i < end:
        stop = min(end, i + _PIECE)
        try:
            if len(str(view[i:stop], 'utf-8')) != stop - i:
                break
        except UnicodeError:
            break
        i = stop
    return _walk(0, view, i, end)


def utf8_text(buf, start, end):
    """buf[start:end] as str, decoded once; None unless it is whole, valid
    UTF-8 (what utf8_check then str() would give, without the check's
    copies)."""
    try:
        text = str(memoryview(buf)[start:end], 'utf-8')
    except UnicodeError:
        return None
    # the decoder's text is exact when strict, or ASCII (one byte a
    # character); else the DFA must still rule out what it let through
    if _STRICT_DECODE or len(text) == end - start or _walk(
            0, buf, start, end) == 0:
        return text
    return None


def utf8_seq(b, p, end):
    """md_utf8_seq: length of the sequence at b[p], 0 if invalid, -1 if cut."""
    state = _step(0, b[p])
    if state < 2:
        return 1 - state
    i = p + 1
    while True:
        if i >= end:
            return -1
        state = _step(state, b[i])
        i += 1
        if state == 0:
            return i - p
        if state == 1:
            return 0

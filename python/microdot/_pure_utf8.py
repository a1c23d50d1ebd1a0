"""The pure backend's UTF-8 validation (utf8_check; see the interface in
microdot._pure, which imports this module on first use: a board whose
requests are ASCII keeps it out of RAM).

The DFA of md_ws.c, with the same state numbers: 0 accept, 1 reject, 2..4
need 1..3 continuation bytes, 5..8 need a restricted second byte (after E0,
ED, F0, F4)."""

try:
    b'\xed\xa0\x80'.decode()
    _STRICT_DECODE = False  # MicroPython: decoding lets surrogates through
except UnicodeError:
    _STRICT_DECODE = True


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
    return 0 if state == 2 else 2 if state in (3, 5, 6) else 3


def utf8_check(state, buf, start, end):
    i = start
    while state > 1 and i < end:  # finish the sequence left open
        state = _step(state, buf[i])
        i += 1
    if state != 0 or i == end:
        return state
    # Let the interpreter's decoder vouch for the rest where it is strict;
    # walk the DFA only from where it stopped.
    try:
        s = str(buf[i:end], 'utf-8')
        if _STRICT_DECODE or len(s) == end - i:
            return 0
    except UnicodeError as e:
        i += getattr(e, 'start', 0)
    while i < end and state != 1:
        state = _step(state, buf[i])
        i += 1
    return state


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

"""The pure backend's chunked-body decoder (new_chunked, chunked_decode; see
the interface in microdot._pure, which imports this module on first use: a
board whose clients never send chunked bodies keeps it out of RAM). A port of
md_http.c's decoder; state is [phase, remaining, counter]."""

(_CH_SIZE, _CH_DIGITS, _CH_BWS, _CH_EXT, _CH_SIZE_LF, _CH_DATA, _CH_DATA_END,
 _CH_DATA_LF, _CH_TR_START, _CH_TR_NAME, _CH_TR_VALUE, _CH_TR_LF, _CH_END_LF,
 _CH_DONE, _CH_ERROR) = range(15)
_MAX_TRAILER = 4096
_MAX_CHUNK_EXT = 1024
_HEX = b'0123456789abcdefABCDEF'


def new_chunked():
    return [_CH_SIZE, 0, 0]


def _is_ctl(c):
    return (c < 0x20 and c != 9) or c == 0x7f


def _is_tchar(c):
    # RFC 9110 token characters: VCHAR but the delimiters
    return 0x20 < c < 0x7f and c not in b'"(),/:;<=>?@[\\]{}'


def _chunked_step(st, ch):
    """The phase after byte ch (any phase but _CH_DATA); updates st."""
    phase = st[0]
    if phase <= _CH_DIGITS:
        d = _HEX.find(bytes((ch,)))
        if d >= 0:
            if st[1] >> 59:
                return _CH_ERROR  # the size would reach 2^63
            st[1] = (st[1] << 4) | (d if d < 16 else d - 6)
            return _CH_DIGITS
        if phase == _CH_SIZE:
            return _CH_ERROR
        if ch == 59:  # ';'
            return _CH_EXT
        if ch == 32 or ch == 9:
            return _CH_BWS
        return _chunked_line_end(st, ch)
    if phase == _CH_BWS:
        return _CH_BWS if ch == 32 or ch == 9 else _CH_EXT if ch == 59 else _CH_ERROR
    if phase == _CH_EXT:
        if ch == 13 or ch == 10 or not _is_ctl(ch):
            return _chunked_line_end(st, ch)
        return _CH_ERROR
    if phase == _CH_SIZE_LF:
        if ch != 10:
            return _CH_ERROR
        st[2] = 0
        return _CH_DATA if st[1] else _CH_TR_START
    if phase == _CH_DATA_END or phase == _CH_DATA_LF:
        if phase == _CH_DATA_END and ch == 13:
            return _CH_DATA_LF
        st[2] = 0
        return _CH_SIZE if ch == 10 else _CH_ERROR
    if phase == _CH_TR_START or phase == _CH_TR_NAME:
        if phase == _CH_TR_START:
            if ch == 13:
                return _CH_END_LF
            if ch == 10:
                return _CH_DONE
        if _is_tchar(ch):
            return _CH_TR_NAME
        return _CH_TR_VALUE if ch == 58 and phase == _CH_TR_NAME else _CH_ERROR
    if phase == _CH_TR_VALUE:
        if ch == 13:
            return _CH_TR_LF
        if ch == 10:
            return _CH_TR_START
        return _CH_ERROR if _is_ctl(ch) else _CH_TR_VALUE
    if phase == _CH_TR_LF:
        return _CH_TR_START if ch == 10 else _CH_ERROR
    if phase == _CH_END_LF:
        return _CH_DONE if ch == 10 else _CH_ERROR
    return _CH_ERROR


def _chunked_line_end(st, ch):
    # end of a size line, from _CH_DIGITS or _CH_EXT
    if ch == 13:
        return _CH_SIZE_LF
    if ch != 10:
        return _CH_EXT if st[0] == _CH_EXT else _CH_ERROR
    st[2] = 0
    return _CH_DATA if st[1] else _CH_TR_START


def chunked_decode(state, buf, start, end):
    i = o = start
    while i < end and state[0] < _CH_DONE:
        if state[0] == _CH_DATA:
            n = end - i
            if n > state[1]:
                n = state[1]
            if o != i:
                chunk = buf[i:i + n]
                buf[o:o + n] = bytes(chunk) if isinstance(chunk, memoryview) else chunk
            o += n
            i += n
            state[1] -= n
            if state[1] == 0:
                state[0] = _CH_DATA_END
            continue
        # bound the bytes spent on framing, as md_http.c does
        phase = state[0]
        ch = buf[i]
        i += 1
        if phase >= _CH_TR_START or (phase <= _CH_EXT and ch != 13 and ch != 10):
            state[2] += 1
            if state[2] > (_MAX_TRAILER if phase >= _CH_TR_START else _MAX_CHUNK_EXT):
                state[0] = _CH_ERROR
                break
        state[0] = _chunked_step(state, ch)
    if state[0] == _CH_ERROR:
        raise ValueError(400, 'malformed chunked body')
    return (o, i, state[0] == _CH_DONE)

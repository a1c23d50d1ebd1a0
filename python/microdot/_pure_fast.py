"""The pure backend's fast path for a request head on CPython (a few
whole-buffer operations; microdot._pure's byte-by-byte _parse_head finds the
exact error of any head this is not sure about). Not on MicroPython, which
lacks bytes.translate: there _parse_head does all the work."""
from microdot._pure import F_EXPECT_CONTINUE, _C_TOKEN, _CT, \
    _connection_tokens, _finish
from microdot._pure_utf8 import _STRICT_DECODE, utf8_check

_TCHAR = ''.join(chr(c) for c in range(256) if _CT[c] & _C_TOKEN)

_METHODS = ('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS')
_SPECIAL = ('host', 'content-length', 'transfer-encoding', 'connection',
            'upgrade', 'expect')
# Field names seen valid -> their lower-case form; bounded, so a client
# cannot grow it.
_names = {}
_NAMES_MAX = 64


def _token_lower(name):
    """Lower-case form of a field name, or None if it is not a token."""
    lname = _names.get(name)
    if lname is None:
        if not name:
            return None
        for c in name:
            if c not in _TCHAR:
                return None
        lname = name.lower()
        if len(_names) < _NAMES_MAX:
            _names[name] = lname
    return lname


_CTL = bytes(range(0, 9)) + bytes(range(11, 32)) + b'\x7f'


def _has_ctl(b):
    # a control character other than HTAB and LF
    return len(b.translate(None, _CTL)) != len(b)


def parse_fast(head, max_line, max_headers):
    """The parsed head, or None for anything but an ordinary valid head."""
    h = head.replace(b'\r\n', b'\n')
    if _has_ctl(h):
        return None
    try:
        text = str(h, 'utf-8')
    except UnicodeError:
        return None
    ascii = len(text) == len(h)
    if not ascii and not _STRICT_DECODE and utf8_check(0, h, 0, len(h)):
        return None
    lines = text.split('\n')
    line = lines[0]
    if len(line) > max_line:
        return None
    parts = line.split(' ')
    if len(parts) != 3:
        return None
    method, target, version = parts
    if method not in _METHODS and _token_lower(method) is None:
        return None
    if target[:1] != '/' or '#' in target or '\t' in target:
        return None
    if not ascii and len(line.encode()) != len(line):
        return None
    if version == 'HTTP/1.1':
        minor = 1
    elif version == 'HTTP/1.0':
        minor = 0
    else:
        return None
    q = target.find('?')
    if q < 0:
        path = target
        query = None
    else:
        path = target[:q]
        query = target[q + 1:]
    count = len(lines) - 3
    if count > max_headers:
        return None
    headers = []
    hosts = 0
    length = -1
    chunked = False
    conn = 0
    upgrade = False
    flags = 0
    for i in range(1, count + 1):
        line = lines[i]
        c = line.find(':')
        if c <= 0:
            return None
        name = line[:c]
        lname = _token_lower(name)
        if lname is None:
            return None
        value = line[c + 1:].strip(' \t')
        headers.append(name)
        headers.append(value)
        if lname in _SPECIAL:
            if lname == 'host':
                hosts += 1
                if hosts > 1:
                    return None
            elif lname == 'content-length':
                if not value or len(value) > 18:
                    return None
                for c in value:
                    if c < '0' or c > '9':
                        return None
                c = int(value)
                if length >= 0 and c != length:
                    return None
                length = c
            elif lname == 'connection':
                conn |= _connection_tokens(value.encode())
            elif lname == 'upgrade':
                upgrade = upgrade or value != ''
            elif lname == 'transfer-encoding':
                if minor == 0 or chunked or value.encode().lower() != b'chunked':
                    return None
                chunked = True
            elif value.encode().lower() == b'100-continue':  # expect
                if minor == 1:
                    flags |= F_EXPECT_CONTINUE
            else:
                return None
    return _finish(method, path, query, minor, headers, len(head), length,
                   flags, hosts, chunked, conn, upgrade)

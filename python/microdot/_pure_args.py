"""The pure backend's request parameters: percent-decoding (url_decode),
query strings and urlencoded forms (parse_query, split_query), Cookie
headers (parse_cookies), and the decoded captures of a dynamic route
(match_segments, for microdot._pure's match_route). See the interface in
microdot._pure, which imports this module on first use: an app whose
requests have no query, no cookie and match only fixed routes keeps it out
of RAM."""
try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# MicroPython's decoder checks only how sequences are made (it lets
# overlong forms and surrogates through)
_STRICT_DECODE = __import__('sys').implementation.name != 'micropython'

# segment kinds, as in microdot._pure_route
_LIT = const(0)
_INT = const(2)
_PATH = const(3)

# builtins the per-request functions use, as module names: MicroPython looks
# a builtin up only after missing every name of the module, whose table is
# nearly full (these three also take it to a bigger size)
_isinstance = isinstance
_str = str
_len = len


def _text(b):
    """Bytes to str, ValueError(400) unless they are valid UTF-8."""
    try:
        s = _str(b, 'utf-8')
    except UnicodeError:
        raise ValueError(400, 'invalid UTF-8')
    if not _STRICT_DECODE and _len(s) != _len(b):
        # (the vector tests import the backend's modules alone)
        try:
            from microdot._pure_utf8 import utf8_check
        except ImportError:
            from _pure_utf8 import utf8_check
        if utf8_check(0, b, 0, _len(b)):
            raise ValueError(400, 'invalid UTF-8')
    return s


def url_decode(s, plus):
    if _isinstance(s, _str):
        if '%' not in s and not (plus and '+' in s):
            return s
        b = s.encode()
    else:
        b = bytes(s)
    if plus:
        b = b.replace(b'+', b' ')
    if b'%' in b:
        parts = b.split(b'%')
        hexdigits = b'0123456789abcdefABCDEF'
        out = [parts[0]]
        for i in range(1, _len(parts)):
            p = parts[i]
            if _len(p) >= 2 and p[0] in hexdigits and p[1] in hexdigits:
                out.append(bytes((int(p[:2], 16),)))
                out.append(p[2:])
            else:
                out.append(b'%')
                out.append(p)
        b = b''.join(out)
    return _text(b)


def parse_query(s):
    return split_query(s, url_decode)


def split_query(s, decode):
    # The rules of md_split_query. The cffi backend shares this with its own
    # `decode`: for short strings str.split beats a C call.
    if _isinstance(s, _str):
        amp = '&'
        eq = '='
    else:
        s = bytes(s)
        amp = b'&'
        eq = b'='
    out = []
    for pair in s.split(amp):
        if not pair:
            continue
        i = pair.find(eq)
        if i < 0:
            out.append(decode(pair, True))
            out.append('')
        else:
            out.append(decode(pair[:i], True))
            out.append(decode(pair[i + 1:], True))
    return out


def parse_cookies(s):
    text = _isinstance(s, _str)
    if text:
        pairs = s.split(';')
        eq = '='
        ows = ' \t'
    else:
        pairs = bytes(s).split(b';')
        eq = b'='
        ows = b' \t'
    out = []
    for pair in pairs:
        i = pair.find(eq)
        if i < 0:
            continue
        name = pair[:i].strip(ows)
        value = pair[i + 1:].strip(ows)
        out.append(name if text else _text(name))
        out.append(value if text else _text(value))
    return out


def match_segments(kinds, segs, parts):
    """The decoded captures of a route's match with the path parts, or None."""
    n = _len(kinds)
    if n != _len(parts):
        if _PATH not in kinds or _len(parts) < n:
            return None
    captures = []
    extra = _len(parts) - n  # path segments taken by a path component
    j = 0
    for k in range(n):
        kind = kinds[k]
        if kind == _LIT:
            if parts[j] != segs[k]:
                return None
            j += 1
            continue
        if kind == _PATH:
            text = '/'.join(parts[j:j + extra + 1])
            j += extra + 1
        else:
            text = parts[j]
            j += 1
        if not text:
            return None
        if kind == _INT:
            # an optional '-' and 1 to 18 digits
            digits = text[1:] if text[0] == '-' else text
            if not digits or _len(digits) > 18:
                return None
            for c in digits:
                if c < '0' or c > '9':
                    return None
            captures.append(int(text))
            continue
        captures.append(text)
    for k in range(_len(captures)):
        if _isinstance(captures[k], _str):
            try:
                captures[k] = url_decode(captures[k], False)
            except ValueError:
                return None
    return captures

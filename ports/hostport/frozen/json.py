"""A minimal json (dumps/loads) for the host port, frozen next to the façade
by ports/hostport/frozen/manifest.py: the sdist this port builds from has no
extmod/, where MicroPython's json lives. Output follows MicroPython's json
(', ' and ': ' separators, non-ASCII text kept as UTF-8).
"""

_ESCAPES = {'"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t',
            '\b': '\\b', '\f': '\\f'}


def _string(s):
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append('\\u%04x' % ord(ch))
        else:
            out.append(ch)
    return '"' + ''.join(out) + '"'


def dumps(obj, separators=None):
    item_sep, key_sep = separators or (', ', ': ')
    if obj is None:
        return 'null'
    if obj is True:
        return 'true'
    if obj is False:
        return 'false'
    if isinstance(obj, str):
        return _string(obj)
    if isinstance(obj, (int, float)):
        return repr(obj)
    if isinstance(obj, dict):
        return '{' + item_sep.join(_string(str(k)) + key_sep + dumps(v, separators)
                                   for k, v in obj.items()) + '}'
    if isinstance(obj, (list, tuple)):
        return '[' + item_sep.join(dumps(v, separators) for v in obj) + ']'
    raise TypeError('not JSON serializable: %r' % (obj,))


class _Parser:
    def __init__(self, text):
        self.s = text
        self.i = 0

    def error(self):
        raise ValueError('syntax error in JSON at %d' % self.i)

    def space(self):
        while self.i < len(self.s) and self.s[self.i] in ' \t\r\n':
            self.i += 1

    def value(self):
        self.space()
        if self.i >= len(self.s):
            self.error()
        ch = self.s[self.i]
        if ch == '{':
            return self.obj()
        if ch == '[':
            return self.array()
        if ch == '"':
            return self.string()
        for word, value in (('true', True), ('false', False), ('null', None)):
            if self.s.startswith(word, self.i):
                self.i += len(word)
                return value
        return self.number()

    def obj(self):
        self.i += 1
        result = {}
        self.space()
        if self.s[self.i:self.i + 1] == '}':
            self.i += 1
            return result
        while True:
            self.space()
            if self.s[self.i:self.i + 1] != '"':
                self.error()
            key = self.string()
            self.space()
            if self.s[self.i:self.i + 1] != ':':
                self.error()
            self.i += 1
            result[key] = self.value()
            self.space()
            ch = self.s[self.i:self.i + 1]
            self.i += 1
            if ch == '}':
                return result
            if ch != ',':
                self.error()

    def array(self):
        self.i += 1
        result = []
        self.space()
        if self.s[self.i:self.i + 1] == ']':
            self.i += 1
            return result
        while True:
            result.append(self.value())
            self.space()
            ch = self.s[self.i:self.i + 1]
            self.i += 1
            if ch == ']':
                return result
            if ch != ',':
                self.error()

    def string(self):
        self.i += 1
        out = []
        while True:
            if self.i >= len(self.s):
                self.error()
            ch = self.s[self.i]
            self.i += 1
            if ch == '"':
                return ''.join(out)
            if ch != '\\':
                out.append(ch)
                continue
            esc = self.s[self.i:self.i + 1]
            self.i += 1
            if esc == 'u':
                out.append(chr(int(self.s[self.i:self.i + 4], 16)))
                self.i += 4
            else:
                found = [k for k, v in _ESCAPES.items() if v == '\\' + esc]
                if esc == '/':
                    found = ['/']
                if not found:
                    self.error()
                out.append(found[0])

    def number(self):
        start = self.i
        while self.i < len(self.s) and self.s[self.i] in '+-0123456789.eE':
            self.i += 1
        text = self.s[start:self.i]
        if not text:
            self.error()
        if '.' in text or 'e' in text or 'E' in text:
            return float(text)
        return int(text)


def loads(text):
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode()
    parser = _Parser(text)
    result = parser.value()
    parser.space()
    if parser.i != len(text):
        parser.error()
    return result

"""URL patterns with ``re`` or custom (URLPattern.register_type) components,
which the backend's router hands back to Python: matched here with a
regular expression. Imported on the first such match."""
import re

from microdot._backend import backend


_REGEX_SPECIAL = '\\.^$*+?{}[]|()'


def _regex_escape(text):
    out = ''
    for c in text:
        out += '\\' + c if c in _REGEX_SPECIAL else c
    return out


def _count_groups(regex):
    count = 0
    escaped = False
    in_class = False
    for i in range(len(regex)):
        c = regex[i]
        if escaped:
            escaped = False
        elif c == '\\':
            escaped = True
        elif in_class:
            in_class = c != ']'
        elif c == '[':
            in_class = True
        elif c == '(' and regex[i + 1:i + 2] != '?':
            count += 1
    return count


def _compile(pattern):
    """The regex and the (parser, nested groups) of each component."""
    url_pattern = pattern.url_pattern
    rooted = url_pattern.startswith('/')
    regex = '^'
    types = []
    for segment in url_pattern.split('/')[1:] if rooted \
            else url_pattern.split('/'):
        if segment.startswith('<') and segment.endswith('>'):
            parts = segment[1:-1].split(':')
            type_ = 'string' if len(parts) == 1 else parts[0]
            parser = None
            if type_ == 'string':
                sub = '[^/]+'
            elif type_ == 'int':
                sub = '-?[0-9]+'
                parser = int
            elif type_ == 'path':
                sub = '.+'
            elif type_ == 're':
                sub = ':'.join(parts[1:-1])
            else:
                sub, parser = pattern.segment_types[type_]
            if '{' in sub and re.match('a{2}$', 'aa') is None:
                # MicroPython's re takes a count literally
                from microdot._re_counts import expand_counts
                sub = expand_counts(sub)
            regex += ('/' if rooted or len(types) else '') + '(' + sub + ')'
            types.append((parser, _count_groups(sub)))
        else:
            regex += ('/' if rooted or regex != '^' else '') + \
                _regex_escape(segment)
    return re.compile(regex + '$'), types


def match(pattern, path):
    """The arguments of ``path`` (raw, percent-encoded) for ``pattern``
    as a dict, or None when it does not match."""
    if pattern._regex is None:
        pattern._regex = _compile(pattern)
    regex, types = pattern._regex
    m = regex.match(path)
    if m is None:
        return None
    args = {}
    group = 1
    for i in range(len(types)):
        parser, nested = types[i]
        value = m.group(group)
        group += 1 + nested
        try:
            value = backend.url_decode(value, False)
            if parser is not None:
                value = parser(value)
        except ValueError:
            return None
        if value is None:
            return None
        args[pattern.names[i]] = value
    return args


def register_type(cls, type_name, pattern='[^/]+', parser=None):
    """URLPattern.register_type (cls: URLPattern or a subclass)."""
    cls.segment_types[type_name] = (pattern or '[^/]+', parser)

"""The pure backend's route compiler (compile_router; see the interface in
microdot._pure, which imports this module on first use and keeps
match_route, the per-request half). Same results as md_route.c's trie, from
a dict of fully literal patterns and an ordered list of the others. A
pattern (one leading '/' dropped) and a path (its leading '/' dropped) are
both split at every '/'."""
try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# segment kinds, as in microdot._pure's match_route and _pure_args'
# match_segments
_LIT = const(0)
_STR = const(1)
_INT = const(2)
_PATH = const(3)
_VERIFY = const(4)
_MAX_DEPTH = const(32)
_MAX_CAPTURES = const(16)
_MAX_ROUTES = const(65535)
_MAX_LABEL = const(65535)


def _has_angle(s):
    return '<' in s or '>' in s


def _classify(s):
    """Kind of a pattern segment, or -1 when it is malformed."""
    if not s or s[0] != '<':
        return -1 if _has_angle(s) else _LIT
    if len(s) < 3 or s[-1] != '>':
        return -1
    s = s[1:-1]
    c1 = s.find(':')
    if c1 < 0:
        return -1 if _has_angle(s) else _STR
    c2 = s.rfind(':')
    kind = s[:c1]
    name = s[c2 + 1:]
    if not kind or not name or _has_angle(name):
        return -1
    if c1 != c2:  # <re:REGEX:name>
        return _VERIFY if kind == 're' and c2 > c1 + 1 else -1
    if _has_angle(kind) or kind == 're':
        return -1
    return (_STR if kind == 'string' else _INT if kind == 'int'
            else _PATH if kind == 'path' else _VERIFY)


def _compile(pattern):
    """(kinds, segments, verify) of a pattern, or None when malformed."""
    segs = (pattern[1:] if pattern[:1] == '/' else pattern).split('/')
    kinds = []
    prefix = 0
    for s in segs:
        k = _classify(s)
        if k < 0 or len(s.encode()) > _MAX_LABEL:
            return None
        if k == _LIT and prefix == len(kinds):
            prefix += 1
        kinds.append(k)
    verify = _VERIFY in kinds or kinds.count(_PATH) > 1
    if verify:
        if prefix > _MAX_DEPTH:
            return None
        return kinds[:prefix], segs[:prefix], True
    if len(kinds) > _MAX_DEPTH or len(kinds) - kinds.count(_LIT) > _MAX_CAPTURES:
        return None
    return kinds, segs, False


def compile_router(patterns):
    static = {}     # '/'.join(segments) -> route indices, ascending
    dynamic = []    # (index, kinds, segments, verify), ascending
    for i in range(len(patterns)):
        r = _compile(patterns[i]) if i < _MAX_ROUTES else None
        if r is None:
            raise ValueError(400, 'malformed route pattern %r' % (patterns[i],))
        kinds, segs, verify = r
        if not verify and _STR not in kinds and _INT not in kinds and _PATH not in kinds:
            key = '/'.join(segs)
            if key in static:
                static[key].append(i)
            else:
                static[key] = [i]
        else:
            dynamic.append((i, kinds, segs, verify))
    # kept for the app's life: tuples, which take less RAM than lists
    for key in static:
        static[key] = tuple(static[key])
    return (static, tuple(dynamic))

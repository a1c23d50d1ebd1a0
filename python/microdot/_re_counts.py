"""Counted repetitions (X{m}, X{m,}, X{m,n}, X{,n}) for a `re` without them:
MicroPython's takes the braces literally, so a route's `re` component like
[0-9]{4} would be accepted and never match. microdot._urlre writes them out
with this module's expand_counts, imported only for such a pattern on such
an interpreter."""


def _class_end(regex, i):
    # the index after the character class that starts at regex[i] == '['
    j = i + 1
    if regex[j:j + 1] == '^':
        j += 1
    if regex[j:j + 1] == ']':
        j += 1
    while j < len(regex) and regex[j] != ']':
        j += 2 if regex[j] == '\\' else 1
    return j + 1


def _group_end(regex, i):
    # the index after the group that starts at regex[i] == '('
    depth = 0
    j = i
    while j < len(regex):
        c = regex[j]
        if c == '\\':
            j += 2
            continue
        if c == '[':
            j = _class_end(regex, j)
            continue
        if c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return j


def _count(regex, i):
    # (low, high or None, index after) of a counted repetition at regex[i],
    # or None where the '{' is a literal one
    j = regex.find('}', i)
    if j < 0:
        return None
    bounds = regex[i + 1:j].split(',')
    if len(bounds) > 2 or not bounds[-1] and len(bounds) == 1:
        return None
    for bound in bounds:
        if bound and not bound.isdigit():
            return None
    low = int(bounds[0]) if bounds[0] else 0
    high = low if len(bounds) == 1 else int(bounds[1]) if bounds[1] else None
    return low, high, j + 1


def expand_counts(regex):
    """regex with each counted repetition (X{m}, X{m,}, X{m,n}, X{,n})
    written out with ?, * and copies of X, for a `re` without them
    (MicroPython's, which takes the braces literally). A repeated group
    becomes non-capturing (count the groups of the result)."""
    pieces = []
    i = 0
    while i < len(regex):
        c = regex[i]
        if c == '\\':
            end = i + 2
        elif c == '[':
            end = _class_end(regex, i)
        elif c == '(':
            end = _group_end(regex, i)
            pieces.append('(' + expand_counts(regex[i + 1:end - 1]) + ')')
            i = end
            continue
        elif c == '{' and pieces:
            count = _count(regex, i)
            if count is not None:
                low, high, i = count
                lazy = '?' if regex[i:i + 1] == '?' else ''
                i += len(lazy)
                pieces.append(_repeat(pieces.pop(), low, high, lazy))
                continue
            end = i + 1
        else:
            end = i + 1
        pieces.append(regex[i:end])
        i = end
    return ''.join(pieces)


def _repeat(atom, low, high, lazy):
    if high is not None and high < low:
        raise ValueError('bad repetition {%d,%d}' % (low, high))
    if atom[:1] == '(' and atom[1:2] != '?':
        atom = '(?:' + atom[1:]  # its copies: group numbers stay in order
    if high is None:
        return atom * low + atom + '*' + lazy
    return atom * low + (atom + '?' + lazy) * (high - low)

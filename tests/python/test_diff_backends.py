"""Differential testing: the cffi backend against the pure backend on many
generated inputs (seeded mutations of every vector input, hostile requests
and random bytes). Any difference in result or error code fails, with the
input that shows it.

About 180k inputs in all (each through both backends), in about 10 s. MICRODOT_DIFF_SEED changes the
seed (default 2024); MICRODOT_DIFF_SCALE multiplies the input counts (e.g. 10
for a longer local run).
"""
import os
import random

import pytest

from microdot import _pure
from vector_data import decode_pieces, load, raw

try:
    from microdot import _cffi
except ImportError:  # not built
    _cffi = None

if _cffi is None and os.environ.get('MICRODOT_REQUIRE_CFFI') == '1':
    raise ImportError('the cffi extension is required but not built')
pytestmark = pytest.mark.skipif(_cffi is None,
                                reason='the cffi extension is not built')

SEED = int(os.environ.get('MICRODOT_DIFF_SEED', '2024'))
SCALE = float(os.environ.get('MICRODOT_DIFF_SCALE', '1'))
MAX_REPORTED = 5

# Bytes and fragments the grammars care about, for inserts and overwrites.
TOKENS = [b'\x00', b'\r', b'\n', b'\r\n', b'\r\n\r\n', b' ', b'\t', b':',
          b';', b',', b'=', b'?', b'#', b'%', b'%2', b'%2e', b'%ff', b'+',
          b'/', b'<', b'>', b'*', b'0', b'9', b'a', b'F', b'x', b'\x7f',
          b'\x80', b'\xc3\xa9', b'\xed\xa0\x80', b'\xf4\x90\x80\x80',
          b'\xff', b'HTTP/1.1', b'HTTP/1.0', b'Host: x\r\n',
          b'Content-Length: ', b'Transfer-Encoding: chunked\r\n',
          b'Connection: ', b'close', b'keep-alive', b'upgrade',
          b'Expect: 100-continue\r\n', b'ffffffffffffffff', b'18446744073709551616',
          b'"', b'\\', b'..']


def expand(data):
    if isinstance(data, str):
        return raw(data)
    return b''.join(raw(p[0]) * p[1] if isinstance(p, list) else raw(p)
                    for p in data)


def count(n):
    return max(1, int(n * SCALE))


def mutate(data, rng, corpus):
    """One to four random edits of data."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:  # flip bits of a byte
            i = min(i, len(b) - 1)
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1 and b:  # overwrite with any byte
            b[min(i, len(b) - 1)] = rng.randrange(256)
        elif op == 2:  # insert a grammar token
            b[i:i] = rng.choice(TOKENS)
        elif op == 3 and b:  # delete a run
            del b[i:i + rng.randint(1, 4)]
        elif op == 4:  # duplicate a slice
            j = rng.randrange(len(b) + 1)
            b[i:i] = b[min(i, j):max(i, j)][:64]
        elif op == 5:  # splice with another input
            other = rng.choice(corpus)
            b = b[:i] + other[rng.randrange(len(other) + 1):]
        elif op == 6:  # truncate
            del b[i:]
        else:  # replace a token-sized run with a token
            b[i:i + rng.randint(1, 3)] = rng.choice(TOKENS)
    return bytes(b)


def random_bytes(rng, alphabet=None):
    n = rng.choice([0, 1, 2, 5, 16, 64, 300])
    if alphabet is None:
        return bytes(rng.randrange(256) for _ in range(n))
    return bytes(rng.choice(alphabet) for _ in range(n))


def generated(corpus, rng, n, alphabet=None):
    """n inputs: mostly mutations of the corpus, some random bytes."""
    for k in range(n):
        if k % 10 == 9:
            yield random_bytes(rng, alphabet)
        else:
            yield mutate(rng.choice(corpus), rng, corpus)


class Error:
    """An exception as an outcome: its type and code must agree."""

    def __init__(self, exc):
        self.type = type(exc).__name__
        self.code = exc.args[0] if exc.args and \
            isinstance(exc.args[0], int) else None

    def __eq__(self, other):
        return isinstance(other, Error) and \
            (self.type, self.code) == (other.type, other.code)

    def __repr__(self):
        return '{}({})'.format(self.type, self.code)


def outcome(fn, *args):
    """fn's result, or an Error for an exception."""
    try:
        return fn(*args)
    except Exception as e:  # the type is part of what must agree
        return Error(e)


def kind_of(result):
    if isinstance(result, Error):
        return repr(result)
    if isinstance(result, list) and result and isinstance(result[0], Error):
        return repr(result[0])
    return 'None' if result is None else 'ok'


class Differences:
    """Collects the first few inputs on which the backends disagree."""

    def __init__(self, what):
        self.what = what
        self.found = []
        self.total = 0
        self.inputs = 0
        self.kinds = {}  # outcome kind -> count, to show what was covered

    def check(self, data, pure_result, cffi_result, note=''):
        self.inputs += 1
        kind = kind_of(pure_result)
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if pure_result != cffi_result:
            self.total += 1
            if len(self.found) < MAX_REPORTED:
                self.found.append('{} input={!r}{}\n  pure={!r}\n  cffi={!r}'
                                  .format(self.what, data[:300], note,
                                          pure_result, cffi_result))

    def assert_none(self, minimum, kinds=()):
        assert self.inputs >= minimum, (self.what, self.inputs)
        for kind in kinds:  # the inputs reached every kind of outcome
            assert self.kinds.get(kind, 0) * 50 >= self.inputs, \
                (self.what, kind, self.kinds)
        assert not self.found, '{} differences in {} inputs (seed {}):\n{}'\
            .format(self.total, self.inputs, SEED, '\n'.join(self.found))


# ---- HTTP -------------------------------------------------------------------

def http_corpus():
    inputs = [raw(c['input']) for c in load('http')['cases']]
    inputs += [expand(c['input']) for c in load('hostile')['cases']]
    return [x for x in inputs if len(x) <= 4096]  # long ones: slow, no gain


LIMITS = [(2048, 16384, 100), (16, 64, 3), (40, 200, 8), (8, 8, 1)]


def test_parse_request_whole_and_offset():
    rng = random.Random(SEED)
    diff = Differences('parse_request')
    corpus = http_corpus()
    n = count(60000)
    for data in generated(corpus, rng, n):
        limits = LIMITS[0] if rng.random() < 0.7 else rng.choice(LIMITS)
        # half of them inside a bigger buffer, at an offset
        pad = rng.randrange(1, 8) if rng.random() < 0.5 else 0
        buf = bytearray(b'\xee' * pad + data + b'\xee' * pad)
        args = (buf, pad, pad + len(data), pad) + limits
        diff.check(data, outcome(_pure.parse_request, *args),
                   outcome(_cffi.parse_request, *args), ' limits=%r' % (limits,))
    diff.assert_none(n, ['ok', 'None', 'ValueError(400)', 'ValueError(431)'])


def test_parse_request_incremental():
    rng = random.Random(SEED + 1)
    diff = Differences('parse_request incremental')
    corpus = http_corpus()
    n = count(12000)
    for data in generated(corpus, rng, n):
        limits = rng.choice(LIMITS)
        cut = rng.randrange(len(data) + 1)
        results = []
        for be in (_pure, _cffi):
            first = outcome(be.parse_request, data, 0, cut, 0, *limits)
            second = outcome(be.parse_request, data, 0, len(data),
                             cut if first is None else 0, *limits)
            results.append((first, second))
        diff.check(data, results[0], results[1], ' cut=%d' % cut)
    diff.assert_none(n)


# ---- chunked bodies -----------------------------------------------------------

def test_chunked_decode_whole_and_split():
    rng = random.Random(SEED + 2)
    diff = Differences('chunked_decode')
    corpus = [raw(c['input']) for c in load('chunked')['cases']]
    corpus = [x for x in corpus if len(x) <= 2048]
    n = count(20000)
    for data in generated(corpus, rng, n, b'0123456789abcdefABCDEF;= \t\r\n:x'):
        cuts = sorted(set(rng.randrange(len(data) + 1)
                          for _ in range(rng.randint(0, 3))))
        for pieces in ([], cuts):
            diff.check(data, outcome(decode_pieces, _pure, data, pieces),
                       outcome(decode_pieces, _cffi, data, pieces), ' cuts=%r' % pieces)
    diff.assert_none(2 * n, ['ok', 'ValueError(400)'])


def test_chunked_decode_byte_by_byte():
    rng = random.Random(SEED + 3)
    diff = Differences('chunked_decode byte by byte')
    corpus = [raw(c['input']) for c in load('chunked')['cases']]
    corpus = [x for x in corpus if len(x) <= 256]
    n = count(3000)
    for data in generated(corpus, rng, n):
        cuts = range(1, len(data))
        diff.check(data, outcome(decode_pieces, _pure, data, cuts),
                   outcome(decode_pieces, _cffi, data, cuts))
    diff.assert_none(n)


# ---- utilities ----------------------------------------------------------------

def test_util_functions():
    rng = random.Random(SEED + 4)
    diff = Differences('util')
    corpus = [raw(c['input']) for c in load('util')['cases']]
    n = count(15000)
    for data in generated(corpus, rng, n, b'%2aEf+=&;; x\xc3\xa9\xff'):
        for name, args in (('url_decode', (data, False)),
                           ('url_decode', (data, True)),
                           ('parse_query', (data,)),
                           ('parse_cookies', (data,))):
            diff.check(data, outcome(getattr(_pure, name), *args),
                       outcome(getattr(_cffi, name), *args), ' ' + name)
            if name == 'url_decode':  # also as str, when it is one
                try:
                    text = data.decode()
                except UnicodeError:
                    continue
                diff.check(data, outcome(_pure.url_decode, text, args[1]),
                           outcome(_cffi.url_decode, text, args[1]),
                           ' url_decode(str)')
    diff.assert_none(4 * n, ['ok', 'ValueError(400)'])


# ---- routing ------------------------------------------------------------------

def test_match_route():
    rng = random.Random(SEED + 5)
    diff = Differences('match_route')
    groups = [g for g in load('routes')['groups'] if 'cases' in g]
    paths = [raw(c['path']) for g in groups for c in g['cases']]
    routers = [(g['patterns'], _pure.compile_router(g['patterns']),
                _cffi.compile_router(g['patterns'])) for g in groups]
    n = count(20000)
    for data in generated(paths, rng, n, b'/abc0129-_.%2f<>:'):
        patterns, pure_router, cffi_router = rng.choice(routers)
        try:
            path = data.decode()
        except UnicodeError:
            path = data.decode('latin-1')
        start = 0 if rng.random() < 0.8 else rng.randrange(len(patterns) + 1)
        diff.check(data, outcome(_pure.match_route, pure_router, path, start),
                   outcome(_cffi.match_route, cffi_router, path, start),
                   ' patterns=%r start=%d' % (patterns, start))
    diff.assert_none(n, ['ok', 'None'])


def test_compile_router_on_mutated_patterns():
    rng = random.Random(SEED + 6)
    diff = Differences('compile_router')
    groups = load('routes')['groups']
    patterns = [raw(p) for g in groups for p in g['patterns']]
    n = count(5000)
    for data in generated(patterns, rng, n, b'/<>:aint path re string.*'):
        pattern = data.decode('latin-1')
        pure = outcome(_pure.compile_router, [pattern])
        cffi = outcome(_cffi.compile_router, [pattern])
        # routers are opaque: when both compiled, compare a match instead
        if not isinstance(pure, Error) and not isinstance(cffi, Error):
            probe = '/' + pattern.strip('/<>')
            pure = ['compiled', outcome(_pure.match_route, pure, probe, 0)]
            cffi = ['compiled', outcome(_cffi.match_route, cffi, probe, 0)]
        elif not isinstance(pure, Error) or not isinstance(cffi, Error):
            pure = 'compiled' if not isinstance(pure, Error) else pure
            cffi = 'compiled' if not isinstance(cffi, Error) else cffi
        diff.check(data, pure, cffi)
    diff.assert_none(n)


# ---- WebSocket ----------------------------------------------------------------

def test_ws_parse_header():
    rng = random.Random(SEED + 7)
    diff = Differences('ws_parse_header')
    corpus = [raw(c['bytes']) for c in load('ws')['parse']]
    n = count(20000)
    for data in generated(corpus, rng, n):
        masked = rng.random() < 0.5
        limit = rng.choice([2 ** 63 - 1, 125, 65536, 0, 1 << 32])
        end = rng.randrange(len(data) + 1) if rng.random() < 0.3 \
            else len(data)
        args = (data, 0, end, masked, limit)
        diff.check(data, outcome(_pure.ws_parse_header, *args),
                   outcome(_cffi.ws_parse_header, *args),
                   ' masked=%r max=%d end=%d' % (masked, limit, end))
    diff.assert_none(n, ['ok', 'None', 'ValueError(1002)', 'ValueError(1009)'])


def utf8_run(be, data, cuts):
    state = 0
    states = []
    bounds = [0] + list(cuts) + [len(data)]
    for a, b in zip(bounds, bounds[1:]):
        state = be.utf8_check(state, data, a, b)
        states.append(state)
    return states


def test_utf8_check():
    rng = random.Random(SEED + 8)
    diff = Differences('utf8_check')
    corpus = [raw(p) for c in load('ws')['utf8'] for p in c['pieces']]
    corpus = [x for x in corpus if x] + ['héllo wörld ✓ 𝄞'.encode()]
    n = count(20000)
    for data in generated(corpus, rng, n, b'a\x80\xbf\xc2\xdf\xe0\xed\xef'
                                         b'\xf0\xf4\xf5\xff\x9f\xa0\x8f\x90'):
        cuts = sorted(set(rng.randrange(len(data) + 1)
                          for _ in range(rng.randint(0, 3))))
        diff.check(data, utf8_run(_pure, data, cuts),
                   utf8_run(_cffi, data, cuts), ' cuts=%r' % cuts)
    diff.assert_none(n)

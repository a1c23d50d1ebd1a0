"""Every vector in tests/vectors/ through the cffi backend and the pure
backend, and the two backends against each other on the vector inputs fed in
pieces and on seeded random mutations of them: same result or same error
status, every time.

MICRODOT_REQUIRE_CFFI=1 (set by tests/run_all.sh) turns a missing cffi
extension into a failure instead of a skip."""
import os
import random
import sys

try:
    import microdot  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..',
                                    'python'))

import pytest

from microdot import _pure
from vector_data import decode_pieces, load, raw

try:
    from microdot import _cffi
    CFFI_ERROR = None
except ImportError as e:  # extension not built
    _cffi = None
    CFFI_ERROR = e

NO_CFFI = 'cffi extension microdot._cmicrodot not built (%s)' % (CFFI_ERROR,)

BACKENDS = [
    pytest.param(_pure, id='pure'),
    pytest.param(_cffi, id='cffi', marks=pytest.mark.skipif(_cffi is None, reason=NO_CFFI)),
]
both = pytest.mark.skipif(_cffi is None, reason=NO_CFFI)


def ids(cases):
    return [c['name'] for c in cases]


def is_error(r):
    return isinstance(r, tuple) and len(r) == 2 and r[0] == 'error'


def outcome(fn, *args):
    """fn's result, or ('error', status) for a ValueError."""
    try:
        return fn(*args)
    except ValueError as e:
        assert isinstance(e.args[0], int), e.args
        return ('error', e.args[0])


def test_cffi_backend_loaded_when_required():
    if os.environ.get('MICRODOT_REQUIRE_CFFI') == '1':
        assert _cffi is not None, NO_CFFI
        from microdot import _backend
        if not os.environ.get('MICRODOT_BACKEND'):
            assert _backend.NAME == 'cffi'
    else:
        pytest.skip('MICRODOT_REQUIRE_CFFI is not set')


# HTTP -------------------------------------------------------------------------

HTTP = load('http')['cases']
DEFAULT_LIMITS = {'max_line': 2048, 'max_head': 16384, 'max_headers': 100}


def limits_of(case):
    lim = dict(DEFAULT_LIMITS)
    lim.update(case.get('limits') or {})
    return lim['max_line'], lim['max_head'], lim['max_headers']


def parse(be, data, case, start=0, end=None, scanned=None):
    end = len(data) if end is None else end
    return be.parse_request(data, start, end, start if scanned is None else scanned,
                            *limits_of(case))


def as_expect(r):
    method, path, query, minor, headers, head_len, length, flags = r
    assert len(headers) % 2 == 0
    return {'method': method, 'path': path, 'query': query, 'minor': minor,
            'headers': [list(headers[i:i + 2]) for i in range(0, len(headers), 2)],
            'head_len': head_len, 'content_length': length, 'flags': flags}


def check_http(be, data, case, **kw):
    want = case['expect']
    if want == 'incomplete':
        assert parse(be, data, case, **kw) is None
    elif 'status' in want:
        with pytest.raises(ValueError) as e:
            parse(be, data, case, **kw)
        assert e.value.args[0] == want['status']
    else:
        assert as_expect(parse(be, data, case, **kw)) == want


@pytest.mark.parametrize('be', BACKENDS)
@pytest.mark.parametrize('case', HTTP, ids=ids(HTTP))
def test_http_whole(be, case):
    data = raw(case['input'])
    check_http(be, data, case)
    # the same bytes in a bigger buffer, as bytearray and memoryview
    framed = b'xyz' + data + b'!'
    check_http(be, bytearray(framed), case, start=3, end=3 + len(data))
    check_http(be, memoryview(framed), case, start=3, end=3 + len(data))


@pytest.mark.parametrize('be', BACKENDS)
@pytest.mark.parametrize('case', HTTP, ids=ids(HTTP))
def test_http_incremental(be, case):
    """Growing prefixes, each call passing the previous end as scanned."""
    data = raw(case['input'])
    want = case['expect']
    prev = 0
    for k in range(1, len(data) + 1):
        r = outcome(parse, be, data, case, 0, k, prev)
        if r is None:
            prev = k
            continue
        break
    else:
        assert want == 'incomplete'
        return
    if 'status' in want:
        assert r == ('error', want['status'])
    else:
        assert want != 'incomplete'
        assert as_expect(r) == want
        assert k >= want['head_len']


@pytest.mark.parametrize('be', BACKENDS)
@pytest.mark.parametrize('case', [c for c in HTTP if c['expect'] != 'incomplete'],
                         ids=ids([c for c in HTTP if c['expect'] != 'incomplete']))
def test_http_with_bytes_appended(be, case):
    data = raw(case['input'])
    for tail in (b'\r\n', b'GET / HTTP/1.1\r\n\r\n', b'\x00\xff' * 10):
        check_http(be, data + tail, case)


# Chunked ----------------------------------------------------------------------

CHUNKED = load('chunked')['cases']


def chunked_want(case):
    e = case['expect']
    if 'status' in e:
        return ('error', e['status'])
    return (raw(e['data']), e['next'], e['done'])


@pytest.mark.parametrize('be', BACKENDS)
@pytest.mark.parametrize('case', CHUNKED, ids=ids(CHUNKED))
def test_chunked(be, case):
    data = raw(case['input'])
    want = chunked_want(case)
    assert outcome(decode_pieces, be, data, []) == want
    assert outcome(decode_pieces, be, data, range(1, len(data))) == want
    splits = range(len(data) + 1)
    if be is _pure and len(data) > 300:  # the pure decoder is slow on framing bytes
        splits = sorted(set(random.Random(len(data)).sample(splits, 64)) | {0, len(data)})
    for i in splits:
        assert outcome(decode_pieces, be, data, [i]) == want
    if want[0] != 'error' and want[2]:
        got = outcome(decode_pieces, be, data + b'5\r\nhello\r\n', [])
        assert got == want


@pytest.mark.parametrize('be', BACKENDS)
def test_chunked_in_place_with_offsets(be):
    data = b'3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\nNEXT'
    buf = bytearray(b'####' + data)
    state = be.new_chunked()
    view = memoryview(buf)
    data_end, nxt, done = be.chunked_decode(state, view, 4, len(buf))
    assert (bytes(buf[4:data_end]), bytes(buf[nxt:]), done) == (b'abcde', b'NEXT', True)
    assert buf[:4] == b'####'


# Routes -----------------------------------------------------------------------

ROUTES = load('routes')['groups']
ROUTE_CASES = [(g, c) for g in ROUTES for c in g.get('cases', [])]


def route_want(case):
    e = case['expect']
    return None if e is None else (e[0], e[1])


@pytest.mark.parametrize('be', BACKENDS)
@pytest.mark.parametrize('group,case', ROUTE_CASES,
                         ids=['%s: %s' % (g['name'], c['name']) for g, c in ROUTE_CASES])
def test_route_match(be, group, case):
    router = be.compile_router(group['patterns'])
    r = be.match_route(router, case['path'], case.get('start', 0))
    assert (None if r is None else (r[0], r[1])) == route_want(case)


BAD_GROUPS = [g for g in ROUTES if 'expect' in g]


@pytest.mark.parametrize('be', BACKENDS)
@pytest.mark.parametrize('group', BAD_GROUPS, ids=ids(BAD_GROUPS))
def test_route_compile_rejects(be, group):
    with pytest.raises(ValueError) as e:
        be.compile_router(group['patterns'])
    assert e.value.args[0] == group['expect']['status']
    bad = group['patterns'][group['expect']['bad_index']]
    assert repr(bad) in str(e.value.args[1])


# WebSocket --------------------------------------------------------------------

WS = load('ws')


def ws_want(case):
    e = case['expect']
    if e == 'incomplete':
        return None
    if isinstance(e, dict):
        return ('error', e['status'])
    fin, opcode, mask, length, hlen = e
    return (fin, opcode, None if mask is None else raw(mask), length, hlen)


@pytest.mark.parametrize('be', BACKENDS)
@pytest.mark.parametrize('case', WS['parse'], ids=ids(WS['parse']))
def test_ws_parse(be, case):
    data = raw(case['bytes'])
    max_payload = case.get('max_payload', 2 ** 63 - 1)
    want = ws_want(case)
    assert outcome(be.ws_parse_header, data, 0, len(data), case['masked'], max_payload) == want
    framed = bytearray(b'..' + data)
    assert outcome(be.ws_parse_header, framed, 2, len(framed), case['masked'],
                   max_payload) == want
    for k in range(len(data)):
        r = outcome(be.ws_parse_header, data, 0, k, case['masked'], max_payload)
        if want is None or want[0] == 'error':
            assert r is None or r == want
        else:
            assert r == (None if k < want[4] else want)


@pytest.mark.parametrize('be', BACKENDS)
@pytest.mark.parametrize('case', WS['build'], ids=ids(WS['build']))
def test_ws_build(be, case):
    mask = None if case['mask'] is None else raw(case['mask'])
    got = be.ws_build_header(case['fin'], case['opcode'], case['length'], mask)
    assert isinstance(got, bytes)
    assert got == raw(case['expect'])


@pytest.mark.parametrize('be', BACKENDS)
@pytest.mark.parametrize('case', WS['mask'], ids=ids(WS['mask']))
def test_ws_mask(be, case):
    data, mask, want = raw(case['data']), raw(case['mask']), raw(case['expect'])
    buf = bytearray(data)
    assert be.ws_mask(buf, 0, len(buf), mask, case['offset']) is None
    assert buf == want
    be.ws_mask(buf, 0, len(buf), mask, case['offset'])
    assert buf == data
    buf = bytearray(b'-' + data + b'-')
    view = memoryview(buf)
    pos = 0
    for n in case['pieces']:
        be.ws_mask(view, 1 + pos, 1 + pos + n, mask, case['offset'] + pos)
        pos += n
    assert buf == b'-' + want + b'-'


def utf8_class(state):
    return state if state in (0, 1) else 'mid'


@pytest.mark.parametrize('be', BACKENDS)
@pytest.mark.parametrize('case', WS['utf8'], ids=ids(WS['utf8']))
def test_utf8(be, case):
    state = 0
    for piece, want in zip(case['pieces'], case['expect']):
        data = raw(piece)
        state = be.utf8_check(state, data, 0, len(data))
        assert utf8_class(state) == want
    # byte at a time, inside a bigger buffer
    joined = b''.join(raw(p) for p in case['pieces'])
    buf = b'\xff' + joined + b'\xff'
    state = 0
    for i in range(1, len(buf) - 1):
        state = be.utf8_check(state, buf, i, i + 1)
    if case['expect']:
        assert utf8_class(state) == case['expect'][-1]


# Utilities --------------------------------------------------------------------

UTIL = load('util')['cases']


@pytest.mark.parametrize('be', BACKENDS)
@pytest.mark.parametrize('case', UTIL, ids=ids(UTIL))
def test_util(be, case):
    data = raw(case['input'])
    want = case['expect']
    want = ('error', want['status']) if isinstance(want, dict) else want
    fn = getattr(be, case['func'])
    args = (case['plus'],) if case['func'] == 'url_decode' else ()
    for arg in (data, bytearray(data), memoryview(data)):
        assert outcome(fn, arg, *args) == want
    try:
        text = data.decode()
    except UnicodeDecodeError:
        return
    assert outcome(fn, text, *args) == want


# The two backends against each other --------------------------------------------

def mutations(data, rng, count):
    """Seeded random edits of data: byte flips, inserts, deletes, splices."""
    alphabet = b'\r\n :;,=%+/?#<>-\t\x00\x7f\x80\xc3\xa9\xff0aAzZ9\xe2\x82'
    out = []
    for _ in range(count):
        b = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            op = rng.randrange(4)
            i = rng.randrange(len(b) + 1)
            if op == 0 and b:
                b[min(i, len(b) - 1)] = rng.choice(alphabet)
            elif op == 1:
                b[i:i] = bytes([rng.choice(alphabet)])
            elif op == 2 and b:
                del b[i:i + rng.randint(1, 4)]
            else:
                j = rng.randrange(len(b) + 1)
                b[i:i] = b[j:j + rng.randint(1, 8)]
        out.append(bytes(b))
    return out


def http_inputs():
    rng = random.Random(1234)
    inputs = []
    for case in HTTP:
        data = raw(case['input'])
        inputs.append((data, case))
        inputs.extend((m, case) for m in mutations(data, rng, 12))
    return inputs


HTTP_INPUTS = http_inputs()


@both
def test_http_backends_agree():
    """Whole heads and mutations: identical outcome from both backends."""
    for data, case in HTTP_INPUTS:
        a = outcome(parse, _cffi, data, case)
        b = outcome(parse, _pure, data, case)
        assert a == b, (data, case.get('limits'))


@both
def test_http_fast_path_agrees_with_exact_port(monkeypatch):
    """The pure backend's fast path gives what its byte-by-byte port gives."""
    fast = [outcome(parse, _pure, d, c) for d, c in HTTP_INPUTS]
    monkeypatch.setattr(_pure, '_FAST', False)
    slow = [outcome(parse, _pure, d, c) for d, c in HTTP_INPUTS]
    assert fast == slow


@both
def test_http_backends_agree_byte_by_byte():
    """Every input fed one byte more at a time, with scanned: the sequence of
    outcomes matches call for call."""
    rng = random.Random(99)
    inputs = [(raw(c['input']), c) for c in HTTP]
    inputs += rng.sample(HTTP_INPUTS, 200)
    for data, case in inputs:
        prev = {'cffi': 0, 'pure': 0}
        for k in range(len(data) + 1):
            a = outcome(parse, _cffi, data, case, 0, k, prev['cffi'])
            b = outcome(parse, _pure, data, case, 0, k, prev['pure'])
            assert a == b, (data, k, case.get('limits'))
            if a is not None:
                break
            prev = {'cffi': k, 'pure': k}


@both
def test_http_backends_agree_on_small_limits():
    rng = random.Random(7)
    for data, case in rng.sample(HTTP_INPUTS, 400):
        lim = {'limits': {'max_line': rng.randint(0, 40), 'max_head': rng.randint(0, 80),
                          'max_headers': rng.randint(0, 4)}}
        a = outcome(parse, _cffi, data, lim)
        b = outcome(parse, _pure, data, lim)
        assert a == b, (data, lim)


@both
def test_chunked_backends_agree():
    rng = random.Random(4321)
    for case in CHUNKED:
        data = raw(case['input'])
        for m in [data] + mutations(data, rng, 20):
            cuts = sorted(rng.sample(range(1, len(m)), min(3, max(len(m) - 1, 0))))
            for c in ([], cuts, range(1, len(m))):
                assert outcome(decode_pieces, _cffi, m, c) == \
                    outcome(decode_pieces, _pure, m, c), (m, c)


def route_paths(group, rng):
    paths = [c['path'] for c in group.get('cases', [])]
    pieces = ['a', 'b', '12', '-3', '', 'x%20y', '%C3%A9', '%FF', 'users', 'me',
              '999999999999999999', '1234567890123456789']
    for p in group['patterns']:
        paths.append(p)
        segs = p.split('/')
        for _ in range(6):
            s = [rng.choice(pieces) if '<' in x or rng.random() < 0.2 else x for x in segs]
            if rng.random() < 0.3:
                s.append(rng.choice(pieces))
            paths.append('/'.join(s) if s[:1] == [''] else '/' + '/'.join(s))
    return paths


@both
def test_routes_backends_agree():
    rng = random.Random(55)
    for group in ROUTES:
        a = outcome(_cffi.compile_router, group['patterns'])
        b = outcome(_pure.compile_router, group['patterns'])
        if is_error(a) or is_error(b):
            assert a == b
            continue
        for path in route_paths(group, rng):
            for start in (0, 1, 2, len(group['patterns'])):
                assert outcome(_cffi.match_route, a, path, start) == \
                    outcome(_pure.match_route, b, path, start), (group['name'], path, start)


@both
def test_route_patterns_backends_agree():
    """Seeded random patterns: same compile outcome, same matches."""
    rng = random.Random(77)
    segs = ['a', 'b', '', '<x>', '<int:n>', '<path:p>', '<string:s>', '<re:[a-z]+:r>',
            '<hex:h>', '<>', '<a', 'b>', '<int:>', '<:x>', '<re::x>', 'a<b']
    for _ in range(300):
        patterns = []
        for _ in range(rng.randint(1, 6)):
            p = '/' + '/'.join(rng.choice(segs) for _ in range(rng.randint(1, 4)))
            patterns.append(p)
        a = outcome(_cffi.compile_router, patterns)
        b = outcome(_pure.compile_router, patterns)
        if is_error(a) or is_error(b):
            assert a == b, patterns
            continue
        group = {'patterns': patterns}
        for path in route_paths(group, rng):
            assert outcome(_cffi.match_route, a, path, 0) == \
                outcome(_pure.match_route, b, path, 0), (patterns, path)


@both
def test_ws_backends_agree():
    rng = random.Random(11)
    for case in WS['parse']:
        data = raw(case['bytes'])
        for m in [data] + mutations(data, rng, 20):
            for masked in (False, True):
                for maxp in (0, 125, 70000, 2 ** 63 - 1):
                    assert outcome(_cffi.ws_parse_header, m, 0, len(m), masked, maxp) == \
                        outcome(_pure.ws_parse_header, m, 0, len(m), masked, maxp), m
    for _ in range(200):
        n = rng.choice([0, 1, 125, 126, 65535, 65536, rng.randrange(2 ** 40)])
        mask = bytes(rng.randrange(256) for _ in range(4)) if rng.random() < 0.5 else None
        args = (rng.random() < 0.5, rng.randrange(16), n, mask)
        assert _cffi.ws_build_header(*args) == _pure.ws_build_header(*args)
    for _ in range(100):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
        mask = bytes(rng.randrange(256) for _ in range(4))
        off = rng.randrange(8)
        a, b = bytearray(data), bytearray(data)
        _cffi.ws_mask(a, 0, len(a), mask, off)
        _pure.ws_mask(b, 0, len(b), mask, off)
        assert a == b


@both
def test_utf8_backends_agree():
    rng = random.Random(3)
    alphabet = b'a\x7f\x80\x8f\x90\x9f\xa0\xbf\xc0\xc1\xc2\xdf\xe0\xe1\xed\xee\xef' \
               b'\xf0\xf1\xf3\xf4\xf5\xff'
    for _ in range(3000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(8)))
        a = _cffi.utf8_check(0, data, 0, len(data))
        b = _pure.utf8_check(0, data, 0, len(data))
        assert utf8_class(a) == utf8_class(b), data
        sa = sb = 0
        for i in range(len(data)):
            sa = _cffi.utf8_check(sa, data, i, i + 1)
            sb = _pure.utf8_check(sb, data, i, i + 1)
        assert utf8_class(sa) == utf8_class(sb) == utf8_class(a), data


@both
def test_util_backends_agree():
    rng = random.Random(5)
    for case in UTIL:
        data = raw(case['input'])
        for m in [data] + mutations(data, rng, 20):
            for name in ('url_decode', 'parse_query', 'parse_cookies'):
                args = (True,) if name == 'url_decode' else ()
                assert outcome(getattr(_cffi, name), m, *args) == \
                    outcome(getattr(_pure, name), m, *args), (name, m)


@pytest.mark.parametrize('be', BACKENDS)
def test_http_huge_max_headers(be):
    """A max_headers far above what max_head can hold costs no memory."""
    head = b'GET / HTTP/1.1\r\n' + b'a:\r\n' * 300 + b'Host: x\r\n\r\n'
    r = be.parse_request(head, 0, len(head), 0, 2048, len(head), 10 ** 12)
    assert len(r[4]) == 2 * 301
    with pytest.raises(ValueError) as e:
        be.parse_request(head, 0, len(head), 0, 2048, len(head), 300)
    assert e.value.args[0] == 431

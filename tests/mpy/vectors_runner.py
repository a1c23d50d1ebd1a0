"""Runs the shared test vectors (tests/vectors) through backends on MicroPython.

usage: micropython vectors_runner.py VEC_DIR BACKEND [BACKEND ...]

VEC_DIR holds the vec_*.py modules that gen_vectors_py.py writes (this runner
needs no json module, so it also runs on the host port). BACKEND is 'c' (the
`_microdot` module: a .mpy on MICROPYPATH, or compiled into the firmware) or
'pure' (python/microdot/_pure.py: put python/microdot on MICROPYPATH).

Every case is checked against its expected result, in every way its file's
"format" asks for (whole, fed in pieces, with bytes appended...). With two
backends, each case's observed results must also be the same for both, and
mutated inputs derived from the vectors are run through both and compared.
Prints one line per failure and closes with 'N passed, N failed'."""
import sys


class Failure(Exception):
    pass


def b(s):
    """A vector byte string (code point = byte) as bytes."""
    return bytes([ord(c) for c in s])


def outcome(fn, *args):
    """fn(*args), or {'status': code} when it raises ValueError(code, ...)."""
    try:
        return fn(*args)
    except ValueError as e:
        if not e.args or not isinstance(e.args[0], int):
            raise Failure('ValueError without a status code: %r' % (e.args,))
        return {'status': e.args[0]}


def expect_equal(what, got, expected):
    if got != expected:
        raise Failure('%s: got %r, expected %r' % (what, got, expected))


# ---- HTTP request heads

DEFAULT_LIMITS = {'max_line': 2048, 'max_head': 16384, 'max_headers': 100}


def http_result(r):
    if r is None:
        return 'incomplete'
    if isinstance(r, dict):
        return r
    method, path, query, minor, headers, head_len, content_length, flags = r
    pairs = [[headers[i], headers[i + 1]] for i in range(0, len(headers), 2)]
    return {'method': method, 'path': path, 'query': query, 'minor': minor,
            'headers': pairs, 'head_len': head_len,
            'content_length': content_length, 'flags': flags}


def http_parse(be, buf, start, end, scanned, limits):
    return http_result(outcome(be.parse_request, buf, start, end, scanned,
                               limits['max_line'], limits['max_head'],
                               limits['max_headers']))


def check_http(be, case):
    limits = dict(DEFAULT_LIMITS)
    limits.update(case.get('limits') or {})
    data = b(case['input'])
    expected = case['expect']
    whole = http_parse(be, data, 0, len(data), 0, limits)
    expect_equal('whole', whole, expected)

    # At an offset in a bytearray, as a keep-alive connection's buffer is.
    buf = bytearray(b'junk!' + data)
    expect_equal('at offset 5', http_parse(be, buf, 5, len(buf), 5, limits), expected)

    # Growing prefixes, each call passing the previous end as `scanned`.
    step = 1 if len(data) <= 4096 else 61
    prev = 0
    got = 'incomplete'
    for end in list(range(step, len(data), step)) + [len(data)]:
        got = http_parse(be, data, 0, end, prev, limits)
        if got != 'incomplete':
            break
        prev = end
    expect_equal('fed in growing prefixes (stopped at %d)' % end, got, expected)

    if expected != 'incomplete':
        more = data + b'GET /next HTTP/1.1\r\nHost: y\r\n\r\n'
        expect_equal('with bytes appended',
                     http_parse(be, more, 0, len(more), 0, limits), expected)
    return whole


# ---- chunked bodies

def chunked_feed(be, data, cuts):
    """Decodes data fed as the pieces between cuts, in place in one buffer.
    Returns {'data', 'next', 'done'} or {'status': 400}."""
    state = be.new_chunked()
    buf = bytearray(data)
    payload = b''
    bounds = [0] + cuts + [len(data)]
    for i in range(len(bounds) - 1):
        start, end = bounds[i], bounds[i + 1]
        r = outcome(be.chunked_decode, state, buf, start, end)
        if isinstance(r, dict):
            return r
        data_end, nxt, done = r
        payload += bytes(buf[start:data_end])
        if done:
            return {'data': payload, 'next': nxt, 'done': True}
        if nxt != end:
            raise Failure('not done but next %d != end %d' % (nxt, end))
    return {'data': payload, 'next': len(data), 'done': False}


def chunked_expected(case):
    e = case['expect']
    if 'status' in e:
        return e
    return {'data': b(e['data']), 'next': e['next'], 'done': e['done']}


def check_chunked(be, case):
    data = b(case['input'])
    expected = chunked_expected(case)
    whole = chunked_feed(be, data, [])
    expect_equal('whole', whole, expected)
    expect_equal('byte by byte', chunked_feed(be, data, list(range(1, len(data)))), expected)
    for cut in range(1, len(data)):
        expect_equal('split at %d' % cut, chunked_feed(be, data, [cut]), expected)
    if expected.get('done'):
        expect_equal('with bytes appended', chunked_feed(be, data + b'GET / HTTP/1.1', []),
                     expected)
    return whole


# ---- routes

def route_result(r):
    if r is None or isinstance(r, dict):
        return r
    index, captures = r
    return [index, None if captures is None else list(captures)]


def check_routes(be, group):
    router = outcome(be.compile_router, group['patterns'])
    if 'expect' in group:
        got = router if isinstance(router, dict) else 'compiled'
        expect_equal('compile', got, {'status': group['expect']['status']})
        return got
    if isinstance(router, dict):
        raise Failure('compile raised %r' % (router,))
    results = []
    for case in group['cases']:
        got = route_result(outcome(be.match_route, router, case['path'], case.get('start', 0)))
        expect_equal('%s (%s)' % (case['name'], case['path']), got, case['expect'])
        results.append(got)
    return results


# ---- WebSocket

def ws_parse_result(r):
    if r is None:
        return 'incomplete'
    if isinstance(r, dict):
        return r
    fin, opcode, mask, payload_len, header_len = r
    return [fin, opcode, mask, payload_len, header_len]


def check_ws_parse(be, case):
    data = b(case['bytes'])
    max_payload = case.get('max_payload', 2 ** 63 - 1)
    expected = case['expect']
    if isinstance(expected, list) and expected[2] is not None:
        expected = expected[:2] + [b(expected[2])] + expected[3:]

    def parse(n):
        return ws_parse_result(outcome(be.ws_parse_header, data, 0, n,
                                       case['masked'], max_payload))

    whole = parse(len(data))
    expect_equal('whole', whole, expected)
    limit = expected[4] if isinstance(expected, list) else len(data)
    for k in range(limit):
        got = parse(k)
        if got != 'incomplete' and got != expected:
            raise Failure('prefix of %d bytes: got %r' % (k, got))
        if isinstance(expected, list) and got != 'incomplete':
            raise Failure('prefix of %d bytes: not incomplete' % k)
    return whole


def check_ws_build(be, case):
    mask = None if case['mask'] is None else b(case['mask'])
    got = outcome(be.ws_build_header, case['fin'], case['opcode'], case['length'], mask)
    expect_equal('header', got, b(case['expect']))
    return got


def check_ws_mask(be, case):
    data, mask, offset = b(case['data']), b(case['mask']), case['offset']
    expected = b(case['expect'])
    buf = bytearray(data)
    be.ws_mask(buf, 0, len(buf), mask, offset)
    expect_equal('whole', bytes(buf), expected)
    buf = bytearray(data)
    view = memoryview(buf)
    pos = 0
    for n in case['pieces']:
        be.ws_mask(view, pos, pos + n, mask, offset + pos)
        pos += n
    expect_equal('in pieces', bytes(buf), expected)
    be.ws_mask(buf, 0, len(buf), mask, offset)
    expect_equal('masked twice', bytes(buf), data)
    return expected


def check_utf8(be, case):
    state = 0
    states = []
    for piece in case['pieces']:
        data = b(piece)
        state = be.utf8_check(state, data, 0, len(data))
        states.append(state if state in (0, 1) else 'mid')
    expect_equal('states', states, case['expect'])
    return states


# ---- utilities

def check_util(be, case):
    data = b(case['input'])
    fn = getattr(be, case['func'])
    args = (case['plus'],) if case['func'] == 'url_decode' else ()
    got = outcome(fn, data, *args)
    if isinstance(got, tuple):
        got = list(got)
    expect_equal('bytes input', got, case['expect'])
    if all(ord(c) < 128 for c in case['input']):
        got_str = outcome(fn, case['input'], *args)
        if isinstance(got_str, tuple):
            got_str = list(got_str)
        expect_equal('str input', got_str, case['expect'])
    return got


# ---- differential runs on mutated inputs (two backends only)

class Lcg:
    """A small deterministic generator: the same mutations on every run."""

    def __init__(self, seed):
        self.x = seed

    def next(self, n):
        self.x = (self.x * 1103515245 + 12345) & 0x7fffffff
        return (self.x >> 8) % n


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(1 + rng.next(3)):
        op = rng.next(4)
        pos = rng.next(len(data) + 1)
        byte = b'\r\n :;=%+/0aZ\x00\x7f\x80\xc3\xff\t'[rng.next(17)]
        if op == 0 and data:
            pos = min(pos, len(data) - 1)
            data[pos:pos + 1] = b''
        elif op == 1:
            data[pos:pos] = bytes([byte])
        elif op == 2 and data:
            data[min(pos, len(data) - 1)] = byte
        else:
            data[pos:pos] = data[:rng.next(8)]
    return bytes(data)


def observe(fn):
    try:
        return ('ok', fn())
    except ValueError as e:
        return ('ValueError', e.args[0] if e.args else None)
    except Exception as e:  # any other exception is part of the observation
        return (type(e).__name__, None)


def differential(backends, vectors, count, report):
    rng = Lcg(12345)
    limits = DEFAULT_LIMITS
    http_inputs = [b(c['input']) for c in vectors['http']['cases'] if len(c['input']) < 512]
    chunked_inputs = [b(c['input']) for c in vectors['chunked']['cases']]
    util_cases = vectors['util']['cases']
    ws_inputs = [b(c['bytes']) for c in vectors['ws']['parse']]
    for i in range(count):
        kind = i % 4
        if kind == 0:
            data = mutate(rng, http_inputs[rng.next(len(http_inputs))])

            def run(be):
                return http_parse(be, data, 0, len(data), 0, limits)
        elif kind == 1:
            data = mutate(rng, chunked_inputs[rng.next(len(chunked_inputs))])

            def run(be):
                return chunked_feed(be, data, [len(data) // 2])
        elif kind == 2:
            case = util_cases[rng.next(len(util_cases))]
            data = mutate(rng, b(case['input']))
            func = case['func']

            def run(be):
                fn = getattr(be, func)
                return outcome(fn, data, True) if func == 'url_decode' else outcome(fn, data)
        else:
            data = mutate(rng, ws_inputs[rng.next(len(ws_inputs))])
            masked = bool(rng.next(2))

            def run(be):
                return ws_parse_result(outcome(be.ws_parse_header, data, 0, len(data), masked, 1 << 20))
        got = [observe(lambda: run(be)) for be in backends]
        report('mutated', 'agree', '#%d %r' % (i, data),
               None if got[0] == got[1] else '%s %r != %s %r'
               % (backends[0].NAME, got[0], backends[1].NAME, got[1]))


# ---- driver

FAMILIES = (
    # (vector file, list key, check function)
    ('http', 'cases', check_http),
    ('chunked', 'cases', check_chunked),
    ('routes', 'groups', check_routes),
    ('ws', 'parse', check_ws_parse),
    ('ws', 'build', check_ws_build),
    ('ws', 'mask', check_ws_mask),
    ('ws', 'utf8', check_utf8),
    ('util', 'cases', check_util),
)

FUNCTIONS = {
    'http': 'parse_request', 'chunked': 'chunked_decode', 'routes': 'match_route',
    'ws': 'ws_parse_header', 'util': 'url_decode',
}


def load_backend(name):
    if name == 'c':
        import _microdot
        return _microdot
    if name == 'pure':
        import _pure
        return _pure
    raise SystemExit('unknown backend %r' % name)


def load_vectors(vec_dir):
    sys.path.insert(0, vec_dir)
    vectors = {}
    for name in ('http', 'chunked', 'routes', 'ws', 'util'):
        vectors[name] = __import__('vec_' + name).DATA
    return vectors


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    vectors = load_vectors(argv[1])
    backends = [load_backend(name) for name in argv[2:]]
    counts = {'passed': 0, 'failed': 0}

    def report(family, backend, name, problem):
        if problem is None:
            counts['passed'] += 1
        else:
            counts['failed'] += 1
            print('FAIL [%s] %s: %s: %s' % (backend, family, name, problem))

    for file, key, check in FAMILIES:
        before = dict(counts)
        for case in vectors[file][key]:
            seen = []
            for be in backends:
                if not hasattr(be, FUNCTIONS[file]):
                    report('%s.%s' % (file, key), be.NAME, case['name'], 'function missing')
                    seen.append(None)
                    continue
                try:
                    seen.append(check(be, case))
                    problem = None
                except Failure as e:
                    seen.append(None)
                    problem = str(e)
                except Exception as e:
                    seen.append(None)
                    problem = 'raised %s: %s' % (type(e).__name__, e)
                report('%s.%s' % (file, key), be.NAME, case['name'], problem)
            if len(backends) == 2 and seen[0] is not None and seen[1] is not None:
                report('%s.%s' % (file, key), 'agree', case['name'],
                       None if seen[0] == seen[1] else '%r != %r' % (seen[0], seen[1]))
        print('%-12s %-6s %4d passed, %d failed' % (
            file, key, counts['passed'] - before['passed'], counts['failed'] - before['failed']))

    if len(backends) == 2:
        before = dict(counts)
        differential(backends, vectors, 2000, report)
        print('%-12s %-6s %4d passed, %d failed' % (
            'mutated', 'agree', counts['passed'] - before['passed'],
            counts['failed'] - before['failed']))

    print('backends: %s' % ', '.join(be.NAME for be in backends))
    print('%d passed, %d failed' % (counts['passed'], counts['failed']))
    return 1 if counts['failed'] else 0


sys.exit(main(sys.argv))

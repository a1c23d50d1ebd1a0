"""Coverage-guided differential fuzzing of the CPython backends with atheris:
every input goes through the cffi and the pure backend (parse_request,
chunked_decode whole and split, url_decode, parse_query, parse_cookies,
ws_parse_header, utf8_check) and any difference in result or exception
aborts with the input. Seeds: the vector inputs.

    python tests/fuzz/atheris_diff.py -max_total_time=60 build/fuzz/corpus_atheris
"""
import os
import sys

import atheris

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
sys.path.insert(0, os.path.join(ROOT, 'python'))

with atheris.instrument_imports():
    from microdot import _cffi, _pure


def outcome(fn, *args):
    try:
        return fn(*args)
    except Exception as e:
        code = e.args[0] if e.args and isinstance(e.args[0], int) else None
        return (type(e).__name__, code)


def chunked(be, data, cut):
    state = be.new_chunked()
    out = b''
    try:
        for a, b in ((0, cut), (cut, len(data))):
            buf = bytearray(data[a:b])
            end, nxt, done = be.chunked_decode(state, buf, 0, len(buf))
            out += bytes(buf[:end])
            if done:
                return out, a + nxt
        return out, None
    except ValueError as e:
        return ('ValueError', e.args[0])


def same(what, data, fn_pure, fn_cffi):
    a, b = fn_pure(), fn_cffi()
    if a != b:
        raise AssertionError('{} differs on {!r}: pure={!r} cffi={!r}'.format(
            what, data, a, b))


def test_one_input(data):
    if not data:
        return
    mode, data = data[0], data[1:]
    limits = [(2048, 16384, 100), (16, 64, 3), (40, 200, 8)][mode % 3]
    cut = mode % (len(data) + 1)
    same('parse_request', data,
         lambda: outcome(_pure.parse_request, data, 0, len(data), 0, *limits),
         lambda: outcome(_cffi.parse_request, data, 0, len(data), 0, *limits))
    same('chunked', data, lambda: chunked(_pure, data, cut),
         lambda: chunked(_cffi, data, cut))
    for name in ('url_decode', 'parse_query', 'parse_cookies'):
        args = (data, bool(mode & 1)) if name == 'url_decode' else (data,)
        same(name, data, lambda: outcome(getattr(_pure, name), *args),
             lambda: outcome(getattr(_cffi, name), *args))
    same('ws_parse_header', data,
         lambda: outcome(_pure.ws_parse_header, data, 0, len(data),
                         bool(mode & 2), 1 << 20),
         lambda: outcome(_cffi.ws_parse_header, data, 0, len(data),
                         bool(mode & 2), 1 << 20))
    same('utf8_check', data,
         lambda: outcome(_pure.utf8_check, 0, data, 0, len(data)),
         lambda: outcome(_cffi.utf8_check, 0, data, 0, len(data)))


def seed(corpus):
    import json
    os.makedirs(corpus, exist_ok=True)
    vectors = os.path.join(ROOT, 'tests', 'vectors')
    n = 0
    for name, key, field in (('http', 'cases', 'input'),
                             ('chunked', 'cases', 'input'),
                             ('util', 'cases', 'input'),
                             ('ws', 'parse', 'bytes')):
        with open(os.path.join(vectors, name + '.json')) as f:
            for case in json.load(f)[key]:
                data = b'\x00' + case[field].encode('latin-1')
                with open(os.path.join(corpus, 'seed%04d' % n), 'wb') as out:
                    out.write(data)
                n += 1


if __name__ == '__main__':
    dirs = [a for a in sys.argv[1:] if not a.startswith('-')]
    if dirs:
        seed(dirs[0])
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()

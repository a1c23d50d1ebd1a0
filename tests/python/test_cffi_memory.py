"""Memory safety of the cffi backend at its Python boundary.

1. Out-of-range arguments (end past the buffer, start after end, a short
   mask, a read-only buffer for an in-place function) must raise a Python
   exception, never read or write outside the caller's buffer. Each probe
   runs in a subprocess of its own, because a wrong answer here means the C
   code touched memory it does not own (the process may die later, or
   corrupt the test run). Under tests/python_asan.sh the subprocesses
   inherit the ASan build, so an out-of-bounds access aborts them.
2. Many calls do not grow the process (no leak per call).

The whole-run memory checks (ASan build, valgrind) are tests/python_asan.sh.
"""
import os
import subprocess
import sys

import pytest

try:
    from microdot import _cffi
except ImportError:
    _cffi = None

pytestmark = pytest.mark.skipif(_cffi is None,
                                reason='the cffi extension is not built')

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

HEAD = "b'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'"
# name -> expression calling the backend `b` with out-of-range arguments
PROBES = {
    'parse_request end past the buffer':
        'b.parse_request(bytearray(b"GET / HTTP/1.1\\r\\nHo"), 0, 4096, 0, '
        '2048, 16384, 64)',
    'parse_request start after end':
        'b.parse_request(%s, 10, 5, 0, 2048, 16384, 64)' % HEAD,
    'parse_request negative start':
        'b.parse_request(%s, -8, 5, 0, 2048, 16384, 64)' % HEAD,
    'chunked_decode end past the buffer':
        'b.chunked_decode(b.new_chunked(), bytearray(b"3\\r\\nabc"), 0, 4096)',
    'chunked_decode read-only buffer':
        'b.chunked_decode(b.new_chunked(), b"3\\r\\nabc\\r\\n0\\r\\n\\r\\n", 0, '
        '13)',
    'ws_parse_header end past the buffer':
        'b.ws_parse_header(b"\\x81", 0, 4096, False, 100)',
    'ws_mask end past the buffer':
        'b.ws_mask(bytearray(b"abcd"), 0, 4096, b"\\x01\\x02\\x03\\x04", 0)',
    'ws_mask read-only buffer':
        'b.ws_mask(b"abcd", 0, 4, b"\\x01\\x02\\x03\\x04", 0)',
    'ws_mask short mask':
        'b.ws_mask(bytearray(b"abcd"), 0, 4, b"\\x01", 0)',
    'ws_build_header short mask':
        'b.ws_build_header(True, 1, 5, b"\\x01")',
    'utf8_check end past the buffer':
        'b.utf8_check(0, b"abc", 0, 4096)',
    'utf8_check start after end':
        'b.utf8_check(0, b"abc", 3, 1)',
}

UNSAFE = ('cffi backend: {} is passed to C unchecked (_cffi.py adds start '
          'to the from_buffer pointer and passes end - start, or reads 4 '
          'mask bytes, without checking 0 <= start <= end <= len(buf) and '
          'len(mask) == 4): the C code reads/writes outside the buffer '
          'instead of raising ValueError')
KNOWN_UNSAFE = set()  # none left: _cffi.py checks ranges and mask lengths

RUNNER = '''
import sys
from microdot import _cffi as b
try:
    result = {expr}
except (ValueError, TypeError, IndexError, BufferError, OverflowError) as e:
    if e.args and isinstance(e.args[0], int):  # a verdict on the bytes
        print('parsed past the buffer: rejected with', e.args[0])
    else:
        print('raised', type(e).__name__)
else:
    print('returned', repr(result))
'''


def probe_params():
    return list(_probe_params())


def _probe_params():
    for name in PROBES:
        marks = [pytest.mark.xfail(strict=True, reason=UNSAFE.format(name))] \
            if name in KNOWN_UNSAFE else []
        yield pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize('name', probe_params())
def test_out_of_range_arguments_raise(name):
    env = dict(os.environ)
    if 'microdot' not in sys.modules or not env.get('PYTHONPATH'):
        env['PYTHONPATH'] = os.path.join(REPO, 'python')
    proc = subprocess.run([sys.executable, '-c',
                           RUNNER.format(expr=PROBES[name])],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, 'the probe crashed ({}):\n{}'.format(
        proc.returncode, proc.stderr[-2000:])
    assert proc.stdout.startswith('raised'), \
        'out-of-range arguments were used: ' + proc.stdout


def rss_kib():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    pytest.skip('no /proc/self/status')


def exercise(rounds):
    head = bytearray(b'POST /a/b?x=1 HTTP/1.1\r\nHost: x\r\n'
                     b'Content-Length: 5\r\nCookie: a=1; b=2\r\n\r\n')
    router = _cffi.compile_router(['/a/<int:id>', '/a/<b>', '/p/<path:p>'])
    frame = b'\x81\x85\x01\x02\x03\x04abcde'
    for _ in range(rounds):
        _cffi.parse_request(head, 0, len(head), 0, 2048, 16384, 64)
        body = bytearray(b'3\r\nabc\r\n0\r\n\r\n')
        _cffi.chunked_decode(_cffi.new_chunked(), body, 0, len(body))
        _cffi.match_route(router, '/a/b', 0)
        _cffi.match_route(router, '/p/x/y%20z', 0)
        _cffi.url_decode('a%20b+c', True)
        _cffi.parse_query('a=1&b=%20&c')
        _cffi.parse_cookies('a=1; b=2')
        _cffi.ws_parse_header(frame, 0, len(frame), True, 1 << 20)
        _cffi.ws_mask(bytearray(b'abcde'), 0, 5, b'\x01\x02\x03\x04', 0)
        _cffi.utf8_check(0, b'h\xc3\xa9llo', 0, 6)
        _cffi.compile_router(['/x/<int:a>/<string:b>'])


def test_no_growth_over_many_calls():
    exercise(20000)  # warm up: caches, interned strings, allocator pools
    before = rss_kib()
    exercise(100000)
    grown = rss_kib() - before
    # a leak of even 16 bytes per call would be over 17 MiB here
    assert grown < 4096, 'RSS grew by {} KiB over 1.1M calls'.format(grown)

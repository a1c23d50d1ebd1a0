"""microdot.websocket's _take_message, the fast receive's one call for a
backend without ws_take_message (a small _microdot.mpy): the same results
as the C binding's ws_take_message, on MicroPython's unix port with the x64
_microdot.mpy (its ws_take_message taken away before microdot.websocket is
imported; the binding's own kept for the comparison). The payload is
unmasked in the buffer (one copy less), so each call gets a fresh copy."""
import os
import subprocess

import pytest

from test_core_micropython import micropython, mpy_env, NATMOD

PROBE = r'''
import _microdot
binding_take = _microdot.ws_take_message
del _microdot.ws_take_message
from microdot import websocket
print('fallback', websocket._take_message is not binding_take)

MASK = b'\x37\xfa\x21\x3d'


def frame(opcode, payload, fin=True):
    head = _microdot.ws_build_header(fin, opcode, len(payload), MASK)
    data = bytearray(head + payload)
    _microdot.ws_mask(data, len(head), len(data), MASK, 0)
    return data


def call(take, data, limit, data_ok):
    buf = memoryview(bytearray(b'..' + data + b'..'))
    try:
        return take(buf, 2, 2 + len(data), limit, data_ok)
    except ValueError as e:
        return ('error',) + e.args[:1]


CASES = [
    (frame(1, 'h\u00e9llo \u2603'.encode()), 1000, True),
    (frame(2, bytes(range(256)) * 3), 1000, True),
    (frame(2, b'x' * 300), 100, True),  # too big
    (frame(1, b'\xc3\x28'), 1000, True),  # invalid UTF-8
    (frame(1, b'\xed\xa0\x80'), 1000, True),  # a surrogate
    (frame(1, b'frag', fin=False), 1000, True),
    (frame(0, b'ment'), 1000, True),
    (frame(9, b'ping'), 1000, True),
    (frame(9, b'ping'), 1000, False),
    (frame(1, b'no data'), 1000, False),
    (frame(8, b'\x03\xe8bye'), 1000, True),
    (frame(1, b'partial')[:-2], 1000, True),
    (frame(1, b'partial')[:1], 1000, True),
    (bytearray(b'\x81\x03abc'), 1000, True),  # not masked
]
for data, limit, data_ok in CASES:
    want = call(binding_take, data, limit, data_ok)
    got = call(websocket._take_message, data, limit, data_ok)
    print('same' if got == want else 'differs: %r %r' % (got, want))
# (text over 4 KiB: left to the frame reader, which checks it a piece at a
# time; the binding takes it whole)
print('big text', call(websocket._take_message, frame(1, b'x' * 5000), 65536,
                       True))
'''


def test_take_message_without_the_binding_s(tmp_path):
    if not os.path.exists(os.path.join(NATMOD, '_microdot.mpy')):
        pytest.skip('build/natmod/x64/_microdot.mpy is not built')
    env = mpy_env('c')
    env['MICROPYPATH'] = NATMOD + ':' + env['MICROPYPATH']
    script = tmp_path / 'probe.py'
    script.write_text(PROBE)
    result = subprocess.run([micropython(), str(script)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.split('\n')[:-1]
    assert lines == ['fallback True'] + ['same'] * 14 + ['big text None'], \
        result.stdout


CLOSE_PROBE = r'''
import sys
from microdot import websocket
print(websocket.parse_close_payload(b'\x03\xe8'),
      'microdot._pure_utf8' in sys.modules)
print(websocket.parse_close_payload(b'\x03\xe9caf\xc3\xa9'),
      'microdot._pure_utf8' in sys.modules)
try:
    websocket.parse_close_payload(b'\x03\xe8\xc3')
except ValueError as e:
    print(e.args)
'''


def test_close_without_reason_loads_no_utf8_check(tmp_path):
    # a close frame with a code alone (the common one): the pure backend's
    # UTF-8 module (its DFA, ~500 bytes once loaded) is not needed
    script = tmp_path / 'probe.py'
    script.write_text(CLOSE_PROBE)
    result = subprocess.run([micropython(), str(script)], env=mpy_env('pure'),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split('\n')[:-1] == [
        "(1000, '') False", "(1001, 'caf\\xe9') True",
        "(1007, 'invalid UTF-8')"]

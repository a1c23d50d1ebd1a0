"""The pure backend's ws_take_message (microdot._pure_ws, the twin of the C
binding's, which microdot.websocket's receive uses on MicroPython): the
same results as a byte-by-byte reference on CPython and on MicroPython's
unix port (and as the C binding, where the x64 _microdot.mpy is built);
the UTF-8 module (its DFA) is loaded only by a text with more than
two-byte sequences."""
import binascii
import inspect
import os
import subprocess
import sys

try:
    import microdot  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..',
                                    'python'))

import pytest

from microdot import _pure, _pure_ws
from servers import REPO, micropython_command, natmod_dir

MASK = b'\x37\xfa\x21\x3d'


def frame(opcode, payload, fin=True, masked=True, mask=MASK):
    n = len(payload)
    first = (0x80 if fin else 0) | opcode
    bit = 0x80 if masked else 0
    if n < 126:
        head = bytes([first, bit | n])
    elif n < 65536:
        head = bytes([first, bit | 126, n >> 8, n & 255])
    else:
        head = bytes([first, bit | 127]) + n.to_bytes(8, 'big')
    if not masked:
        return head + payload
    return head + mask + bytes(payload[i] ^ mask[i % 4] for i in range(n))


def cases():
    """(name, bytes before the frame, frame bytes, cut, max_payload,
    data_ok): cut bytes are left off the end."""
    text = 'h\u00e9llo \u0101\u02ff w\u00f6rld' * 40
    wide = '\u20ac\ud7ff\ue000\U0001f600\U0010ffff'
    out = [
        ('binary 1000', b'xy', frame(2, bytes(i * 7 & 255 for i in range(1000))), 0, 65536, True),
        ('binary empty', b'', frame(2, b''), 0, 65536, True),
        ('binary 3', b'', frame(2, b'abc'), 0, 65536, True),
        ('text ascii', b'z', frame(1, b'hello world' * 30), 0, 65536, True),
        ('text 2-byte', b'', frame(1, text.encode()), 0, 65536, True),
        ('text 3/4-byte', b'', frame(1, wide.encode()), 0, 65536, True),
        ('text 4096', b'', frame(1, b'a' * 4096), 0, 65536, True),
        ('ping', b'', frame(9, b'pi'), 0, 65536, True),
        ('ping, message under way', b'', frame(9, b'pi'), 0, 65536, False),
        ('close', b'', frame(8, b'\x03\xe8bye'), 0, 65536, True),
        ('text, message under way', b'', frame(1, b'abc'), 0, 65536, False),
        ('incomplete', b'', frame(2, b'abcdef'), 1, 65536, True),
        ('header only', b'', frame(2, b'abcdef'), 6, 65536, True),
        ('not final', b'', frame(1, b'abc', fin=False), 0, 65536, True),
        ('continuation', b'', frame(0, b'abc'), 0, 65536, True),
        ('over max_payload', b'', frame(2, b'x' * 1000), 0, 999, True),
        ('unmasked', b'', frame(2, b'abc', masked=False), 0, 65536, True),
        ('reserved opcode', b'', frame(3, b'abc'), 0, 65536, True),
        ('long ping', b'', frame(9, b'x' * 126), 0, 65536, True),
    ]
    for name, bad in (('overlong C0', b'a\xc0\x80b'), ('overlong C1', b'\xc3\xa9\xc1\xbf'),
                      ('overlong E0', b'\xe0\x80\xaf'),
                      ('surrogate', b'\xed\xa0\x80'), ('F4 over max', b'\xf4\x90\x80\x80'),
                      ('F5 lead', b'\xf5\x80\x80\x80'), ('cut sequence', b'ab\xc3'),
                      ('lone continuation', b'\x80'), ('FF', b'\xff')):
        out.append(('invalid ' + name, b'', frame(1, bad), 0, 65536, True))
    return out


def reference(pre, data, cut, max_payload, data_ok):
    """What the C binding answers (cmodule/modmicrodot.c), written out byte
    by byte: ('none',), ('error', code) or ('ok', opcode, payload, stop)."""
    buf = pre + data
    end = len(buf) - cut
    try:
        header = _pure_ws.ws_parse_header(buf, len(pre), end, True, max_payload)
    except ValueError as e:
        return ('error', e.args[0])
    if header is None:
        return ('none',)
    fin, opcode, mask, length, size = header
    start = len(pre) + size
    stop = start + length
    if stop > end or opcode < 8 and not (data_ok and fin and opcode in (1, 2)):
        return ('none',)
    payload = bytes(buf[start + i] ^ mask[i % 4] for i in range(length))
    if opcode == 1:
        try:
            payload = payload.decode('utf-8')
        except UnicodeError:
            return ('error', 1007)
    return ('ok', opcode, payload, stop)


def norm(result):
    """A result as printable ASCII, the same on both interpreters."""
    if result[0] != 'ok':
        return repr(result)
    payload = result[2]
    kind = 'str' if isinstance(payload, str) else 'bytes'
    if kind == 'str':
        payload = payload.encode()
    return repr(('ok', result[1], kind, binascii.hexlify(payload).decode(),
                 result[3]))


NORM = inspect.getsource(norm)


def take(function, pre, data, cut, max_payload, data_ok):
    buf = bytearray(pre + data)
    try:
        got = function(memoryview(buf), len(pre), len(buf) - cut, max_payload, data_ok)
    except ValueError as e:
        return ('error', e.args[0])
    return ('none',) if got is None else ('ok',) + tuple(got)


@pytest.mark.parametrize('case', cases(), ids=lambda case: case[0])
def test_take_message_matches_reference(case):
    want = reference(*case[1:])
    if case[0] == 'text 4096':
        assert want[0] == 'ok'
    assert take(_pure_ws.ws_take_message, *case[1:]) == want
    # the backend gives it (microdot.websocket asks with getattr)
    assert _pure.ws_take_message is _pure_ws.ws_take_message


def test_take_message_leaves_big_text_to_the_frame_reader():
    data = frame(1, b'a' * 4097)
    assert take(_pure_ws.ws_take_message, b'', data, 0, 65536, True) == ('none',)


MPY_PROBE = r'''
import binascii
import sys
from microdot import _pure
C = None
if sys.argv[1] == 'c':
    import _microdot
    C = getattr(_microdot, 'ws_take_message', None)
    if C is None:
        print('no binding')
        sys.exit(0)
MASK = %(mask)r


def take(function, pre, data, cut, max_payload, data_ok):
    buf = bytearray(pre + data)
    try:
        got = function(memoryview(buf), len(pre), len(buf) - cut, max_payload, data_ok)
    except ValueError as e:
        return ('error', e.args[0])
    return ('none',) if got is None else ('ok',) + tuple(got)


%(norm)s

for case in %(cases)r:
    name = case[0]
    if sys.argv[1] == 'c':
        if name == 'text 4096':  # (the binding takes texts of any size)
            continue
        got = take(C, *case[1:])
    else:
        got = take(_pure.ws_take_message, *case[1:])
        if name in ('text ascii', 'text 2-byte'):
            print('utf8 after', name, 'microdot._pure_utf8' in sys.modules)
    print(name, '=', norm(got))
print('utf8 at the end', 'microdot._pure_utf8' in sys.modules)
'''


def run_micropython(kind, extra_path=()):
    env = dict(os.environ, MICROPYPATH=':'.join(
        [os.path.join(REPO, 'python')] + list(extra_path) + ['.frozen']))
    env.pop('MICRODOT_BACKEND', None)
    script = MPY_PROBE % {'mask': MASK, 'cases': cases(), 'norm': NORM}
    out = subprocess.run([micropython_command(), '-c', script, kind],
                         capture_output=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    return out.stdout.decode()


def results(output):
    got = {}
    for line in output.splitlines():
        if ' = ' in line:
            name, value = line.split(' = ', 1)
            got[name] = value
    return got


def test_take_message_on_micropython():
    output = run_micropython('pure')
    got = results(output)
    assert len(got) == len(cases())
    for case in cases():
        assert got[case[0]] == norm(reference(*case[1:])), case[0]
    # an ASCII text, or one of two-byte sequences, keeps the UTF-8 module
    # (the DFA) out; a three-byte sequence loads it
    assert 'utf8 after text ascii False' in output
    assert 'utf8 after text 2-byte False' in output
    assert 'utf8 at the end True' in output


def test_take_message_as_the_c_binding():
    natmod = natmod_dir()
    if natmod is None:
        pytest.skip('no _microdot.mpy (make -C ports/natmod)')
    output = run_micropython('c', [str(natmod)])
    if 'no binding' in output:
        pytest.skip('this _microdot.mpy has no ws_take_message')
    pure = results(run_micropython('pure'))
    got = results(output)
    assert len(got) == len(cases()) - 1
    for name, value in got.items():
        assert pure[name] == value, name

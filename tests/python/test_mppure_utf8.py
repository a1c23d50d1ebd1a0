"""The pure backend's UTF-8 check (microdot._pure_utf8): utf8_check, which
on MicroPython lets the decoder vouch for ASCII a piece at a time and walks
an inlined DFA over the rest, and utf8_text, the check and the decoding of
a whole text in one pass. Both against a byte-by-byte walk of the DFA (_step)
and CPython's strict decoder, on CPython (both decoder modes) and on
MicroPython (whose decoder lets overlongs and surrogates through), with
invalid sequences placed on and around the piece boundaries."""
import random
import subprocess
from pathlib import Path

import pytest

from microdot import _pure_utf8
from servers import micropython_command

ROOT = Path(__file__).resolve().parents[2]

BAD = [b'\xc0\x80', b'\xc1\xbf', b'\xed\xa0\x80', b'\xf5\x80\x80\x80',
       b'\xe0\x80\x80', b'\xf4\x90\x80\x80', b'\xf0\x80\x80\x80', b'\x80',
       b'\xc2', b'\xe2\x82', b'\xc2\xc2', b'\xff', b'\xed\xbf\xbf']
GOOD = [b'a', b'\xc2\xa9', b'\xe2\x82\xac', b'\xf0\x9f\x98\x80',
        b'\xed\x9f\xbf', b'\xf4\x8f\xbf\xbf', b'\xe0\xa0\x80']


def cases(seed=1):
    """(bytes) around the piece size: ASCII runs with one good or bad
    sequence at every offset near the piece boundaries, and mixed text."""
    rng = random.Random(seed)
    out = [b'', b'abc', 'é' .encode() * 300]
    piece = _pure_utf8._PIECE
    for seq in BAD + GOOD:
        for at in (0, 1, piece - 3, piece - 2, piece - 1, piece, piece + 1,
                   2 * piece - 1, 3 * piece + 5):
            out.append(b'x' * at + seq + b'y' * rng.randint(0, 3))
    for _ in range(200):
        parts = [rng.choice(GOOD + BAD[:3]) if rng.random() < 0.02 else
                 bytes([rng.randint(0x20, 0x7e)]) for _ in range(rng.randint(0, 700))]
        out.append(b''.join(parts))
        chars = [chr(rng.randint(32, 0x2ff)) for _ in range(rng.randint(1, 400))]
        out.append(''.join(chars).encode())
    return out


def walk(state, data):
    for c in data:
        state = _pure_utf8._step(state, c)
        if state == 1:
            break
    return state


def strict_ok(data):
    try:
        data.decode('utf-8')
        return True
    except UnicodeError:
        return False


@pytest.mark.parametrize('strict', [True, False])
def test_check_and_text_match_the_dfa(monkeypatch, strict):
    monkeypatch.setattr(_pure_utf8, '_STRICT_DECODE', strict)
    for data in cases():
        want = walk(0, data)
        assert (want == 0) == strict_ok(data), data
        for lead in (0, 3):
            buf = bytearray(b'\xff' * lead + data + b'\xc0')
            for b in (buf, memoryview(buf), bytes(buf)):
                assert _pure_utf8.utf8_check(0, b, lead, lead + len(data)) == want, data
                text = _pure_utf8.utf8_text(b, lead, lead + len(data))
                assert text == (data.decode() if want == 0 else None), data


def test_check_continues_across_calls():
    # a text split anywhere, checked in two calls, ends in the same state
    for data in cases(2)[::7]:
        want = walk(0, data)
        for cut in sorted({0, 1, len(data) // 2, max(len(data) - 1, 0), len(data)}):
            state = _pure_utf8.utf8_check(0, data, 0, cut)
            if state != 1:
                state = _pure_utf8.utf8_check(state, data, cut, len(data))
            assert state == want or (state == 1 and want == 1), (data, cut)


MP_SCRIPT = r'''
import sys
from microdot import _pure_utf8 as u
cases = %r
wants = %r
bad = 0
for data, want in zip(cases, wants):
    buf = bytearray(b'\xff' + data + b'\xc0')
    for b in (buf, memoryview(buf)):
        if u.utf8_check(0, b, 1, 1 + len(data)) != want:
            bad += 1
            print('check', data)
        t = u.utf8_text(b, 1, 1 + len(data))
        if t != (str(data, 'utf-8') if want == 0 else None):
            bad += 1
            print('text', data)
print('checked', len(cases), 'bad', bad)
'''


def test_on_micropython(tmp_path):
    data = cases(3)
    script = tmp_path / 'utf8_mp.py'
    script.write_text(MP_SCRIPT % (data, [walk(0, d) for d in data]))
    result = subprocess.run([micropython_command(), str(script)], capture_output=True,
                            text=True, timeout=120,
                            env={'MICROPYPATH': str(ROOT / 'python') + ':.frozen'})
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'checked %d bad 0' % len(data) in result.stdout, result.stdout[-2000:]

"""The pure ws_mask on MicroPython (microdot._pure_ws), which XORs whole
aligned words in place through uctypes: against a byte-by-byte XOR for
every length up to 80 and lengths around 256/4096, every key offset, every
alignment of the first byte, in a bytearray and in a memoryview slice, with
guard bytes around the range that must stay untouched; with 32-bit words
(this 64-bit port) and 16-bit ones (what 32-bit boards use). And that
masking 1000 bytes leaves no garbage in proportion to the size (the big
integer XOR left ~4.6 KB)."""
import subprocess
from pathlib import Path

from servers import micropython_command

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import gc, sys
import uctypes
from microdot import _pure_ws as ws

def reference(buf, start, end, mask, offset):
    for i in range(start, end):
        buf[i] ^= mask[(i - start + offset) & 3]

sizes = list(range(81)) + [255, 256, 257, 1000, 4095, 4096, 4099, 9001]
# past the words one uctypes array spans (64 KiB of 32-bit words, 32 KiB of
# 16-bit ones): a few alignments and offsets
big = [32767, 32770, 65541, 131077]
seed = 12345

def rand():
    global seed
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed >> 16

def run(word):
    if word:
        ws._WORD = word
        kind = uctypes.UINT32 if word == 4 else uctypes.UINT16
        ws._WORDS = {'w': (uctypes.ARRAY | 0, kind | 0x4000)}
        ws._WINDOW = 0x4000 * word
    bad = 0
    runs = 0
    for n in sizes + big:
        for lead in range(8) if n in sizes else (0, 3):
            for offset in range(5) if n in sizes else (1,):
                data = bytearray(rand() & 255 for _ in range(lead + n + 9))
                mask = bytes(rand() & 255 for _ in range(4))
                want = bytearray(data)
                reference(want, lead, lead + n, mask, offset)
                for kind in range(2):
                    got = bytearray(data)
                    if kind and lead:  # a memoryview slice starting 1 byte in
                        ws.ws_mask(memoryview(got)[1:], lead - 1, lead - 1 + n, mask, offset)
                    elif kind:
                        ws.ws_mask(memoryview(got), lead, lead + n, mask, offset)
                    else:
                        ws.ws_mask(got, lead, lead + n, mask, offset)
                    runs += 1
                    if got != want:
                        bad += 1
                        print('mismatch', word, n, lead, offset, kind)
    return runs, bad

total = bad = 0
for word in (0, 2, 4):
    r, b = run(word)
    total += r
    bad += b
ws._WORD = 4 if sys.maxsize >> 32 else 2
kind = uctypes.UINT32 if ws._WORD == 4 else uctypes.UINT16
ws._WORDS = {'w': (uctypes.ARRAY | 0, kind | 0x4000)}
ws._WINDOW = 0x4000 * ws._WORD
buf = bytearray(1003)
ws.ws_mask(buf, 3, 1003, b'abcd', 1)
gc.collect()
gc.disable()
before = gc.mem_alloc()
ws.ws_mask(buf, 3, 1003, b'abcd', 1)
garbage = gc.mem_alloc() - before
gc.enable()
print('garbage', garbage)
print('masked', total, 'bad', bad)
'''


def test_ws_mask_words_on_micropython(tmp_path):
    script = tmp_path / 'mask_mp.py'
    script.write_text(SCRIPT)
    result = subprocess.run([micropython_command(), str(script)], capture_output=True,
                            text=True, timeout=300,
                            env={'MICROPYPATH': str(ROOT / 'python') + ':.frozen'})
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.split('\n')
    assert 'masked %d bad 0' % ((89 * 8 * 5 + 4 * 2) * 2 * 3) in lines, result.stdout[-2000:]
    garbage = int([line for line in lines if line.startswith('garbage')][0].split()[1])
    assert garbage < 512, garbage

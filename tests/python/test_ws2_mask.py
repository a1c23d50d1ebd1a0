"""The pure backend's ws_mask (microdot._pure_ws) against a byte-by-byte
XOR, with the piece size of CPython (4096) and of MicroPython (256): lengths
around the piece size, every key offset, start and end inside a buffer."""
import os
import random

import pytest

from microdot import _pure_ws


def reference(buf, start, end, mask, offset):
    for i in range(start, end):
        buf[i] ^= mask[(i - start + offset) & 3]


@pytest.mark.parametrize('piece', [256, 4096])
def test_ws_mask_matches_a_plain_xor(monkeypatch, piece):
    monkeypatch.setattr(_pure_ws, '_MASK_PIECE', piece)
    rng = random.Random(piece)
    sizes = [0, 1, 3, 4, 5, 255, 256, 257, 259, 511, 512, 513, 1000, 4095,
             4096, 4097, 9000]
    for n in sizes:
        for offset in range(5):
            lead = rng.randint(0, 9)
            data = bytearray(os.urandom(lead + n + 7))
            mask = os.urandom(4)
            got, want = bytearray(data), bytearray(data)
            _pure_ws.ws_mask(got, lead, lead + n, mask, offset)
            reference(want, lead, lead + n, mask, offset)
            assert got == want, (n, offset, lead)


def test_ws_mask_takes_a_memoryview_and_bytes_mask():
    data = bytearray(b'\x00' * 600)
    mask = bytearray(b'\x01\x02\x03\x04')
    _pure_ws.ws_mask(memoryview(data), 0, 600, mask, 0)
    assert data == b'\x01\x02\x03\x04' * 150

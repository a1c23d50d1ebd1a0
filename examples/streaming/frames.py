"""Makes the frames of the streaming example: small grayscale PNG images of
a bar sweeping across, so that the example needs no camera and no imaging
library. A real board would return its camera's JPEG here instead.

The PNG is written by hand: the pixel rows go into "stored" (uncompressed)
deflate blocks, which need no compressor, only a CRC and an Adler-32.
"""
import binascii
import struct

WIDTH = 96
HEIGHT = 32
BAR = 12  # pixels


def _chunk(kind, data):
    crc = binascii.crc32(kind + data) & 0xffffffff
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', crc)


def _adler32(data):
    a, b = 1, 0
    for i in range(0, len(data), 4096):
        for byte in data[i:i + 4096]:
            a += byte
            b += a
        a %= 65521
        b %= 65521
    return (b << 16) | a


def _zlib_stored(data):
    out = bytearray(b'\x78\x01')  # deflate, 32K window, no compression
    for start in range(0, len(data), 65535):
        block = data[start:start + 65535]
        last = 1 if start + 65535 >= len(data) else 0
        out += struct.pack('<BHH', last, len(block), len(block) ^ 0xffff)
        out += block
    out += struct.pack('>I', _adler32(data))
    return bytes(out)


def png(pixels, width, height):
    """A grayscale PNG of ``pixels`` (``height`` rows of ``width`` bytes)."""
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter: none
        raw += pixels[y * width:(y + 1) * width]
    header = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + _chunk(b'IHDR', header) +
            _chunk(b'IDAT', _zlib_stored(raw)) + _chunk(b'IEND', b''))


def frame(n):
    """Frame ``n``: a dark gradient with a bright bar at a position that
    moves with ``n``."""
    left = (n * 4) % (WIDTH + BAR) - BAR
    pixels = bytearray(WIDTH * HEIGHT)
    for y in range(HEIGHT):
        row = y * WIDTH
        for x in range(WIDTH):
            pixels[row + x] = 230 if left <= x < left + BAR else 20 + x
    return png(pixels, WIDTH, HEIGHT)

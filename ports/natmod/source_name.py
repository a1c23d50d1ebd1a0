"""Renames the source file of a native .mpy to its module's name.

    python source_name.py IN.mpy OUT.mpy NAME

mpy_ld.py records the output's path (e.g. /home/me/.../_microdot.native.mpy)
as the module's source file, the first entry of the .mpy's qstr table; a
board interns it when it loads the module. NAME (the module's name, which the
import interns anyway) costs the heap nothing.
"""
import sys


def read_uint(data, pos):
    value = 0
    while True:
        byte = data[pos]
        pos += 1
        value = (value << 7) | (byte & 0x7f)
        if not byte & 0x80:
            return value, pos


def write_uint(value):
    out = [value & 0x7f]
    value >>= 7
    while value:
        out.insert(0, 0x80 | (value & 0x7f))
        value >>= 7
    return bytes(out)


def rename(data, name):
    if data[:1] != b'M':
        raise ValueError('not a .mpy file')
    pos = 4  # 'M', version, features, small int bits
    _, pos = read_uint(data, pos)  # number of qstrs
    _, pos = read_uint(data, pos)  # number of objects
    start = pos
    length, pos = read_uint(data, pos)
    if length & 1:
        raise ValueError('the source name is a static qstr already')
    end = pos + (length >> 1) + 1  # the bytes and their NUL
    encoded = name.encode()
    return data[:start] + write_uint(len(encoded) << 1) + encoded + b'\0' + data[end:]


if __name__ == '__main__':
    source, target, module = sys.argv[1:4]
    with open(source, 'rb') as f:
        data = f.read()
    with open(target, 'wb') as f:
        f.write(rename(data, module))

"""Writes the .gz variant of each compressible file in static/ (CPython):

    python examples/static/compress.py

Run it after editing a file there: static_files.py serves the .gz variant as is,
and the tests check that each one still matches its file.
"""
import gzip
import os

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'static')
COMPRESSIBLE = ('.css', '.js')


def compress_all(directory=STATIC):
    for name in sorted(os.listdir(directory)):
        if name.endswith(COMPRESSIBLE):
            path = os.path.join(directory, name)
            with open(path, 'rb') as f:
                data = f.read()
            # mtime=0 keeps the output identical from one run to the next
            with open(path + '.gz', 'wb') as f:
                f.write(gzip.compress(data, compresslevel=9, mtime=0))
            print(name + '.gz')


if __name__ == '__main__':
    compress_all()

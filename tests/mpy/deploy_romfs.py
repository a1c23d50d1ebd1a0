"""ROMFS deployment (CPython driver): the façade bundle with _microdot.mpy,
built into a ROMFS image with mpremote (ports/romfs/build.py) and mounted at
/rom on MicroPython's unix port from romfs_flash.mpy, the native module that
holds the image outside the GC heap as a board's flash does. Checks, for the
C and the pure backend (deploy_romfs_probe.py does the MicroPython side):
  - the image takes no heap: importing romfs_flash and mounting it costs a
    small fraction of the image's size, on a 64 KiB heap;
  - microdot is imported from /rom/lib, and its functions' bytecode lies
    inside the image (executed in place); the same probe on the same .mpy
    files from the filesystem finds their bytecode outside it;
  - importing microdot and its WebSocket extension takes less heap from
    the image than from the .mpy files;
then serves the app of the footprint bench (bench/footprint/serving_app.py,
also the small-heap soak's) from the image on a 1 MiB heap and prints the
heap in use at each step (the app defined, after a first GET, with one and
two WebSockets open, with a kept-alive connection too, all clients gone),
checking that every exchange succeeds.

    python tests/mpy/deploy_romfs.py

Closes with 'N passed, N failed'; exits 1 on failure.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from checks import check, finish

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ROMFS = os.path.join(ROOT, 'ports', 'romfs')
NATMOD = os.path.join(ROOT, 'build', 'natmod', 'x64', '_microdot.mpy')
# upstream Microdot 2.7.0 as .mpy, made by bench/footprint/run.py: readings
# for comparison when present
UPSTREAM = os.path.join(ROOT, 'build', 'footprint', 'upstream-mpy')
sys.path[:0] = [ROMFS, os.path.join(ROOT, 'bench', 'footprint')]
import build as romfs  # noqa: E402  (ports/romfs/build.py)
import serving  # noqa: E402  (bench/footprint/serving.py: the app and its client)


def probe(backend, path, args, heap='64k'):
    """The probe's `key value` lines as {key: value}, or {} on failure."""
    env = dict(os.environ, MICRODOT_BACKEND=backend, MICROPYPATH=':'.join(path + ['.frozen']))
    result = subprocess.run([serving.micropython(), '-X', 'heapsize=' + heap,
                             os.path.join(HERE, 'deploy_romfs_probe.py')] + args,
                            env=env, cwd=HERE, capture_output=True, text=True, timeout=60)
    if result.returncode:
        print(result.stdout[-1500:] + result.stderr[-1500:])
        return {}
    values = {}
    last = 'start'  # the step a qstr_info() line follows
    for line in result.stdout.splitlines():
        if line.startswith('qstr pool:'):
            total, text = (int(re.search(name + r'=(\d+)', line).group(1))
                           for name in ('n_total_bytes', 'n_str_data_bytes'))
            # the names' text stays in the image: the heap holds the pools
            values['qstr ' + last] = total - text if 'rom' in args else total
            continue
        key, _, value = line.rpartition(' ')
        if key.startswith('heap '):
            last = key[5:]
        values[key] = int(value) if value.isdigit() else value
    return values


def imports(out, backend):
    lib = os.path.join(out, 'stage', 'lib')
    rom = probe(backend, [out], ['rom'])
    files = probe(backend, [], ['files', lib], heap='256k')
    if not rom or not files:
        check(False, '%s: the probe ran from the image and from the files' % backend)
        return
    if backend == 'upstream':
        print('  upstream: heap after import_microdot %d from the image, %d from .mpy files; '
              'after import_websocket %d, %d' % (
                  rom['heap import_microdot'], files['heap import_microdot'],
                  rom['heap import_websocket'], files['heap import_websocket']))
        return
    check(rom['image_heap'] * 16 < rom['image_size'],
          '%s: the image (%d bytes) is outside the 64 KiB heap: mounting it took %d bytes'
          % (backend, rom['image_size'], rom['image_heap']))
    check(rom['file'].startswith('/rom/lib/'), '%s: microdot from %s' % (backend, rom['file']))
    for name in ('Microdot.route', 'WebSocket.receive'):
        check(rom['in_image ' + name] == 1 and files['in_image ' + name] == 0,
              '%s: %s runs from the image (from the files: outside it)' % (backend, name))
    for step in ('import_microdot', 'import_websocket'):
        names = (rom['qstr ' + step] - rom['qstr base'], files['qstr ' + step] - files['qstr base'])
        check(rom['heap ' + step] < files['heap ' + step],
              '%s: heap after %s: %d from the image, %d from .mpy files (of which '
              'interned names %d, %d)' % ((backend, step, rom['heap ' + step],
                                          files['heap ' + step]) + names))


def serving_from(out, backend):
    """Heap in use at each step of serving from the image, minus `base`
    (before `import microdot`, after mounting the image): a check for ours,
    a reading for upstream."""
    report = check if backend != 'upstream' else lambda ok, what: print(
        '  %s%s' % ('' if ok else 'failed: ', what))
    steps = ('app', 'served', 'ws1', 'ws2', 'keepalive', 'after')
    values, log = {}, ''
    try:
        code, log = serving.serve(
            values, [os.path.join(ROMFS, 'boot.py'), 'serving_app'], [out, '.frozen'],
            {'MICRODOT_BACKEND': backend}, heap='1M', cwd=HERE)
        report(code == 0, '%s: served from the image: base %d, then %s' % (
            backend, values['base'], ', '.join('%s %d' % (s, values[s]) for s in steps)))
    except Exception as exc:
        report(False, '%s: served from the image: %r (%s)' % (backend, exc, values))
    modules = re.findall(r'modules: (.*)', log)
    if modules:
        print('  %s: modules while serving: %s' % (backend, modules[-1]))


def main():
    if not os.path.exists(NATMOD):
        subprocess.check_call(['make', '-s', '-C', os.path.join(ROOT, 'ports', 'natmod')])
    scratch = tempfile.mkdtemp(prefix='romfs-')
    try:
        deploy(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    finish()


def deploy(scratch):
    out = os.path.join(scratch, 'romfs')
    try:
        image = romfs.build(out, native=NATMOD, apps=[serving.APP])
        check(True, 'image built with mpremote: %d bytes; romfs_flash.mpy %d bytes' % (
            os.path.getsize(image), os.path.getsize(os.path.join(out, 'romfs_flash.mpy'))))
    except (subprocess.SubprocessError, OSError) as exc:
        check(False, 'image built: %r' % exc)
        return
    for backend in ('c', 'pure'):
        imports(out, backend)
        serving_from(out, backend)
    if os.path.isdir(UPSTREAM):
        up = os.path.join(scratch, 'upstream')
        romfs.build(up, lib=UPSTREAM, apps=[serving.APP])
        imports(up, 'upstream')
        serving_from(up, 'upstream')
    else:
        print('  upstream: no %s (bench/footprint/run.py makes it): no readings' % UPSTREAM)


if __name__ == '__main__':
    main()

"""Freezing (CPython driver): builds MicroPython's mpy-cross from the sdist
and the host port (ports/hostport) with the façade frozen in
(ports/hostport/frozen/manifest.py, which includes python/manifest.py), once
as is and once with -DMD_ENABLE_WS=0 (the pure twin fills in the WebSocket
functions), then on each firmware, with MICROPYPATH=.frozen and no python/:
  - deploy_frozen_probe.py: every module comes from .frozen, the backend
    is 'c' (or 'c+pure' without WS), and the heap `import microdot` takes;
  - tests/mpy/core_runner.py: every test passes except the two that need
    what the host port lacks (`re` for a regex route, `open` for send_file),
    which must fail for exactly that reason and are counted as skipped.

    MPY_DIR=... python tests/mpy/deploy_frozen.py    (MPY_DIR: ports/fetch_micropython.sh)

Closes with 'N passed, N failed'; exits 1 on failure.
"""
import os
import re
import subprocess
import time

from checks import check, finish

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MPY_DIR = os.environ.get('MPY_DIR') or os.path.expanduser('~/.cache/microdot-mp/micropython')
FROZEN = os.path.join(ROOT, 'ports', 'hostport', 'frozen')
# core_runner tests that need modules the host port does not have
NEEDS = {'dynamic_components': "no module named 're'", 'files': "name 'open' isn't defined"}


def build(name, cflags):
    build_dir = os.path.join(ROOT, 'build', 'deploy', name)
    command = ['make', '-s', '-C', os.path.join(ROOT, 'ports', 'hostport'), '-j2',
               'MPY_DIR=' + MPY_DIR, 'BUILD=' + build_dir,
               'FROZEN_MANIFEST=' + os.path.join(FROZEN, 'manifest.py'),
               # makemanifest wants a micropython-lib checkout (its README.md)
               'MPY_LIB_DIR=' + FROZEN,
               # the frozen ints must use the port's 32-bit mpz digits (x64)
               'MPY_TOOL_FLAGS=-mmpz-dig-size=32']
    if cflags:
        command.append('CFLAGS_EXTRA=' + cflags)
    start = time.time()
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    binary = os.path.join(build_dir, 'micropython-microdot')
    check(result.returncode == 0 and os.path.exists(binary),
          'build %s (%.0f s)' % (name, time.time() - start))
    if result.returncode:
        print(result.stdout[-2000:] + result.stderr[-3000:])
        return None
    return binary


def run(binary, script):
    env = dict(os.environ, MICROPYPATH='.frozen')
    env.pop('MICRODOT_BACKEND', None)
    result = subprocess.run([binary, '-X', 'heapsize=1048576', script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def firmware(name, cflags, backend):
    binary = build(name, cflags)
    if not binary:
        return
    code, out = run(binary, os.path.join(HERE, 'deploy_frozen_probe.py'))
    files = re.findall(r'^file (\S+) (\S+)$', out, re.M)
    check(code == 0 and len(files) == 8, '%s: probe ran (%d modules)' % (name, len(files)))
    if code:
        print(out[-2000:])
    # a frozen module's __file__ is its path inside the firmware: relative,
    # and nothing on sys.path (the probe's directory and .frozen) has it
    path = re.search(r'^path (\S+)$', out, re.M)
    outside = [f for f in files if f[1].startswith('/') or os.path.exists(
        os.path.join(ROOT, f[1])) or os.path.exists(os.path.join(HERE, f[1]))]
    check(files and not outside and path and path.group(1) == HERE + ':.frozen',
          '%s: modules frozen (sys.path %s) %s' % (name, path and path.group(1), outside or ''))
    got = re.search(r'^backend (\S+)$', out, re.M)
    check(got and got.group(1) == backend, '%s: backend %s' % (name, got and got.group(1)))
    heap = re.search(r'^import-heap (\d+)$', out, re.M)
    print('     %s: heap taken by `import microdot` (frozen): %s bytes'
          % (name, heap and heap.group(1)))
    code, out = run(binary, os.path.join(HERE, 'core_runner.py'))
    line = re.search(r'^(\d+) passed, (\d+) failed$', out, re.M)
    fails = re.findall(r'^FAIL (\S+) (.*)$', out, re.M)
    unexpected = [f for f in fails if f[0] not in NEEDS or NEEDS[f[0]] not in out]
    check(line is not None and int(line.group(1)) > 0 and not unexpected
          and 'backend: ' + backend in out,
          '%s: core_runner %s, %d skipped (need %s)'
          % (name, line and line.group(0), len(fails), ' and '.join(NEEDS.values())))
    for f in unexpected:
        print('     unexpected: %s %s' % f)
    if line is None:
        print(out[-2000:])


def main():
    mpy_cross = os.path.join(MPY_DIR, 'mpy-cross', 'build', 'mpy-cross')
    if not os.path.exists(mpy_cross):
        result = subprocess.run(['make', '-s', '-C', os.path.join(MPY_DIR, 'mpy-cross'), '-j2'],
                                capture_output=True, text=True, timeout=900)
        check(result.returncode == 0, 'build mpy-cross from the sdist')
        if result.returncode:
            print(result.stderr[-2000:])
    firmware('hostport-frozen', '', 'c')
    firmware('hostport-frozen-nows', '-DMD_ENABLE_WS=0', 'c+pure')
    finish()


if __name__ == '__main__':
    main()

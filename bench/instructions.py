#!/usr/bin/env python3
"""Server instructions per HTTP request, counted by valgrind (callgrind): a
measure that the machine's load does not move, to complement the
throughputs of run.py (families 1, 2 and 5) on a shared machine.

    python3 bench/instructions.py            # every row, N=200 (~2.5 min)
    python3 bench/instructions.py --quick    # N=100 (~1.5 min)
    python3 bench/instructions.py --only mpy --keep
    python3 bench/instructions.py --only 'py ours built-in$' --top 15

Each server runs under callgrind twice, answering N and then 3N requests from
one sequential loopback client (one request in flight, like `wrk -c1`); the
difference of the two totals divided by 2N is the server's cost per request,
start-up and shutdown cancelled out. Rows "per connection" open a new
connection for every request (the client closes it once it has read the
answer), which is how upstream Microdot serves: its cost includes accepting
and closing. Each row's ratio is to the raw server of the same interpreter
and the same connection use; under uvicorn, to starlette on the same
uvicorn. Needs valgrind (Debian: valgrind); read the
files kept with --keep with callgrind_annotate.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import run  # bench/run.py: the server definitions of families 1, 2 and 5
from benchlib import callgrind_count, free_port, log, machine
from browser_request import BROWSER_GET

HELLO = b'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
HELLO_CLOSE = (b'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'
               b'Connection: close\r\n\r\n')
KEEP, PER_CONN = 'keep-alive', 'per connection'


def self_costs(path):
    """{function: self instructions} from callgrind_annotate."""
    out = subprocess.run(['callgrind_annotate', '--inclusive=no', '--auto=no',
                          '--threshold=100', path], capture_output=True,
                         text=True, timeout=120).stdout
    costs = {}
    for line in out.splitlines():
        m = re.match(r'\s*([\d,]+) \([^)]*\)\s+(\S+)', line)
        if m and m.group(2) != 'PROGRAM':
            name = m.group(2).rsplit('/', 1)[-1]
            cost = int(m.group(1).replace(',', ''))
            costs[name] = costs.get(name, 0) + cost
    return costs


def top_functions(files, n, k):
    """The k functions that cost most per request (self cost, file:name)."""
    low, high = self_costs(files[0]), self_costs(files[1])
    per = sorted(((high.get(f, 0) - low.get(f, 0)) / (2 * n), f)
                 for f in set(low) | set(high))
    return per[::-1][:k]


def read_answer(sock):
    """Reads one response; returns (status, body). Without Content-Length
    the body runs to the end of the connection."""
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError('connection closed before the answer')
        data += chunk
    head, body = data.split(b'\r\n\r\n', 1)
    status = int(head.split(b' ', 2)[1])
    m = re.search(rb'(?i)\r\ncontent-length:\s*(\d+)', head)
    while m is None or len(body) < int(m.group(1)):
        chunk = sock.recv(65536)
        if not chunk:
            if m is None:
                break
            raise RuntimeError('connection closed in the body')
        body += chunk
    return status, body


def send_requests(port, request, n, per_connection):
    """n requests one after the other; a 200 answer expected to each. A
    server that closes the connection gets a new one."""
    sock = None
    try:
        for _ in range(n):
            if sock is None:
                sock = socket.create_connection(('127.0.0.1', port), 30)
            sock.sendall(request)
            status, body = read_answer(sock)
            if status != 200 or not body:
                raise RuntimeError('answer {} {!r}'.format(status,
                                                           body[:60]))
            if per_connection:
                sock.close()
                sock = None
    finally:
        if sock is not None:
            sock.close()


def count_once(row, n, out):
    name, argv, env = row['server']
    port = free_port()
    argv = [a.replace('{port}', str(port)) for a in argv]
    return callgrind_count(
        name, argv, env, run.APPS, port, out,
        lambda: send_requests(port, row['request'], n,
                              row['mode'] == PER_CONN))


def rows():
    """(rows, skipped). A row: label, interpreter, server (name, argv, env),
    request, mode, and the label of its raw baseline."""
    found = {}
    for name, argv, env in run.mpy_servers():
        found[name] = (name, argv, env)
    for name, argv, env, needs in run.http_servers():
        if run.have_venv(needs):
            env = dict(env, PYTHONHASHSEED='0')
            found['py ' + name] = (name, argv, env)
    mpy_raw, mpy_raw_pc = 'mpy raw asyncio', 'mpy raw asyncio, per conn.'
    py_raw, py_raw_close = 'py raw Protocol', 'py raw Protocol, close'
    py_starlette = 'py starlette uvicorn+httptools'
    table = [
        # label, server, request, mode, baseline
        (mpy_raw, 'mpy raw asyncio', HELLO, KEEP, mpy_raw),
        (mpy_raw_pc, 'mpy raw asyncio', HELLO, PER_CONN, mpy_raw_pc),
        ('mpy ours+_microdot.mpy', 'mpy ours+_microdot.mpy', HELLO, KEEP,
         mpy_raw),
        ('mpy ours pure', 'mpy ours pure', HELLO, KEEP, mpy_raw),
        ('mpy ours+_microdot.mpy, per conn.', 'mpy ours+_microdot.mpy',
         HELLO, PER_CONN, mpy_raw_pc),
        ('mpy upstream 2.7 (closes)', 'mpy upstream 2.7', HELLO, PER_CONN,
         mpy_raw_pc),
        ('mpy ours+_microdot.mpy, realistic', 'mpy ours+_microdot.mpy',
         BROWSER_GET, KEEP, mpy_raw),
        ('mpy ours pure, realistic', 'mpy ours pure', BROWSER_GET, KEEP,
         mpy_raw),
        (py_raw, 'py raw asyncio.Protocol', HELLO, KEEP, py_raw),
        (py_raw_close, 'py raw asyncio.Protocol', HELLO_CLOSE, PER_CONN,
         py_raw_close),
        ('py ours built-in', 'py ours built-in', HELLO, KEEP, py_raw),
        ('py ours built-in, close', 'py ours built-in', HELLO_CLOSE,
         PER_CONN, py_raw_close),
        ('py ours built-in, realistic', 'py ours built-in', BROWSER_GET,
         KEEP, py_raw),
        # under uvicorn the anchor is starlette on the same server; the
        # real server's count repeats only to about +-8 %
        (py_starlette, py_starlette, HELLO, KEEP, py_starlette),
        ('py ours uvicorn+httptools', 'py ours uvicorn+httptools', HELLO,
         KEEP, py_starlette),
    ]
    out, skipped = [], []
    for label, server, request, mode, baseline in table:
        if server not in found:
            skipped.append(label)
            continue
        out.append(dict(label=label, server=found[server], request=request,
                        mode=mode, baseline=baseline,
                        route='/' if request is not BROWSER_GET else
                        'realistic'))
    return out, skipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help='N=100 instead of 200 (start-up is most of '
                        'the time; MicroPython rows move by up to ~3 %%)')
    parser.add_argument('-n', type=int, help='N (requests of the short run)')
    parser.add_argument('--only', metavar='REGEX',
                        help='only the rows whose label matches')
    parser.add_argument('--top', type=int, default=0, metavar='K',
                        help='after each row, the K functions that cost '
                        'most per request (stderr)')
    parser.add_argument('--keep', action='store_true',
                        help='keep the callgrind files (build/bench/)')
    args = parser.parse_args()
    # a plain kill still stops the server under valgrind (finally clauses)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if shutil.which('valgrind') is None:
        sys.exit('bench: valgrind is needed (apt-get install valgrind)')
    n = args.n or (100 if args.quick else 200)
    os.makedirs(run.OUT, exist_ok=True)
    table, skipped = rows()
    if args.only:
        wanted = set(r['label'] for r in table
                     if re.search(args.only, r['label']))
        wanted |= set(r['baseline'] for r in table if r['label'] in wanted)
        table = [r for r in table if r['label'] in wanted]
    print('Instructions per request (callgrind, server process, N={} and '
          '{})'.format(n, 3 * n))
    print(machine())
    print()
    print('| server | request | connection | instructions/request '
          '| × baseline |')
    print('|---|---|---|---:|---:|')
    started = time.time()
    results = {}
    for row in table:
        slug = re.sub(r'[^a-z0-9]+', '-', row['label'].lower()).strip('-')
        files = [os.path.join(run.OUT, 'callgrind.{}.{}'.format(slug, k))
                 for k in (n, 3 * n)]
        cell, ratio = '', '-'
        try:
            low = count_once(row, n, files[0])
            high = count_once(row, 3 * n, files[1])
            per = (high - low) / (2 * n)
            results[row['label']] = per
            cell = '{:,.0f}'.format(per)
            base = results.get(row['baseline'])
            if base:
                ratio = '{:.2f}'.format(per / base)
            if args.top:
                for cost, name in top_functions(files, n, args.top):
                    log('    {:>9,.0f}  {}'.format(cost, name))
        except Exception as exc:  # report and go on with the others
            cell = 'failed: {}'.format(exc)
        if not args.keep:
            for path in files:
                if os.path.exists(path):
                    os.remove(path)
        print('| {} | {} | {} | {} | {} |'.format(
            row['label'], 'hello' if row['route'] == '/' else
            'realistic (526 B)', row['mode'], cell, ratio), flush=True)
    if skipped:
        print('\nskipped: ' + ', '.join(skipped))
    log('\nbench: {:.0f} s'.format(time.time() - started))


if __name__ == '__main__':
    main()

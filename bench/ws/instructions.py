#!/usr/bin/env python3
"""Server instructions per echoed message, counted by valgrind (callgrind):
a measure that the machine's load does not move, to complement the
throughputs of run.py on a shared machine.

    python3 bench/ws/instructions.py              # 1 KiB cells, every server
    python3 bench/ws/instructions.py --only 'ours|websockets' --cells 2
    python3 bench/ws/instructions.py --keep     # keep the callgrind files

Each server runs under callgrind twice, echoing N and then 3N messages of a
cell (client.run_count); the difference of the two totals divided by 2N is
the server's cost per message, start-up and shutdown cancelled out. Under
valgrind everything runs ~50x slower: the 64 KiB cell (--cells 2) takes
minutes for the servers that unmask in Python (upstream, ours pure). Needs
valgrind (Debian: valgrind). Read the files kept with --keep with
callgrind_annotate to see where the instructions go.
"""
import argparse
import os
import re
import shutil
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import client  # noqa: E402
import run  # noqa: E402  (it puts bench/ on sys.path)
from benchlib import callgrind_count  # noqa: E402

COUNTS = {1024: 200, 65536: 8}  # N per message size


def count_once(server, cell, n, out):
    return callgrind_count(
        server.name, server.argv, server.env, HERE, server.port, out,
        lambda: client.run_count(server.port, cell[1], cell[2], n))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--only', metavar='REGEX',
                        help='only the servers whose name matches')
    parser.add_argument('--cells', default='0,1',
                        help='indexes into run.CELLS (default 0,1: the 1 KiB '
                        'cells)')
    parser.add_argument('--keep', action='store_true')
    args = parser.parse_args()
    # a plain kill still stops the server under valgrind (finally clauses)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if shutil.which('valgrind') is None:
        sys.exit('bench/ws: valgrind is needed (apt-get install valgrind)')
    os.makedirs(run.OUT, exist_ok=True)
    upstream, upstream_mpy = run.setup()
    found, skipped = run.servers(upstream, upstream_mpy)
    if args.only:
        found = [s for s in found if re.search(args.only, s.name)]
    cells = [run.CELLS[int(i)] for i in args.cells.split(',')]
    print('| server | ' + ' | '.join(c[0] for c in cells) + ' |')
    print('|---|' + '---|' * len(cells))
    for server in found:
        row = []
        for cell in cells:
            n = COUNTS[cell[1]]
            n -= n % cell[2]
            files = [os.path.join(run.OUT, 'callgrind.{}.{}.{}'.format(
                re.sub(r'[^a-z0-9]+', '-', server.name.lower()), cell[1],
                k)) for k in (n, 3 * n)]
            try:
                low = count_once(server, cell, n, files[0])
                high = count_once(server, cell, 3 * n, files[1])
                row.append('{:,.0f}'.format((high - low) / (2 * n)))
            except Exception as exc:  # report and go on with the others
                row.append('failed: {}'.format(exc))
            if not args.keep:
                for path in files:
                    if os.path.exists(path):
                        os.remove(path)
        print('| {} | {} |'.format(server.name, ' | '.join(row)), flush=True)
    if skipped:
        print('\nskipped: ' + ', '.join(skipped))


if __name__ == '__main__':
    main()

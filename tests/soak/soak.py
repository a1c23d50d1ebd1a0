"""Soak: the built-in server under keep-alive load for a while; reports the
errors seen and the server's memory at the start and the end.

    python tests/soak/soak.py [--seconds 60] [--target cpython-cffi]
                              [--connections 16] [--client auto|wrk|python]

Targets are those of tests/python/servers.py (cpython-cffi, cpython-pure,
micropython-pure, micropython-c). Memory is the server process's RSS on
CPython, and gc.mem_alloc() after a gc.collect() (the app's /mem route) on
MicroPython. The load mixes GET, POST with a body, a 404, a JSON response and
a chunked request. Exits 1 when a request failed or the server died.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'python'))

from processes import http_get  # noqa: E402
from servers import Server  # noqa: E402

BODY = b'x' * 512
REQUESTS = [
    (b'GET / HTTP/1.1\r\nHost: x\r\n\r\n', 200),
    (b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 512\r\n\r\n' + BODY,
     200),
    (b'GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n', 404),
    (b'GET /client-addr HTTP/1.1\r\nHost: x\r\n\r\n', 200),
    (b'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'
     b'3\r\nabc\r\n0\r\n\r\n', 200),
]


def server_memory(server):
    """(kind, value): RSS in KiB on CPython, gc.mem_alloc() on MicroPython."""
    if server.target.startswith('micropython'):
        _, _, body = http_get(server.port, '/mem')
        return 'gc.mem_alloc bytes', json.loads(body)['alloc']
    with open('/proc/{}/status'.format(server.proc.pid)) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return 'RSS KiB', int(line.split()[1])
    return 'RSS KiB', None


def read_response(sock, buf):
    """Reads one Content-Length framed response; returns (status, rest)."""
    while b'\r\n\r\n' not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError('closed by the server')
        buf += chunk
    head, buf = buf.split(b'\r\n\r\n', 1)
    status = int(head.split(b' ', 2)[1])
    length = 0
    for line in head.split(b'\r\n')[1:]:
        name, _, value = line.partition(b':')
        if name.strip().lower() == b'content-length':
            length = int(value)
    while len(buf) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError('closed in a body')
        buf += chunk
    return status, buf[length:]


def python_client(port, seconds, connections):
    """Keep-alive connections, each sending the request mix in a loop."""
    stats = {'requests': 0, 'errors': 0, 'messages': []}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(n):
        done = errors = 0
        i = n
        sock = None
        buf = b''
        while time.monotonic() < deadline:
            try:
                if sock is None:
                    sock = socket.create_connection(('127.0.0.1', port), 10)
                    buf = b''
                data, want = REQUESTS[i % len(REQUESTS)]
                i += 1
                sock.sendall(data)
                status, buf = read_response(sock, buf)
                if status != want:
                    raise ValueError('status {} for {!r}'.format(
                        status, data[:30]))
                done += 1
            except Exception as exc:
                errors += 1
                with lock:
                    if len(stats['messages']) < 10:
                        stats['messages'].append(repr(exc))
                if sock is not None:
                    sock.close()
                sock = None
        if sock is not None:
            sock.close()
        with lock:
            stats['requests'] += done
            stats['errors'] += errors

    threads = [threading.Thread(target=worker, args=(n,))
               for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    return stats


def wrk_client(port, seconds, connections):
    """wrk with its own keep-alive connections (GET / only)."""
    proc = subprocess.run(
        ['wrk', '-t', '2', '-c', str(connections), '-d', '{}s'.format(
            int(seconds)), '--timeout', '10s',
         'http://127.0.0.1:{}/'.format(port)],
        capture_output=True, text=True, timeout=seconds + 60)
    out = proc.stdout
    requests = errors = 0
    messages = []
    for line in out.splitlines():
        line = line.strip()
        if 'requests in' in line:
            requests = int(line.split()[0])
        elif line.startswith('Socket errors:'):
            parts = line.replace(',', '').split()
            errors += sum(int(parts[i + 1]) for i in range(2, len(parts), 2))
            messages.append(line)
        elif line.startswith('Non-2xx or 3xx responses:'):
            errors += int(line.split()[-1])
            messages.append(line)
    if proc.returncode:
        errors += 1
        messages.append('wrk exited with {}: {}'.format(proc.returncode,
                                                        proc.stderr[-500:]))
    return {'requests': requests, 'errors': errors, 'messages': messages}


SOAK_APP = os.path.join(HERE, 'soak_app.py')


def soak(target='cpython-cffi', seconds=60, connections=16, client='auto'):
    if client == 'auto':
        client = 'wrk' if shutil.which('wrk') else 'python'
    server = Server(target, app=SOAK_APP).start()
    try:
        kind, before = server_memory(server)
        # a short warm-up, so the first figure is not the import cost
        python_client(server.port, min(2.0, seconds / 10), 2)
        kind, start = server_memory(server)
        run = wrk_client if client == 'wrk' else python_client
        stats = run(server.port, seconds, connections)
        kind, end = server_memory(server)
        alive = server.alive()
        report = {
            'target': target, 'client': client, 'seconds': seconds,
            'connections': connections, 'requests': stats['requests'],
            'errors': stats['errors'], 'messages': stats['messages'],
            'memory': kind, 'memory_at_launch': before,
            'memory_at_start': start, 'memory_at_end': end,
            'server_alive': alive,
        }
        if not alive:
            report['server_output'] = server.output()[-3000:]
        return report
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seconds', type=float, default=60)
    parser.add_argument('--target', default='cpython-cffi')
    parser.add_argument('--connections', type=int, default=16)
    parser.add_argument('--client', default='auto',
                        choices=['auto', 'wrk', 'python'])
    args = parser.parse_args()
    report = soak(args.target, args.seconds, args.connections, args.client)
    print(json.dumps(report, indent=1))
    ok = report['server_alive'] and not report['errors'] and \
        report['requests'] > 0
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()

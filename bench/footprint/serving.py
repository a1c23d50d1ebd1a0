"""Heap in use while a real server serves (bench/footprint/serving_app.py on
MicroPython, real sockets on 127.0.0.1), so that lazy imports and per
connection state are counted. Used by run.py; also runnable alone:

    python bench/footprint/serving.py [--heap 8M]

`measure(path, env)` returns bytes in use (gc.collect(); gc.mem_alloc(),
minus the reading before `import microdot`) at each step:

    import_microdot, import_websocket, import_server, app   (from the app)
    served      after the first GET / (its connection closed), read by a
                GET /mem on a new connection
    ws1, ws2    with one, then two WebSockets open (each has echoed a
                1000-byte text and a 1000-byte binary message)
    keepalive   and also one idle kept-alive HTTP connection
    after       every client gone again
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def micropython():
    here = os.path.join(os.path.dirname(sys.executable), 'micropython')
    return here if os.path.exists(here) else shutil.which('micropython')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _get(port, path, conn=None):
    own = conn is None
    if own:
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    conn.request('GET', path)
    res = conn.getresponse()
    body = res.read()
    if own:
        conn.close()
    return body


def _mem(port):
    time.sleep(0.1)  # let the server finish closing what the client closed
    return json.loads(_get(port, '/mem'))['alloc']


def _ws(port):
    from websockets.sync.client import connect
    ws = connect('ws://127.0.0.1:%d/echo' % port, open_timeout=10, close_timeout=5,
                 compression=None)
    for message in ('é' * 500, bytes(range(250)) * 4):
        ws.send(message)
        if ws.recv(timeout=10) != message:
            raise RuntimeError('echo mismatch')
    return ws


def measure(path, env_extra=None, heap='8M'):
    env = dict(os.environ)
    env.pop('MICRODOT_BACKEND', None)
    env.update(env_extra or {})
    env['MICROPYPATH'] = path + ':.frozen'
    port = free_port()
    proc = subprocess.Popen([micropython(), '-X', 'heapsize=' + heap,
                             os.path.join(HERE, 'serving_app.py'), str(port)],
                            cwd=HERE, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    values = {}
    clients = []
    try:
        for line in proc.stdout:
            key, _, value = line.strip().partition(' ')
            if key == 'listening':
                break
            if value.lstrip('-').isdigit():
                values[key] = int(value)
        start = time.time()
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                break
            except OSError:
                if proc.poll() is not None or time.time() > start + 20:
                    raise RuntimeError('the server did not start')
                time.sleep(0.05)
        if _get(port, '/') != b'Hello, world!':
            raise RuntimeError('GET / failed')
        values['served'] = _mem(port)
        clients.append(_ws(port))
        values['ws1'] = _mem(port)
        clients.append(_ws(port))
        values['ws2'] = _mem(port)
        keep = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        _get(port, '/', keep)
        clients.append(keep)
        values['keepalive'] = _mem(port)
        for c in clients:
            c.close()
        clients = []
        values['after'] = _mem(port)
        _get(port, '/shutdown')
        proc.wait(15)
    finally:
        for c in clients:
            c.close()
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)
        proc.stdout.close()
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--heap', default='8M')
    args = parser.parse_args()
    sys.path.insert(0, HERE)
    from run import our_bundle, upstream_bundle, native
    x64 = native('x64')
    ours = our_bundle()
    runs = [('upstream 2.7.0', upstream_bundle(), {}),
            ('ours, pure', ours, {'MICRODOT_BACKEND': 'pure'}),
            ('ours, C', ours + ':' + x64[2], {'MICRODOT_BACKEND': 'c'})]
    for name, path, env in runs:
        print(name, measure(path, env, args.heap))


if __name__ == '__main__':
    main()

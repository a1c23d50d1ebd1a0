"""Heap in use while a real server serves (bench/footprint/serving_app.py on
MicroPython, real sockets on 127.0.0.1), so that lazy imports and per
connection state are counted. Used by run.py, and by the deployment tests
that serve the same app on MicroPython (tests/mpy/deploy_smallheap.py,
deploy_romfs.py) to start and stop it; also runnable alone:

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
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
APP = os.path.join(HERE, 'serving_app.py')


def micropython():
    here = os.path.join(os.path.dirname(sys.executable), 'micropython')
    return here if os.path.exists(here) else shutil.which('micropython')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start(script, path, env_extra=None, heap='8M', cwd=HERE):
    """Starts `micropython -X heapsize=HEAP SCRIPT... PORT` with MICROPYPATH
    made of the path entries; returns (process, port). The process's output
    (stdout and stderr) is piped, as text."""
    env = dict(os.environ)
    env.pop('MICRODOT_BACKEND', None)
    env.update(env_extra or {})
    env['MICROPYPATH'] = ':'.join(path)
    port = free_port()
    proc = subprocess.Popen([micropython(), '-X', 'heapsize=%s' % heap] + script + [str(port)],
                            cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, errors='replace')
    return proc, port


def wait_listening(proc, port, timeout=20):
    deadline = time.time() + timeout
    while True:
        try:
            socket.create_connection(('127.0.0.1', port), 1).close()
            return
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError('the server did not start')
            time.sleep(0.05)


def stop(proc):
    """Kills the server if it still runs; returns the rest of its output."""
    if proc.poll() is None:
        proc.kill()
    proc.wait(5)
    log = proc.stdout.read()
    proc.stdout.close()
    return log


def get(port, path, conn=None):
    own = conn is None
    if own:
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    conn.request('GET', path)
    res = conn.getresponse()
    body = res.read()
    if own:
        conn.close()
    return res.status, body


def mem(port):
    time.sleep(0.1)  # let the server finish closing what the client closed
    return json.loads(get(port, '/mem')[1])['alloc']


def websocket(port):
    from websockets.sync.client import connect
    # kept open across readings, so not used as a context manager
    warnings.filterwarnings('ignore', r'connect\(\) must be used', DeprecationWarning)
    ws = connect('ws://127.0.0.1:%d/echo' % port, open_timeout=10, close_timeout=5,
                 compression=None)
    for message in ('é' * 500, bytes(range(250)) * 4):
        ws.send(message)
        if ws.recv(timeout=10) != message:
            raise RuntimeError('echo mismatch')
    return ws


def serve(values, script, path, env_extra=None, heap='8M', cwd=HERE):
    """Runs serving_app.py (script: how to start it) through the steps of
    the module docstring, adding to values the app's `key bytes` lines and
    the heap in use at each step, all minus `base`. Returns the server's
    exit code and the rest of its output; raises on a failed exchange."""
    proc, port = start(script, path, env_extra, heap, cwd)
    clients = []
    try:
        for line in proc.stdout:
            key, _, value = line.strip().partition(' ')
            if key == 'listening':
                break
            if value.lstrip('-').isdigit():
                values[key] = int(value)
        wait_listening(proc, port)
        if get(port, '/') != (200, b'Hello, world!'):
            raise RuntimeError('GET / failed')
        values['served'] = mem(port) - values['base']
        clients.append(websocket(port))
        values['ws1'] = mem(port) - values['base']
        clients.append(websocket(port))
        values['ws2'] = mem(port) - values['base']
        keep = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        get(port, '/', keep)
        clients.append(keep)
        values['keepalive'] = mem(port) - values['base']
        for c in clients:
            c.close()
        clients = []
        values['after'] = mem(port) - values['base']
        get(port, '/shutdown')
        code = proc.wait(15)
    finally:
        for c in clients:
            c.close()
        log = stop(proc)
    return code, log


def measure(path, env_extra=None, heap='8M'):
    values = {}
    serve(values, [APP], [path, '.frozen'], env_extra, heap)
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

"""What MicroPython's built-in server keeps out of a board's heap
(python/microdot/microdot.py, _server.py): serving plain responses on a
real socket loads neither microdot.helpers, the reason phrases
(microdot._reasons) nor the responses module (microdot._respond); the router
is compiled when the server starts, before the first request; request.g's
class is made once, on first use; shutdown() stops the server through the
callable the server leaves in app._stop; and a 404 (HTTPException) or a bad
request head still gets its reason phrase, loading the modules then."""
import http.client
import json
import os
import socket
import subprocess
import time

import pytest

from servers import REPO, free_port, micropython_command, natmod_dir

APP = '''
import sys
from microdot import Microdot, abort

app = Microdot()
routers = []


@app.route('/')
async def index(req):
    return 'Hello, world!'


@app.route('/state')
async def state(req):
    req.g.one = 1
    again = type(req.g)
    return {'modules': sorted(m for m in sys.modules
                              if m.startswith('microdot')),
            'router_at_start': routers[0],
            'g_class_shared': again is type(req.g) and req.g.one == 1}


@app.route('/gone')
async def gone(req):
    abort(410)


@app.route('/shutdown')
async def shutdown(req):
    req.app.shutdown()
    return 'bye'


async def main():
    import asyncio
    task = asyncio.create_task(app.start_server(host='127.0.0.1',
                                                port=int(sys.argv[1])))
    await asyncio.sleep(0)
    routers.append(app._router is not None)
    await task
    print('stopped', app._stop is None)


import asyncio
asyncio.run(main())
'''


def mpy_env(backend):
    path = [str(REPO / 'python'), '.frozen']
    if backend == 'c':
        found = natmod_dir()
        if found is None:
            pytest.skip('_microdot.mpy is not built')
        path.insert(0, str(found))
    return dict(os.environ, MICROPYPATH=':'.join(path),
                MICRODOT_BACKEND=backend)


def connect(proc, port):
    deadline = time.monotonic() + 20
    while True:
        try:
            conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
            conn.connect()
            return conn
        except OSError:
            conn.close()
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)


def get(conn, path):
    conn.request('GET', path)
    reply = conn.getresponse()
    return reply.status, reply.reason, reply.read()


@pytest.mark.parametrize('backend', ['pure', 'c'])
def test_plain_serving_loads_less(tmp_path, backend):
    script = tmp_path / 'app.py'
    script.write_text(APP)
    port = free_port()
    proc = subprocess.Popen([micropython_command(), str(script), str(port)],
                            env=mpy_env(backend), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        conn = connect(proc, port)
        assert get(conn, '/') == (200, 'OK', b'Hello, world!')
        status, _, body = get(conn, '/state')
        assert status == 200
        data = json.loads(body)
        for lazy in ('microdot.helpers', 'microdot._reasons',
                     'microdot._respond'):
            assert lazy not in data['modules']
        assert 'microdot._server' in data['modules']
        assert data['router_at_start'] is True
        assert data['g_class_shared'] is True
        # the phrase table comes when a status needs it
        assert get(conn, '/gone')[:2] == (410, 'Gone')
        status, _, body = get(conn, '/state')
        assert 'microdot._reasons' in json.loads(body)['modules']
        conn.close()

        # a refused head: its status (here 505) found again by _respond
        with socket.create_connection(('127.0.0.1', port), 10) as raw:
            raw.sendall(b'GET / HTTP/2.0\r\nHost: x\r\n\r\n')
            answer = b''
            while b'\r\n\r\n' not in answer:
                chunk = raw.recv(4096)
                if not chunk:
                    break
                answer += chunk
        assert answer.startswith(b'HTTP/1.1 505 HTTP Version Not Supported'
                                 b'\r\n'), answer[:80]

        conn = connect(proc, port)
        assert get(conn, '/shutdown')[0] == 200
        conn.close()
        assert proc.wait(15) == 0
        assert 'stopped True' in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        proc.stdout.close()

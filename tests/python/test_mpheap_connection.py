"""What a connection keeps on MicroPython's heap (python/microdot/_server.py):
the connection coroutine's frame, the largest block a connection holds for
its whole life (and which every new connection needs in one piece), stays
within 17 GC blocks of the 64-bit unix port; and the client's address is
made only when a request asks for it, then read from the connection."""
import http.client
import json
import os
import subprocess
import time

import pytest

from servers import REPO, free_port, micropython_command, natmod_dir

SOURCE = REPO / 'python'

FRAME_SCRIPT = '''
import gc
from microdot import Microdot
import microdot._server as server


class Conn:
    registry = None


def frame_size(app, conn):
    # (in a function: a new global would grow the module's dict)
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    coro = server._serve_socket(app, conn)
    size = gc.mem_alloc() - before
    gc.enable()
    return size, coro


print('frame', frame_size(Microdot(), Conn())[0])
'''

ADDR_APP = '''
import sys
from microdot import Microdot

app = Microdot()


@app.route('/addr')
async def addr(req):
    conn = req.sock[0]
    before = ['client_addr' in req.__dict__, 'client_addr' in conn.__dict__]
    host, port = req.client_addr
    return {'before': before, 'kept': 'client_addr' in conn.__dict__,
            'same': req.client_addr is conn.client_addr,
            'host': host, 'port': port}


@app.route('/shutdown')
async def shutdown(req):
    req.app.shutdown()
    return 'bye'


app.run(host='127.0.0.1', port=int(sys.argv[1]))
'''


def mpy_env(backend):
    path = [str(SOURCE), '.frozen']
    if backend == 'c':
        found = natmod_dir()
        if found is None:
            pytest.skip('_microdot.mpy is not built')
        path.insert(0, str(found))
    env = dict(os.environ, MICROPYPATH=':'.join(path),
               MICRODOT_BACKEND=backend)
    return env


def test_connection_frame_fits_17_blocks(tmp_path):
    script = tmp_path / 'frame.py'
    script.write_text(FRAME_SCRIPT)
    out = subprocess.run([micropython_command(), str(script)],
                         env=mpy_env('pure'), capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    size = int(out.stdout.split()[-1])
    # 17 blocks of 32 bytes (it was 22: 704 bytes)
    assert 0 < size <= 17 * 32


@pytest.mark.parametrize('backend', ['pure', 'c'])
def test_client_addr_made_when_read(tmp_path, backend):
    script = tmp_path / 'addr_app.py'
    script.write_text(ADDR_APP)
    port = free_port()
    proc = subprocess.Popen([micropython_command(), str(script), str(port)],
                            env=mpy_env(backend), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                conn = http.client.HTTPConnection('127.0.0.1', port,
                                                  timeout=10)
                conn.connect()
                break
            except OSError:
                conn.close()
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        local_port = conn.sock.getsockname()[1]
        for _ in range(2):  # a new connection, then a kept-alive one
            conn.request('GET', '/addr')
            reply = conn.getresponse()
            assert reply.status == 200
            data = json.loads(reply.read())
            assert data['host'] == '127.0.0.1'
            assert data['port'] == local_port
            assert data['kept'] and data['same']
            # neither the request nor (on the first) the connection had it
            assert data['before'][0] is False
        conn.request('GET', '/shutdown')
        conn.getresponse().read()
        conn.close()
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)

"""What MicroPython's WebSocket echo path allocates per message, besides the
message: the bytes gc.mem_alloc() grows by over 200 echoed one-character
messages with the collector off, on the built-in server (unix port, C
binding and pure backend). Every allocation per message fragments a small
heap, where the next message needs a block of its own. ws.send() makes no
coroutine when the frame went out whole (it returns an awaitable that is
already done): 704 -> 480 bytes per message with the C binding.
Deterministic: the same operations allocate the same blocks."""
import os
import socket
import subprocess
import time
import urllib.request

import pytest

from test_core_micropython import micropython, mpy_env, NATMOD

ws_client = pytest.importorskip('websockets.sync.client')

# an upper bound per backend (measured: _microdot 480, pure 832; the pure
# backend's UTF-8 decoding is not this module's)
BOUND = {'c': 544, 'pure': 960}

APP = r'''
import gc
import sys
from microdot import Microdot
from microdot.websocket import with_websocket

app = Microdot()
count = [0, 0]


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        message = await ws.receive()
        count[0] += 1
        if count[0] == 20:
            gc.collect()
            gc.disable()
            count[1] = gc.mem_alloc()
        elif count[0] == 220:
            used = gc.mem_alloc() - count[1]
            gc.enable()
            print('per message', used // 200)
        await ws.send(message)


@app.route('/shutdown')
async def shutdown(request):
    request.app.shutdown()
    return 'bye'

app.run(host='127.0.0.1', port=int(sys.argv[1]))
'''


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.parametrize('backend', ['c', 'pure'])
def test_echo_allocations_per_message(backend, tmp_path):
    env = mpy_env(backend)
    if backend == 'c':
        if not os.path.exists(os.path.join(NATMOD, '_microdot.mpy')):
            pytest.skip('build/natmod/x64/_microdot.mpy is not built')
        env['MICROPYPATH'] = NATMOD + ':' + env['MICROPYPATH']
    script = tmp_path / 'echo_app.py'
    script.write_text(APP)
    port = free_port()
    proc = subprocess.Popen([micropython(), '-X', 'heapsize=4M', str(script),
                             str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                break
            except OSError:
                time.sleep(0.05)
        with ws_client.connect('ws://127.0.0.1:%d/echo' % port,
                               open_timeout=10) as ws:
            for _ in range(230):
                ws.send('x')
                assert ws.recv(timeout=10) == 'x'
        urllib.request.urlopen('http://127.0.0.1:%d/shutdown' % port,
                               timeout=10).read()
        output = proc.communicate(timeout=20)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    lines = [line for line in output.split('\n')
             if line.startswith('per message ')]
    assert lines, output
    assert int(lines[0].split()[-1]) <= BOUND[backend], output

"""MicroPython's WebSocket keeps its frame reader (a FrameReader and its
payload buffer, made for a fragmented message or a frame bigger than a
receive buffer) only while a message or frame is half done: once the
message is out, the reader is dropped and the next messages go through the
fast path again. (Before, a WebSocket kept the reader, and its buffer, for
good after its first fragmented message.)"""
import os
import socket
import subprocess
import time

import pytest

from test_core_micropython import micropython, mpy_env, NATMOD

ws_client = pytest.importorskip('websockets.sync.client')

APP = r'''
import sys
from microdot import Microdot
from microdot.websocket import with_websocket

app = Microdot()


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        message = await ws.receive()
        await ws.send(message)
        await ws.send('reader kept: %s' % (ws.frames is not None))

app.run(host='127.0.0.1', port=int(sys.argv[1]))
'''


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.parametrize('backend', ['c', 'pure'])
def test_reader_dropped_after_a_fragmented_message(backend, tmp_path):
    env = mpy_env(backend)
    if backend == 'c':
        if not os.path.exists(os.path.join(NATMOD, '_microdot.mpy')):
            pytest.skip('build/natmod/x64/_microdot.mpy is not built')
        env['MICROPYPATH'] = NATMOD + ':' + env['MICROPYPATH']
    script = tmp_path / 'echo_app.py'
    script.write_text(APP)
    port = free_port()
    proc = subprocess.Popen([micropython(), str(script), str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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
            ws.send('whole')
            assert ws.recv(timeout=10) == 'whole'
            assert ws.recv(timeout=10) == 'reader kept: False'
            ws.send(['frag', 'men', 'ted'])
            assert ws.recv(timeout=10) == 'fragmented'
            assert ws.recv(timeout=10) == 'reader kept: False'
            ws.send([b'\x00', b'\xff'])
            assert ws.recv(timeout=10) == b'\x00\xff'
            assert ws.recv(timeout=10) == 'reader kept: False'
            ws.send(b'\x01' * 5000)  # (bigger than a receive buffer)
            assert ws.recv(timeout=10) == b'\x01' * 5000
            assert ws.recv(timeout=10) == 'reader kept: False'
            ws.send('again')
            assert ws.recv(timeout=10) == 'again'
            assert ws.recv(timeout=10) == 'reader kept: False'
    finally:
        proc.kill()
        proc.communicate()

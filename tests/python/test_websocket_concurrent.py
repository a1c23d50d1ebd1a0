"""A WebSocket written by two tasks at once while a third reads it, on the
MicroPython unix port (pure backend and _microdot.mpy) and on CPython: the
MicroPython path joins each frame in the receive buffer's free space, so
frames written while a read is pending or while unparsed frames wait in
that buffer must still come out whole and in order."""
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ws_client = pytest.importorskip('websockets.sync.client')

REPO = Path(__file__).resolve().parents[2]
NATMOD = REPO / 'build' / 'natmod' / 'x64'
TICKS = 150

APP = '''
import asyncio
import sys
from microdot import Microdot
from microdot.websocket import with_websocket

app = Microdot()


@app.route('/ws')
@with_websocket
async def ws(request, ws):
    async def ticker():
        for i in range(%d):
            await ws.send('tick %%d ' %% i + 'x' * (i * 37 %% 3000))
            await asyncio.sleep(0.002)

    task = asyncio.create_task(ticker())
    while True:
        message = await ws.receive()
        if message == 'bye':
            await task
            await ws.send('done')
            continue
        await ws.send(message)


app.run(host='127.0.0.1', port=int(sys.argv[1]))
''' % TICKS


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def command(kind):
    if kind == 'cpython':
        return [sys.executable], {'PYTHONPATH': str(REPO / 'python')}
    exe = Path(sys.executable).parent / 'micropython'
    if not exe.exists():
        pytest.skip('micropython is not installed')
    path = [str(REPO / 'python')]
    if kind == 'micropython-c':
        if not (NATMOD / '_microdot.mpy').exists():
            pytest.skip('build/natmod/x64/_microdot.mpy is not built')
        path.append(str(NATMOD))
    return [str(exe)], {'MICROPYPATH': ':'.join(path + ['.frozen']),
                        'MICRODOT_BACKEND': 'c' if kind == 'micropython-c' else 'pure'}


@pytest.fixture(params=['cpython', 'micropython', 'micropython-c'])
def port(request, tmp_path):
    argv, env = command(request.param)
    app = tmp_path / 'concurrent_app.py'
    app.write_text(APP)
    port = free_port()
    proc = subprocess.Popen(argv + [str(app), str(port)], cwd=str(tmp_path),
                            env=dict(os.environ, **env), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(proc.stdout.read().decode())
                time.sleep(0.05)
        yield port
    finally:
        proc.kill()
        proc.wait(10)
        proc.stdout.close()


def test_ticks_and_echoes_interleave_whole(port):
    rng = random.Random(6)
    sent = []
    with ws_client.connect('ws://127.0.0.1:%d/ws' % port, open_timeout=10,
                           close_timeout=5, max_size=None,
                           compression=None) as ws:
        for burst in range(60):
            time.sleep(0.005)  # while the ticks go out
            for _ in range(rng.randint(1, 6)):  # several frames in flight
                n = rng.choice([0, 1, 100, 1000, 2020, 2040, 3000, 9000])
                message = rng.randbytes(n) if rng.random() < 0.5 else \
                    ''.join(chr(rng.randint(32, 0x7ff)) for _ in range(n // 2))
                ws.send(message)
                sent.append(message)
        ws.send('bye')
        ticks, echoes = [], []
        while True:
            message = ws.recv(20)
            if message == 'done':
                break
            if isinstance(message, str) and message.startswith('tick '):
                ticks.append(message)
            else:
                echoes.append(message)
    assert ticks == ['tick %d ' % i + 'x' * (i * 37 % 3000) for i in range(TICKS)]
    assert len(echoes) == len(sent)
    for got, want in zip(echoes, sent):
        assert got == want

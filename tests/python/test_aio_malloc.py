"""The built-in server (CPython) keeps freed memory for its next reads: a
WebSocket echoing 64 KiB messages must not page-fault on every message
(glibc's defaults can map and give back asyncio's 256 KiB read buffers at
every read, depending on the heap's layout: ~30 faults per message)."""
import base64
import os
import socket
import subprocess
import sys
import time

import pytest

from servers import free_port

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'python')

APP = '''
import sys
from microdot import Microdot
from microdot.websocket import with_websocket

app = Microdot()

@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())

app.run(host='127.0.0.1', port=int(sys.argv[1]))
'''

SIZE = 64 * 1024
MASK = b'\x11\x22\x33\x44'


def minor_faults(pid):
    with open('/proc/{}/stat'.format(pid)) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[7])  # minflt, the 10th field of the whole line


def masked_frame(payload):
    body = bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))
    return b'\x82\xff' + len(payload).to_bytes(8, 'big') + MASK + body


def recv_exactly(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, 'connection closed'
        data += chunk
    return bytes(data)


def echo(sock, frame, payload):
    sock.sendall(frame)
    head = recv_exactly(sock, 10)
    assert head[:2] == b'\x82\x7f'
    assert recv_exactly(sock, int.from_bytes(head[2:], 'big')) == payload


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='/proc')
def test_large_websocket_messages_do_not_fault_on_every_read():
    port = free_port()
    server = subprocess.Popen([sys.executable, '-c', APP, str(port)],
                              env=dict(os.environ, PYTHONPATH=PYTHON_DIR))
    try:
        deadline = time.time() + 10
        while True:
            try:
                sock = socket.create_connection(('127.0.0.1', port), 5)
                break
            except OSError:
                assert time.time() < deadline and server.poll() is None
                time.sleep(0.05)
        key = base64.b64encode(os.urandom(16))
        sock.sendall(b'GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'
                     b'Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n'
                     b'Sec-WebSocket-Key: ' + key + b'\r\n\r\n')
        answer = b''
        while b'\r\n\r\n' not in answer:
            answer += sock.recv(4096)
        assert answer.startswith(b'HTTP/1.1 101')
        payload = os.urandom(SIZE)
        frame = masked_frame(payload)
        for _ in range(50):  # warm-up: the heap grows to its working size
            echo(sock, frame, payload)
        before = minor_faults(server.pid)
        for _ in range(300):
            echo(sock, frame, payload)
        faults = minor_faults(server.pid) - before
        sock.close()
        # the server copies 300 x 128 KiB: about 9,000 faults when each
        # read maps fresh pages, none when the heap is reused
        assert faults < 300, faults
    finally:
        server.kill()
        server.wait(10)

"""MicroPython's built-in server hands an accepted WebSocket over to a task
of its own (python/microdot/websocket.py, _detached): the connection's
request loop (_serve_socket), dispatch_request and the decorator's coroutine
end instead of keeping their frames for the WebSocket's life. The handler
then runs in the connection's task (conn.task, what shutdown and the idle
sweeper cancel), the connection stays in the server's registry until the
WebSocket ends, and shutdown still ends an open WebSocket. With an
after_request handler the WebSocket stays in the request's task (the
handler runs once the WebSocket is over, as before)."""
import json
import subprocess
import time

import pytest

pytestmark = pytest.mark.filterwarnings(
    'ignore:connect\\(\\) must be used:DeprecationWarning')

from servers import free_port, micropython_command
from test_mpheap_connection import mpy_env

APP = '''
import sys
import asyncio
from microdot import Microdot
from microdot.websocket import with_websocket

app = Microdot()
after = []
if sys.argv[2] == 'after':
    @app.after_request
    def note(req, res):
        after.append(req.path)
        return res


@app.before_request
def remember(req):
    req.g.task = asyncio.current_task()


@app.route('/ws')
@with_websocket
async def ws(req, ws):
    conn = req.sock[0]
    while True:
        msg = await ws.receive()
        if msg == 'info':
            me = asyncio.current_task()
            await ws.send('{"same": %s, "first_done": %s, "conn_task": %s, '
                          '"registered": %s, "after": %d}' % (
                              'true' if me is req.g.task else 'false',
                              'true' if req.g.task.done() else 'false',
                              'true' if conn.task is me else 'false',
                              'true' if conn in conn.registry else 'false',
                              len(after)))
        else:
            await ws.send(msg)


@app.route('/after')
async def count(req):
    return str(len(after))


@app.route('/shutdown')
async def shutdown(req):
    req.app.shutdown()
    return 'bye'


app.run(host='127.0.0.1', port=int(sys.argv[1]))
'''


def start(tmp_path, backend, mode):
    script = tmp_path / 'app.py'
    script.write_text(APP)
    port = free_port()
    proc = subprocess.Popen([micropython_command(), str(script), str(port),
                             mode], env=mpy_env(backend),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    from websockets.sync.client import connect
    while True:
        try:
            return proc, port, connect('ws://127.0.0.1:%d/ws' % port,
                                       open_timeout=10, close_timeout=5)
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.05)


def get(port, path):
    import http.client
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    conn.request('GET', path)
    body = conn.getresponse().read().decode()
    conn.close()
    return body


@pytest.mark.parametrize('backend', ['pure', 'c'])
def test_websocket_runs_in_its_own_task(tmp_path, backend):
    proc, port, ws = start(tmp_path, backend, 'plain')
    try:
        ws.send('x' * 1000)
        assert ws.recv(timeout=10) == 'x' * 1000
        ws.send('info')
        info = json.loads(ws.recv(timeout=10))
        # the request's task (the connection's loop) is over
        assert info == {'same': False, 'first_done': True,
                        'conn_task': True, 'registered': True, 'after': 0}
        ws.send(b'\x00\xff')
        assert ws.recv(timeout=10) == b'\x00\xff'
        # shutdown ends the open WebSocket (cancels its task) and the server
        assert get(port, '/shutdown') == 'bye'
        assert proc.wait(15) == 0
        with pytest.raises(Exception):
            ws.recv(timeout=10)
    finally:
        ws.close()
        if proc.poll() is None:
            proc.kill()
        out = proc.communicate(timeout=10)[0].decode()
    assert 'Traceback' not in out


@pytest.mark.parametrize('backend', ['pure', 'c'])
def test_after_request_keeps_request_task(tmp_path, backend):
    proc, port, ws = start(tmp_path, backend, 'after')
    try:
        ws.send('info')
        info = json.loads(ws.recv(timeout=10))
        assert info['same'] is True and info['first_done'] is False
        assert info['after'] == 0
        ws.close()
        # the after_request handler ran once the WebSocket was over; the
        # connection closed and left the registry
        time.sleep(0.2)
        # (/ws's; /after's own runs after its answer is made)
        assert get(port, '/after') == '1'
    finally:
        ws.close()
        if proc.poll() is None:
            get(port, '/shutdown')
            proc.wait(15)

"""The façade on MicroPython's unix port: tests/mpy/core_runner.py with the
pure backend and with the _microdot native module, and examples/hello/hello.py
served to a real client."""
import os
import socket
import subprocess

import pytest

from processes import start_server, stop
from servers import Conn, free_port, micropython_command as micropython

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
NATMOD = os.path.join(REPO, 'build', 'natmod', 'x64')
TIMEOUT = 60


def mpy_env(backend):
    env = dict(os.environ)
    env['MICROPYPATH'] = os.path.join(REPO, 'python') + ':.frozen'
    env['MICRODOT_BACKEND'] = backend
    return env


@pytest.mark.parametrize('backend', ['pure', 'c'])
def test_core_runner(backend):
    command = [micropython(), os.path.join(REPO, 'tests', 'mpy',
                                           'core_runner.py')]
    if backend == 'c':
        if not os.path.exists(os.path.join(NATMOD, '_microdot.mpy')):
            pytest.skip('build/natmod/x64/_microdot.mpy is not built')
        command.append(NATMOD)
    result = subprocess.run(command, cwd=REPO, env=mpy_env(backend),
                            capture_output=True, text=True, timeout=TIMEOUT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert 'backend: ' + backend in output
    assert ' 0 failed' in output


@pytest.mark.parametrize('backend', ['pure', 'c'])
def test_hello_example_on_micropython(backend):
    env = mpy_env(backend)
    if backend == 'c':
        if not os.path.exists(os.path.join(NATMOD, '_microdot.mpy')):
            pytest.skip('build/natmod/x64/_microdot.mpy is not built')
        env['MICROPYPATH'] = NATMOD + ':' + env['MICROPYPATH']
    port = free_port()
    proc = start_server([micropython(), os.path.join('examples', 'hello', 'hello.py'), str(port)],
                        env, port, cwd=REPO)
    try:
        with Conn(socket.create_connection(('127.0.0.1', port), 10)) as conn:
            for _ in range(3):  # keep-alive: three requests, one connection
                conn.send(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
                reply = conn.read_reply()
                assert reply.status_line.startswith('HTTP/1.1 200 OK')
                assert reply.body == b'Hello, world!'
            conn.send(b'GET /missing HTTP/1.1\r\nHost: x\r\n\r\n'
                      b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')  # pipelined
            assert conn.read_reply().status_line.startswith('HTTP/1.1 404')
            assert conn.read_reply().body == b'Hello, world!'
            conn.send(b'GET /shutdown HTTP/1.0\r\n\r\n')
            assert conn.read_reply().status_line.startswith('HTTP/1.0 200 OK')
        assert proc.wait(15) == 0  # run() returned after shutdown()
    finally:
        stop(proc)

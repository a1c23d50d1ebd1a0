"""The façade on MicroPython's unix port: tests/mpy/core_runner.py with the
pure backend and with the _microdot native module, and examples/hello/hello.py
served to a real client."""
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
NATMOD = os.path.join(REPO, 'build', 'natmod', 'x64')
TIMEOUT = 60


def micropython():
    here = os.path.join(os.path.dirname(sys.executable), 'micropython')
    found = here if os.path.exists(here) else shutil.which('micropython')
    if not found:
        pytest.skip('micropython is not installed')
    return found


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


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def read_response(sock, buf):
    while b'\r\n\r\n' not in buf:
        data = sock.recv(4096)
        if not data:
            raise EOFError('closed')
        buf += data
    head, buf = buf.split(b'\r\n\r\n', 1)
    length = 0
    for line in head.split(b'\r\n')[1:]:
        name, value = line.split(b':', 1)
        if name.strip().lower() == b'content-length':
            length = int(value)
    while len(buf) < length:
        data = sock.recv(4096)
        if not data:
            raise EOFError('closed')
        buf += data
    return head.decode(), buf[:length], buf[length:]


@pytest.mark.parametrize('backend', ['pure', 'c'])
def test_hello_example_on_micropython(backend):
    env = mpy_env(backend)
    if backend == 'c':
        if not os.path.exists(os.path.join(NATMOD, '_microdot.mpy')):
            pytest.skip('build/natmod/x64/_microdot.mpy is not built')
        env['MICROPYPATH'] = NATMOD + ':' + env['MICROPYPATH']
    port = free_port()
    proc = subprocess.Popen(
        [micropython(), os.path.join('examples', 'hello', 'hello.py'),
         str(port)], cwd=REPO, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 20
        while True:
            try:
                sock = socket.create_connection(('127.0.0.1', port), 1)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError('hello.py did not start')
                time.sleep(0.05)
        sock.settimeout(10)
        buf = b''
        for _ in range(3):  # keep-alive: three requests, one connection
            sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
            head, body, buf = read_response(sock, buf)
            assert head.startswith('HTTP/1.1 200 OK')
            assert body == b'Hello, world!'
        sock.sendall(b'GET /missing HTTP/1.1\r\nHost: x\r\n\r\n'
                     b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')  # pipelined
        head, body, buf = read_response(sock, buf)
        assert head.startswith('HTTP/1.1 404')
        head, body, buf = read_response(sock, buf)
        assert body == b'Hello, world!'
        sock.sendall(b'GET /shutdown HTTP/1.0\r\n\r\n')
        head, body, buf = read_response(sock, buf)
        assert head.startswith('HTTP/1.0 200 OK')
        sock.close()
        assert proc.wait(15) == 0  # run() returned after shutdown()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        proc.stdout.close()

"""The built-in CPython server under asyncio.eager_task_factory (Python
3.12+), which runs a new task's first step inside create_task: a fresh
connection whose first request is not answered from data_received (a
response with headers, a streamed body, a request body, a waiting handler)
must still get every response, in order.

The venv may be older than 3.12: the scenario then runs in a 3.12+
interpreter found on the machine (pure backend), or the test is skipped."""
import asyncio
import glob
import os
import socket
import subprocess

try:
    import pytest
except ImportError:  # (run as a script by a newer Python: see the test)
    pytest = None

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
IO_TIMEOUT = 5

CASES = [
    (b'GET /headed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
     [b'headed']),
    (b'GET /headed HTTP/1.1\r\nHost: x\r\n\r\n'
     b'GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
     [b'headed', b'plain']),
    (b'GET /gen HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
     [b'3\r\nabc\r\n0\r\n\r\n']),
    (b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n'
     b'Connection: close\r\n\r\nbody', [b'body']),
    (b'GET /sleep HTTP/1.1\r\nHost: x\r\n\r\n'
     b'GET /headed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
     [b'slept', b'headed']),
    (b'GET /plain HTTP/1.1\r\nHost: x\r\n\r\n'
     b'GET /headed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
     [b'plain', b'headed']),
]


def make_app():
    from microdot import Microdot
    app = Microdot()

    @app.get('/headed')
    async def headed(req):
        return 'headed', 200, {'X-Review': '1'}

    @app.get('/plain')
    async def plain(req):
        return 'plain'

    @app.get('/gen')
    async def gen(req):
        async def pieces():
            yield b'abc'
        return pieces()

    @app.post('/echo')
    async def echo(req):
        return req.body

    @app.get('/sleep')
    async def sleep(req):
        await asyncio.sleep(0.01)
        return 'slept'

    return app


def exchange(port, data):
    with socket.create_connection(('127.0.0.1', port),
                                  timeout=IO_TIMEOUT) as sock:
        sock.sendall(data)
        received = b''
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                return received + b'<no more, connection still open>'
            if not chunk:
                return received
            received += chunk


def bodies(data):
    """The bodies of the responses in ``data`` (Content-Length or the raw
    chunked rest), in order."""
    found = []
    while data.startswith(b'HTTP/1.1 200 OK\r\n'):
        head, _, rest = data.partition(b'\r\n\r\n')
        length = None
        for line in head.split(b'\r\n'):
            if line.lower().startswith(b'content-length:'):
                length = int(line.split(b':')[1])
        if length is None:
            found.append(rest)
            return found
        found.append(rest[:length])
        data = rest[length:]
    if data:
        found.append(data)
    return found


def scenario():
    """Serves CASES under the eager task factory; returns their bodies."""
    app = make_app()
    results = []

    async def main():
        loop = asyncio.get_running_loop()
        loop.set_task_factory(asyncio.eager_task_factory)
        serving = asyncio.ensure_future(app.start_server(host='127.0.0.1',
                                                         port=0))
        while app.server is None:
            await asyncio.sleep(0.01)
        port = app.server.sockets[0].getsockname()[1]
        for data, _ in CASES:
            results.append(bodies(await loop.run_in_executor(
                None, exchange, port, data)))
        app.shutdown()
        await serving

    asyncio.run(main())
    return results


def newer_python():
    found = sorted(glob.glob(os.path.expanduser(
        '~/.pyenv/versions/3.1[2-9]*/bin/python3')))
    return found[-1] if found else None


def test_fresh_connections_under_an_eager_task_factory():
    if hasattr(asyncio, 'eager_task_factory'):
        results = scenario()
    else:
        python = newer_python()
        if python is None:
            pytest.skip('needs Python 3.12+ (asyncio.eager_task_factory)')
        env = dict(os.environ, MICRODOT_BACKEND='pure',
                   PYTHONPATH=os.path.join(REPO, 'python'))
        out = subprocess.run([python, os.path.abspath(__file__)], env=env,
                             capture_output=True, timeout=60)
        assert out.returncode == 0, out.stderr.decode()[-3000:]
        results = eval(out.stdout.decode().strip().splitlines()[-1])
    assert results == [expected for _, expected in CASES]


if __name__ == '__main__':
    print(repr(scenario()))

"""The 1.x names that need a server (CPython): microdot_websocket (blocking
handlers), microdot_asyncio_websocket, microdot_wsgi, microdot_asgi and
microdot_ssl, each running its 1.x documentation example."""
import asyncio
import os
import ssl
import subprocess
import sys
import threading

import httpx
import pytest
from websockets.sync.client import connect as ws_connect

from servers import REPO, free_port

try:
    import microdot_asyncio  # noqa: F401
except ImportError:  # the 1.x modules are not installed: use the tree's
    sys.path.append(str(REPO / 'python'))


class ThreadServer:
    """Runs app.start_server() on a loop in a thread."""

    def __init__(self, app, ssl_context=None):
        self.app = app
        self.port = free_port()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.ssl = ssl_context
        self.thread.start()
        scheme = 'https' if ssl_context else 'http'
        self.url = '{}://127.0.0.1:{}'.format(scheme, self.port)
        for _ in range(200):
            try:
                httpx.get(self.url + '/ping', verify=False, timeout=1)
                return
            except httpx.TransportError:
                threading.Event().wait(0.05)
        raise RuntimeError('server did not start')

    def _run(self):
        asyncio.run(self.app.start_server(host='127.0.0.1', port=self.port,
                                          ssl=self.ssl))

    def stop(self):
        self.app.shutdown()
        try:
            httpx.get(self.url + '/ping', verify=False, timeout=2)
        except httpx.TransportError:
            pass
        self.thread.join(10)
        assert not self.thread.is_alive(), 'the server did not stop'


def add_ping(app):
    @app.route('/ping')
    def ping(request):
        return 'pong'


def test_blocking_websocket_handler():
    from microdot import Microdot
    from microdot_websocket import with_websocket

    app = Microdot()
    add_ping(app)

    @app.route('/echo')
    @with_websocket
    def echo(request, ws):
        while True:
            message = ws.receive()
            ws.send(message)

    server = ThreadServer(app)
    try:
        with ws_connect('ws://127.0.0.1:{}/echo'.format(server.port),
                        open_timeout=10, close_timeout=5) as ws:
            for message in ('hello', 'ünïcode', b'\x00\x01binary'):
                ws.send(message)
                assert ws.recv(timeout=10) == message
    finally:
        server.stop()


def test_async_websocket_handler():
    from microdot_asyncio import Microdot
    from microdot_asyncio_websocket import with_websocket

    app = Microdot()
    add_ping(app)

    @app.route('/echo')
    @with_websocket
    async def echo(request, ws):
        while True:
            message = await ws.receive()
            await ws.send(message)

    server = ThreadServer(app)
    try:
        with ws_connect('ws://127.0.0.1:{}/echo'.format(server.port),
                        open_timeout=10, close_timeout=5) as ws:
            ws.send('async hello')
            assert ws.recv(timeout=10) == 'async hello'
    finally:
        server.stop()


def test_wsgi_example():
    from microdot_wsgi import Microdot

    app = Microdot()

    @app.route('/')
    def index(req):
        return 'Hello, World!'

    with httpx.Client(transport=httpx.WSGITransport(app=app),
                      base_url='http://test') as client:
        res = client.get('/')
    assert res.status_code == 200
    assert res.text == 'Hello, World!'


def test_asgi_example():
    from microdot_asgi import Microdot

    app = Microdot()

    @app.route('/')
    async def index(req):
        return 'Hello, World!'

    async def main():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url='http://test') as client:
            return await client.get('/')

    res = asyncio.run(main())
    assert res.status_code == 200
    assert res.text == 'Hello, World!'


@pytest.fixture
def certificate(tmp_path):
    cert, key = tmp_path / 'cert.pem', tmp_path / 'key.pem'
    result = subprocess.run(
        ['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
         '-keyout', str(key), '-out', str(cert), '-days', '1',
         '-subj', '/CN=127.0.0.1'], capture_output=True, timeout=60)
    if result.returncode != 0:
        pytest.skip('openssl could not make a certificate')
    return str(cert), str(key)


def test_ssl_example(certificate):
    from microdot import Microdot
    from microdot_ssl import create_ssl_context

    app = Microdot()
    add_ping(app)

    @app.route('/')
    def index(req):
        return 'Hello, World!'

    sslctx = create_ssl_context(*certificate)
    assert isinstance(sslctx, ssl.SSLContext)
    server = ThreadServer(app, sslctx)
    try:
        res = httpx.get(server.url + '/', verify=False, timeout=10)
        assert res.status_code == 200
        assert res.text == 'Hello, World!'
        assert res.url.scheme == 'https'
    finally:
        server.stop()


def test_1x_modules_import_without_side_effects():
    env = dict(os.environ, PYTHONPATH=str(REPO / 'python'))
    code = ('import microdot_asyncio, microdot_utemplate, microdot_jinja, '
            'microdot_session, microdot_cors, microdot_websocket, '
            'microdot_asyncio_websocket, microdot_asgi_websocket, '
            'microdot_test_client, microdot_asyncio_test_client, '
            'microdot_wsgi, microdot_asgi, microdot_ssl; print("ok")')
    fetched = subprocess.run(['bash', str(REPO / 'tests' / 'fetch_utemplate.sh')],
                             capture_output=True, text=True, timeout=300)
    assert fetched.returncode == 0, fetched.stderr
    env['PYTHONPATH'] += os.pathsep + fetched.stdout.strip().splitlines()[-1]
    result = subprocess.run([sys.executable, '-c', code], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == 'ok', result.stderr

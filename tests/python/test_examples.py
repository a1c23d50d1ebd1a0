"""Every example in examples/ loads and answers its routes, so none rots.

Two layers:
- test_example_smoke runs for every .py file under examples/ (new examples
  are picked up with no change here): it imports the module and, when it
  defines ``app``, requests each GET route without URL arguments through the
  protocol the app speaks (ASGI apps through ASGI, WSGI apps through WSGI,
  others through microdot.test_client's in-memory connection, which is the
  built-in server's request loop). Streams are read up to the response head.
- the test_<example> functions check what each example does.

The examples of the application extensions (sessions, login, auth, csrf,
cors, uploads, templates) also have behaviour tests in
test_session_examples.py.
"""
import asyncio
import binascii
import gzip
import importlib.util
import io
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from microdot import Request, Response
from microdot.test_client import MemoryConnection, TestClient

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / 'examples'
TIMEOUT = 10  # seconds for any one wait


def example_files():
    files = []
    for path in sorted(EXAMPLES.rglob('*.py')):
        parts = path.relative_to(EXAMPLES).parts
        if 'templates' in parts[1:-1]:
            continue  # templates compiled to Python by utemplate
        files.append('/'.join(parts))
    return files


# Files that cannot be imported by a test, and why.
NOT_IMPORTABLE = {}


# -- loading examples -----------------------------------------------------------

@pytest.fixture
def load(monkeypatch):
    """load('dir/file.py') imports an example as its own directory's script
    would run: that directory is the working directory and on sys.path.
    Class-wide settings the examples change, and their sibling modules, are
    undone afterwards."""
    saved = (Response.default_content_type, Request.max_content_length,
             Request.max_body_length, Response.default_send_file_max_age)
    template_globals = _template_globals()
    modules = set(sys.modules)

    def _load(relative):
        path = EXAMPLES / relative
        monkeypatch.chdir(path.parent)
        monkeypatch.syspath_prepend(str(path.parent))
        if relative.startswith('templates/utemplate/'):
            _need_utemplate()
        name = 'example_' + relative[:-3].replace('/', '_')
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module

    yield _load
    (Response.default_content_type, Request.max_content_length,
     Request.max_body_length, Response.default_send_file_max_age) = saved
    _restore_template_globals(template_globals)
    for name in set(sys.modules) - modules:
        if name.startswith('example_') or _is_example(sys.modules[name]):
            del sys.modules[name]


def _is_example(module):
    path = getattr(module, '__file__', None) or ''
    return path.startswith(str(EXAMPLES)) or \
        path.startswith('templates') or module.__name__ == 'templates'


def _template_globals():
    found = {}
    for name, attr in (('microdot.jinja', '_jinja_env'),
                       ('microdot.utemplate', '_loader')):
        if name in sys.modules:
            found[name, attr] = getattr(sys.modules[name], attr)
    return found


def _restore_template_globals(found):
    for (name, attr), value in found.items():
        setattr(sys.modules[name], attr, value)
    for name, attr in (('microdot.jinja', '_jinja_env'),
                       ('microdot.utemplate', '_loader')):
        if name in sys.modules and (name, attr) not in found:
            setattr(sys.modules[name], attr, None)


def _need_utemplate():
    try:
        import test_templates
        test_templates._find_utemplate()
    except Exception as exc:  # pragma: no cover
        pytest.skip('utemplate is not available ({}); tests/'
                    'fetch_utemplate.sh fetches it'.format(exc))


def run(coro):
    return asyncio.run(coro)


# -- talking to apps ------------------------------------------------------------

async def stream_until(app, path, done, headers=None):
    """Sends a GET through the built-in request loop and returns the bytes
    written once ``done(output)`` is true; then hangs up, as a browser
    leaving a streaming page does."""
    client = TestClient(app)
    conn = MemoryConnection(client.build_request('GET', path, headers),
                            eof=False)
    task = asyncio.ensure_future(client.run(None, conn))
    try:
        for _ in range(TIMEOUT * 20):
            if done(conn.output) or task.done():
                break
            await asyncio.sleep(0.05)
        output = bytes(conn.output)
    finally:
        await hang_up(conn, task)
    return output


async def hang_up(conn, task):
    """Closes a test connection. A stream whose handler is waiting notices
    only at its next write, so the serving task is cancelled after a
    moment (asyncio.wait_for does that)."""
    conn.close()
    conn.feed_eof()
    try:
        await asyncio.wait_for(task, 1)
    except asyncio.TimeoutError:
        pass


def head_complete(output):
    return b'\r\n\r\n' in output


async def get_status(app, path):
    """The status code of a GET, read from the response head."""
    output = await stream_until(app, path, head_complete)
    assert head_complete(output), 'no response to GET ' + path
    assert output.startswith(b'HTTP/1.1 '), output[:100]
    return int(output.split(b' ', 2)[1])


def asgi_scope(method, path, headers=None, kind='http'):
    path, _, query = path.partition('?')
    return {'type': kind, 'asgi': {'version': '3.0'}, 'http_version': '1.1',
            'method': method, 'scheme': 'http' if kind == 'http' else 'ws',
            'path': path, 'raw_path': path.encode(),
            'query_string': query.encode(), 'root_path': '',
            'headers': [(k.lower().encode(), v.encode())
                        for k, v in (headers or {}).items()],
            'client': ('127.0.0.1', 40000), 'server': ('127.0.0.1', 8000)}


async def asgi_request(app, method, path, body=b'', headers=None,
                       whole=True):
    """Calls an ASGI app; returns (status, headers dict, body). With
    ``whole=False`` it disconnects after the response starts."""
    sent = []
    started = asyncio.Event()
    finished = asyncio.Event()
    requested = [False]

    async def receive():
        if not requested[0]:
            requested[0] = True
            return {'type': 'http.request', 'body': body, 'more_body': False}
        await finished.wait()
        return {'type': 'http.disconnect'}

    async def send(message):
        sent.append(message)
        if message['type'] == 'http.response.start':
            started.set()
        if message['type'] == 'http.response.body' and \
                not message.get('more_body', False):
            finished.set()

    task = asyncio.ensure_future(app(asgi_scope(method, path, headers),
                                     receive, send))
    await asyncio.wait_for((finished if whole else started).wait(), TIMEOUT)
    finished.set()
    await asyncio.wait_for(task, TIMEOUT)
    start = sent[0]
    return (start['status'],
            {k.decode().lower(): v.decode() for k, v in start['headers']},
            b''.join(m.get('body', b'') for m in sent[1:]))


def wsgi_request(app, method, path, body=b'', headers=None, whole=True):
    """Calls a WSGI app; returns (status, headers dict, body)."""
    from wsgiref.util import setup_testing_defaults
    path, _, query = path.partition('?')
    environ = {'REQUEST_METHOD': method, 'PATH_INFO': path,
               'QUERY_STRING': query, 'wsgi.input': io.BytesIO(body),
               'CONTENT_LENGTH': str(len(body)),
               'SERVER_SOFTWARE': 'wsgi-test/1.0'}
    for name, value in (headers or {}).items():
        key = name.upper().replace('-', '_')
        if key not in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
            key = 'HTTP_' + key
        environ[key] = value
    setup_testing_defaults(environ)
    started = []

    def start_response(status, response_headers, exc_info=None):
        started.append((int(status.split()[0]),
                        {k.lower(): v for k, v in response_headers}))

    result = app(environ, start_response)
    chunks = []
    try:
        for chunk in result:
            chunks.append(chunk)
            if not whole:
                break
    finally:
        if hasattr(result, 'close'):
            result.close()
    return started[0][0], started[0][1], b''.join(chunks)


def app_kind(app):
    from microdot import asgi, wsgi
    if isinstance(app, asgi.Microdot):
        return 'asgi'
    if isinstance(app, wsgi.Microdot):
        return 'wsgi'
    return 'builtin'


def plain_get_routes(app):
    paths = []
    for route in app.url_map:
        pattern = route.pattern.url_pattern
        if 'GET' in route.methods and '<' not in pattern and \
                pattern not in paths:
            paths.append(pattern)
    return paths


# -- every example ----------------------------------------------------------------

@pytest.mark.parametrize('relative', example_files())
def test_example_smoke(relative, load):
    if relative in NOT_IMPORTABLE:
        pytest.skip(NOT_IMPORTABLE[relative])
    module = load(relative)
    app = getattr(module, 'app', None)
    if app is None:
        return  # a helper module of an example: importing it is the test
    paths = [p for p in plain_get_routes(app) if 'shutdown' not in p]
    kind = app_kind(app)
    for path in paths:
        if kind == 'asgi':
            status = run(asgi_request(app, 'GET', path, whole=False))[0]
        elif kind == 'wsgi':
            status = wsgi_request(app, 'GET', path, whole=False)[0]
        else:
            status = run(get_status(app, path))
        # 500 means the handler failed; 501/503 are answers an app may give
        assert status != 500, '{} GET {} -> 500'.format(relative, path)


def test_every_example_directory_has_a_test():
    tested = {'hello', 'async', 'static', 'streaming', 'subapps', 'gpio',
              'demo', 'websocket', 'sse', 'asgi', 'wsgi', 'tls'}
    # tested in test_session_examples.py
    tested |= {'sessions', 'login', 'auth', 'csrf', 'cors', 'uploads',
               'templates'}
    found = {p.name for p in EXAMPLES.iterdir() if p.is_dir()}
    assert found - tested == set(), 'examples without a behaviour test'


# -- hello ----------------------------------------------------------------------

def test_hello(load):
    app = load('hello/hello.py').app
    res = run(TestClient(app).get('/'))
    assert (res.status_code, res.text) == (200, 'Hello, world!')


def test_hello_asgi(load):
    module = load('hello/hello_asgi.py')
    app = module.app

    async def main():
        messages = [{'type': 'lifespan.startup'},
                    {'type': 'lifespan.shutdown'}]
        sent = []

        async def receive():
            return messages.pop(0)

        async def send(message):
            sent.append(message['type'])
            if message['type'] == 'lifespan.startup.complete':
                status, _, body = await asgi_request(app, 'GET', '/server')
                assert json.loads(body) == {
                    'asgi': '3.0', 'http_version': '1.1', 'started': True}

        await app({'type': 'lifespan', 'asgi': {'version': '3.0'}},
                  receive, send)
        assert sent == ['lifespan.startup.complete',
                        'lifespan.shutdown.complete']
        assert module.started == []
        status, headers, body = await asgi_request(app, 'GET', '/')
        assert (status, body) == (200, b'Hello, world!')
        assert headers['content-type'].startswith('text/plain')
        assert (await asgi_request(app, 'GET', '/nope'))[0] == 404
    run(main())


def test_hello_wsgi(load):
    app = load('hello/hello_wsgi.py').app
    assert wsgi_request(app, 'GET', '/')[::2] == (200, b'Hello, world!')
    status, headers, body = wsgi_request(app, 'GET', '/server')
    assert json.loads(body) == {'server_software': 'wsgi-test/1.0',
                                'wsgi_version': [1, 0]}
    assert headers['content-type'].startswith('application/json')
    assert wsgi_request(app, 'POST', '/')[0] == 405


def serve_and_get(command, port, path):
    """Starts a server command, GETs ``path`` once it listens, stops it;
    returns the raw response."""
    env = dict(os.environ, PYTHONPATH=str(REPO / 'python'))
    server = subprocess.Popen(command, cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + TIMEOUT * 2
        while True:
            try:
                with socket.create_connection(('127.0.0.1', port),
                                              timeout=TIMEOUT) as s:
                    s.sendall('GET {} HTTP/1.1\r\nHost: x\r\nConnection: '
                              'close\r\n\r\n'.format(path).encode())
                    data = b''
                    while True:
                        chunk = s.recv(4096)
                        if not chunk:
                            return data
                        data += chunk
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        try:
            server.wait(TIMEOUT)
        except subprocess.TimeoutExpired:  # pragma: no cover
            server.kill()
            server.wait(TIMEOUT)


def test_hello_asgi_on_uvicorn():
    pytest.importorskip('uvicorn')
    port = free_port()
    data = serve_and_get(
        [sys.executable, '-m', 'uvicorn', '--app-dir', 'examples/hello',
         '--port', str(port), '--lifespan', 'on', 'hello_asgi:app'],
        port, '/server')
    assert data.startswith(b'HTTP/1.1 200 ')
    assert json.loads(data.split(b'\r\n\r\n', 1)[1]) == {
        'asgi': '3.0', 'http_version': '1.1', 'started': True}


def test_hello_wsgi_on_gunicorn():
    pytest.importorskip('gunicorn')
    port = free_port()
    data = serve_and_get(
        [sys.executable, '-m', 'gunicorn', '--chdir', 'examples/hello',
         '-b', '127.0.0.1:{}'.format(port), 'hello_wsgi:app'], port, '/')
    assert data.startswith(b'HTTP/1.1 200 ')
    assert data.endswith(b'\r\n\r\nHello, world!')


# -- async ------------------------------------------------------------------------

def test_async_routes(load):
    module = load('async/sensor.py')
    client = TestClient(module.app)

    async def main():
        assert (await client.get('/')).status_code == 503
        module.sample()
        module.sample()
        res = await client.get('/')
        assert '°C at t=' in res.text and '(2 readings)' in res.text
        readings = (await client.get('/readings')).json
        assert len(readings) == 2
        assert readings[0]['value'] == module.read_sensor(readings[0]['t'])
        assert (await client.get('/wait?s=0')).text == 'waited 0.0 s'
        assert (await client.get('/wait?s=11')).status_code == 400
        res = await client.get('/together')
        assert res.json == {'finished': ['a', 'b', 'c']}
    run(main())


def test_async_server_and_task_share_the_loop(load):
    # main() serves HTTP while its sampling task keeps running.
    module = load('async/sensor.py')
    port = free_port()

    async def http_get(path):
        reader, writer = await asyncio.open_connection('127.0.0.1', port)
        writer.write('GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
                     '\r\n'.format(path).encode())
        data = await asyncio.wait_for(reader.read(), TIMEOUT)
        writer.close()
        return data

    async def main():
        server = asyncio.ensure_future(module.main(port))
        try:
            for _ in range(TIMEOUT * 10):
                try:
                    data = await http_get('/readings')
                    if len(json.loads(data.split(b'\r\n\r\n', 1)[1])) >= 2:
                        break
                except OSError:
                    pass
                await asyncio.sleep(0.1)
            assert len(json.loads(data.split(b'\r\n\r\n', 1)[1])) >= 2
        finally:
            module.app.shutdown()
            await asyncio.wait_for(server, TIMEOUT)
    run(main())


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


# -- static -------------------------------------------------------------------

def test_static_gzip_variants_match_their_files():
    directory = EXAMPLES / 'static' / 'static'
    variants = sorted(directory.glob('*.gz'))
    assert [v.name for v in variants] == ['app.js.gz', 'style.css.gz']
    for variant in variants:
        original = variant.with_suffix('')
        assert gzip.decompress(variant.read_bytes()) == \
            original.read_bytes(), \
            '{} is stale: run examples/static/compress.py'.format(variant)


def test_static_example(load):
    app = load('static/static_files.py').app
    client = TestClient(app)
    css = (EXAMPLES / 'static' / 'static' / 'style.css').read_bytes()

    async def main():
        res = await client.get('/')
        assert res.headers['Content-Type'].startswith('text/html')
        assert b'/static/app.js' in res.body
        res = await client.get('/static/style.css',
                               headers={'Accept-Encoding': 'gzip, br'})
        assert res.headers['Content-Encoding'] == 'gzip'
        assert res.headers['Content-Type'].startswith('text/css')
        assert res.headers['Vary'] == 'Accept-Encoding'
        assert res.headers['Cache-Control'] == 'max-age=86400'
        assert gzip.decompress(res.body) == css
        assert int(res.headers['Content-Length']) == len(res.body)
        res = await client.get('/static/style.css')
        assert 'Content-Encoding' not in res.headers
        assert res.body == css
        res = await client.get('/static/style.css',
                               headers={'Accept-Encoding': 'gzipx'})
        assert res.body == css
        res = await client.get('/static/app.js',
                               headers={'Accept-Encoding': 'gzip'})
        assert res.headers['Content-Type'].startswith(
            'application/javascript')
        assert b'script-status' in gzip.decompress(res.body)
        for bad in ('/static/../static_files.py', '/static/nope.css',
                    '/static/%2e%2e/static_files.py'):
            assert (await client.get(bad)).status_code == 404, bad
    run(main())


# -- streaming ------------------------------------------------------------------

def png_pixels(data):
    """Checks a PNG's structure and CRCs; returns its decoded pixel rows."""
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    pos, idat, size = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        payload = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack('>I', data[pos + 8 + length:pos + 12 + length])
        assert crc == binascii.crc32(kind + payload) & 0xffffffff
        if kind == b'IHDR':
            size = struct.unpack('>II', payload[:8])
        elif kind == b'IDAT':
            idat += payload
        pos += 12 + length
    raw = zlib.decompress(idat)
    width, height = size
    assert len(raw) == (width + 1) * height
    return raw


def test_streaming_example(load):
    app = load('streaming/stream.py').app
    client = TestClient(app)

    async def main():
        res = await client.get('/stream?frames=3&fps=25')
        assert res.headers['Content-Type'] == \
            'multipart/x-mixed-replace; boundary=frame'
        parts = res.body.split(b'--frame\r\n')
        assert parts[0] == b'' and len(parts) == 4
        frames = []
        for part in parts[1:]:
            head, image = part.split(b'\r\n\r\n', 1)
            assert image.endswith(b'\r\n')
            image = image[:-2]
            assert b'Content-Type: image/png' in head
            assert ('Content-Length: ' + str(len(image))).encode() in head
            frames.append(png_pixels(image))
        assert frames[0] != frames[1] != frames[2]  # the bar moves
        res = await client.get('/frame.png')
        assert res.headers['Content-Type'] == 'image/png'
        png_pixels(res.body)
        for bad in ('fps=0', 'fps=26', 'frames=0'):
            res = await client.get('/stream?' + bad)
            assert res.status_code == 400, bad
        # without frames= the stream goes on until the client leaves
        output = await stream_until(
            app, '/stream?fps=25', lambda out: out.count(b'--frame') >= 3)
        assert output.count(b'--frame') >= 3
    run(main())


# -- subapps ----------------------------------------------------------------------

def test_subapps_example(load):
    app = load('subapps/main.py').app
    client = TestClient(app)
    token = {'Authorization': 'Bearer orders-secret'}

    async def main():
        res = await client.get('/customers/')
        assert [c['name'] for c in res.json] == ['Ada', 'Grace']
        assert res.headers['X-Served-By'] == 'subapps example'
        assert (await client.get('/customers/2')).json['name'] == 'Grace'
        assert (await client.get('/customers/7')).status_code == 404
        res = await client.get('/orders/')  # local before-request handler
        assert res.status_code == 401
        assert res.headers['X-Served-By'] == 'subapps example'
        res = await client.get('/orders/?customer=1', headers=token)
        assert [o['id'] for o in res.json] == [1]
        assert (await client.get('/orders/2', headers=token)).json[
            'item'] == 'compiler manual'
        assert (await client.get('/', headers=token)).json['orders'] == \
            '/orders/'
    run(main())


# -- gpio ---------------------------------------------------------------------

def test_gpio_example_with_simulated_pins(load):
    module = load('gpio/gpio.py')
    assert module.SIMULATED  # no machine module here
    client = TestClient(module.app)

    async def main():
        res = await client.get('/')
        assert 'LED is <span id="led">off' in res.text
        assert 'simulated pins' in res.text and 'released' in res.text
        assert (await client.post('/api/led', json={'on': True})).json == \
            {'led': 1, 'button': 1}
        assert module.led.value() == 1
        assert (await client.post('/api/led')).json['led'] == 0  # toggle
        res = await client.post('/led/toggle')
        assert (res.status_code, res.headers['Location']) == (303, '/')
        assert (await client.get('/api/pins')).json['led'] == 1
        for bad in ({'on': 1}, [True], {'off': True}):
            res = await client.post('/api/led', json=bad)
            assert res.status_code == 400, bad
        module.button.value(0)
        assert 'pressed' in (await client.get('/')).text
    run(main())


# -- demo ------------------------------------------------------------------------

MULTIPART = 'multipart/form-data; boundary=XyZ'


def multipart_body(fields, files):
    body = b''
    for name, value in fields.items():
        body += ('--XyZ\r\nContent-Disposition: form-data; name="{}"\r\n\r\n'
                 '{}\r\n').format(name, value).encode()
    for name, (filename, content_type, data) in files.items():
        body += ('--XyZ\r\nContent-Disposition: form-data; name="{}"; '
                 'filename="{}"\r\nContent-Type: {}\r\n\r\n').format(
            name, filename, content_type).encode() + data + b'\r\n'
    return body + b'--XyZ--\r\n'


@pytest.fixture
def demo(load):
    return load('demo/app.py')


def test_demo_pages(demo):
    client = TestClient(demo.app)

    async def main():
        res = await client.get('/')
        assert res.headers['Content-Type'] == 'text/html; charset=UTF-8'
        for marker in ('id="counter"', 'id="increment"', '>resistor</a>',
                       'id="engine">jinja<', 'id="nav-login"'):
            assert marker in res.text, marker
        assert 'id="messages"' in (await client.get('/chat')).text
        assert 'No files yet' in (await client.get('/uploads')).text
        res = await client.get('/static/demo.js')
        assert res.headers['Content-Type'].startswith('application/javascript')
        assert res.headers['Cache-Control'] == 'max-age=3600'
        assert b"new EventSource('/events')" in res.body
        for bad in ('/static/../app.py', '/static/missing.css', '/nope'):
            assert (await client.get(bad)).status_code == 404, bad
    run(main())


def test_demo_plain_pages_match_the_templates(demo):
    # The MicroPython pages (no Jinja) have the elements the script and the
    # browser tests use.
    from pages import render

    class User:
        name = 'a<b'

    for name, ids, context in (
            ('index', ['counter', 'increment', 'items'],
             {'counter': 7, 'items': [{'id': 1, 'name': '<x>'}]}),
            ('chat', ['messages', 'message', 'send', 'chat-status'], {}),
            ('uploads', ['files', 'file', 'upload', 'upload-message'],
             {'files': [{'id': 3, 'name': 'n<', 'description': 'd',
                         'size': 5, 'sha256': 'ab' * 32}],
              'message': 'Saved', 'error': False, 'max_kb': 1, 'keep': 2}),
            ('login', ['username', 'password', 'sign-in', 'login-error'],
             {'next': '/a b', 'error': 'no'}),
            ('account', ['account-user', 'sign-out'], {'fresh': True})):
        for engine in ('jinja', 'plain'):
            html = render(name, 'T', user=User(), engine=engine, **context)
            for element_id in ids + ['backend', 'nav-user']:
                assert 'id="{}"'.format(element_id) in html, \
                    (name, engine, element_id)
            assert 'a<b' not in html and '<x>' not in html
            assert 'id="engine">' + engine in html
    html = render('login', 'T', engine='plain', next='/a b', error=None)
    assert 'action="/login?next=/a%20b"' in html


def test_demo_api(demo):
    client = TestClient(demo.app)

    async def main():
        assert [i['name'] for i in (await client.get('/api/items')).json] \
            == ['resistor', 'capacitor']
        res = await client.post('/api/items', json={'name': ' diode '})
        assert (res.status_code, res.json['name']) == (201, 'diode')
        new_id = res.json['id']
        assert (await client.get('/api/items/{}'.format(new_id))).json == \
            {'id': new_id, 'name': 'diode'}
        res = await client.delete('/api/items/{}'.format(new_id))
        assert res.status_code == 204
        res = await client.get('/api/items/{}'.format(new_id))
        assert res.status_code == 404 and 'error' in res.json
        for bad in ({}, {'name': ''}, {'name': 'x' * 81}, {'name': 3}, [1]):
            res = await client.post('/api/items', json=bad)
            assert res.status_code == 400 and 'error' in res.json, bad
        res = await client.post('/api/items', body='{"name": ',
                                headers={'Content-Type': 'application/json'})
        assert (res.status_code, res.json) == (400, {'error': 'bad request'})
        start = (await client.get('/api/counter')).json['value']
        assert (await client.post('/api/counter')).json['value'] == start + 1
        res = await client.post('/api/counter', json={'add': -3})
        assert res.json['value'] == start - 2
        for bad in (101, 'x', True, 1.5):
            res = await client.post('/api/counter', json={'add': bad})
            assert res.status_code == 400, bad
        info = (await client.get('/api/info')).json
        assert info['implementation'] == sys.implementation.name
        assert info['backend'] in ('cffi', 'pure')
    run(main())


def test_demo_login_and_sessions(demo):
    client = TestClient(demo.app)

    async def main():
        res = await client.get('/account')
        assert res.headers['Location'] == '/login?next=/account'
        res = await client.post('/login?next=/account', data={
            'username': 'susan', 'password': 'wrong'})
        assert res.status_code == 401 and 'id="login-error"' in res.text
        assert 'session' not in client.cookies
        res = await client.post('/login?next=/account', data={
            'username': 'susan', 'password': 'hello'})
        assert res.headers['Location'] == '/account'
        assert 'session' in client.cookies
        res = await client.get('/account')
        assert 'id="account-user">susan<' in res.text
        assert 'id="nav-user"' in (await client.get('/')).text
        # the session is a signed cookie: a modified one is no session
        good = client.cookies['session']
        client.cookies['session'] = good[:-2] + ('AA' if good[-2:] != 'AA'
                                                 else 'BB')
        assert (await client.get('/account')).status_code == 302
        client.cookies['session'] = good
        await client.post('/logout')
        assert (await client.get('/account')).status_code == 302
        # "remember me" logs the user back in without the session
        await client.post('/login', data={'username': 'joe',
                                          'password': 'bye', 'remember': '1'})
        del client.cookies['session']
        res = await client.get('/account')
        assert 'joe' in res.text and '(remembered)' in res.text
    run(main())


def test_demo_rejects_cross_site_posts(demo):
    client = TestClient(demo.app)

    async def main():
        res = await client.post('/login', data={
            'username': 'susan', 'password': 'hello'},
            headers={'Origin': 'https://evil.example'})
        assert res.status_code == 403
        res = await client.post('/login', data={
            'username': 'susan', 'password': 'hello'},
            headers={'Origin': 'http://localhost'})
        assert res.status_code == 302
    run(main())


def test_demo_uploads(demo):
    client = TestClient(demo.app)
    data = bytes(range(256)) * 40

    async def main():
        res = await client.post('/uploads', headers={
            'Content-Type': MULTIPART}, body=multipart_body(
                {'description': 'all <bytes>'},
                {'file': ('../up/b.bin', 'application/x-evil', data)}))
        assert res.status_code == 302
        location = res.headers['Location']
        res = await client.get(location)
        assert 'id="upload-message"' in res.text
        assert '>b.bin</a>' in res.text and '10240 bytes' in res.text
        assert 'all &lt;bytes&gt;' in res.text
        upload = demo.uploads[0]
        assert upload['sha256'] == __import__('hashlib').sha256(
            data).hexdigest()
        res = await client.get('/uploads/{}'.format(upload['id']))
        assert res.body == data
        assert res.headers['Content-Type'] == 'application/octet-stream'
        assert res.headers['Content-Disposition'] == 'attachment'
        assert res.headers['X-Content-Type-Options'] == 'nosniff'
        await client.post('/uploads', headers={'Content-Type': MULTIPART},
                          body=multipart_body({}, {'file': (
                              'a.txt', 'text/plain', b'hello')}))
        res = await client.get('/uploads/{}'.format(demo.uploads[0]['id']))
        assert (res.body, res.headers['Content-Type']) == (b'hello',
                                                           'text/plain')
        assert (await client.get('/uploads/999')).status_code == 404
        res = await client.post('/uploads', headers={
            'Content-Type': MULTIPART}, body=multipart_body({'x': 'y'}, {}))
        assert res.status_code == 400 and 'Choose a file' in res.text
        big = b'x' * (demo.MAX_UPLOAD + 1)
        res = await client.post('/uploads', headers={
            'Content-Type': MULTIPART}, body=multipart_body({}, {'file': (
                'big', 'text/plain', big)}))
        assert res.status_code == 413
        for i in range(demo.KEEP_UPLOADS + 2):
            await client.post('/uploads', headers={
                'Content-Type': MULTIPART}, body=multipart_body({}, {'file': (
                    'f{}.txt'.format(i), 'text/plain', b'.')}))
        assert len(demo.uploads) == demo.KEEP_UPLOADS
        assert demo.uploads[0]['name'] == 'f{}.txt'.format(
            demo.KEEP_UPLOADS + 1)
    run(main())


def sse_events(output):
    body = output.split(b'\r\n\r\n', 1)[1]
    events = []
    for block in body.split(b'\n\n'):
        lines = [line.split(b'\r\n')[-1] for line in block.split(b'\n')]
        fields = dict(line.split(b': ', 1) for line in lines if b': ' in line)
        if b'data' in fields:
            events.append((fields.get(b'event'), json.loads(fields[b'data'])))
    return events


def test_demo_live_counter(demo):
    # Each change reaches an open event stream (a stream sends the latest
    # value, so the test waits for each before making the next).
    app = demo.app

    async def main():
        client = TestClient(app)
        conn = MemoryConnection(client.build_request('GET', '/events'),
                                eof=False)
        task = asyncio.ensure_future(client.run(None, conn))

        async def events(count):
            for _ in range(TIMEOUT * 20):
                if bytes(conn.output).count(b'event: counter') >= count:
                    return sse_events(bytes(conn.output))
                await asyncio.sleep(0.05)
            raise AssertionError('no event {}: {}'.format(count, conn.output))

        try:
            start = (await events(1))[0][1]['value']
            assert start == demo.counter.value
            await client.post('/api/counter', json={'add': 2})
            assert (await events(2))[1] == (b'counter', {'value': start + 2})
            await client.post('/api/counter')
            assert (await events(3))[2] == (b'counter', {'value': start + 3})
            assert b'Content-Type: text/event-stream' in conn.output
        finally:
            await hang_up(conn, task)
    run(main())


def test_demo_chat(demo):
    from microdot.test_client import TestWebSocket
    app = demo.app

    async def main():
        client = TestClient(app)
        await client.post('/login', data={'username': 'joe',
                                          'password': 'bye'})
        joe = TestWebSocket(app, client)
        guest = TestWebSocket(app)
        assert (await joe.connect('/ws/chat')).status_code == 101
        assert json.loads(await joe.receive()) == {
            'system': 'welcome, joe', 'you': 'joe'}
        assert json.loads(await joe.receive())['members'] == 1
        await guest.connect('/ws/chat')
        welcome = json.loads(await guest.receive())
        assert welcome['you'].startswith('guest-')
        joined = {'system': welcome['you'] + ' joined', 'members': 2}
        assert json.loads(await guest.receive()) == joined
        assert json.loads(await joe.receive()) == joined
        await guest.send('  <hello>  ')
        message = {'user': welcome['you'], 'text': '<hello>'}
        assert json.loads(await joe.receive()) == message
        assert json.loads(await guest.receive()) == message
        await joe.send('x' * 600)
        assert json.loads(await guest.receive())['text'] == 'x' * 500
        await joe.receive()
        await guest.close()
        assert json.loads(await joe.receive()) == {
            'system': welcome['you'] + ' left', 'members': 1}
        await joe.close()
        assert sys.modules['live'].room.members == []
        res = await client.get('/ws/chat')  # not an upgrade request
        assert res.status_code == 400
    run(main())


# -- the other engineers' protocol examples -----------------------------------------

def test_websocket_echo_example(load):
    from microdot.test_client import TestWebSocket
    app = load('websocket/echo.py').app

    async def main():
        ws = TestWebSocket(app)
        assert (await ws.connect('/echo')).status_code == 101
        for message in ('hello', b'\x00\xff', 'é' * 1000):
            await ws.send(message)
            assert await ws.receive() == message
        await ws.close()
    run(main())


def test_websocket_echo_asgi_example(load):
    app = load('websocket/echo_asgi.py').app

    async def main():
        incoming = [{'type': 'websocket.connect'},
                    {'type': 'websocket.receive', 'text': 'hi'},
                    {'type': 'websocket.receive', 'bytes': b'\x01\x02'},
                    {'type': 'websocket.disconnect', 'code': 1000}]
        sent = []
        replied = asyncio.Event()

        async def receive():
            message = incoming.pop(0)
            if message['type'] == 'websocket.disconnect':
                await replied.wait()
            return message

        async def send(message):
            sent.append(message)
            if len([m for m in sent if m['type'] == 'websocket.send']) == 2:
                replied.set()

        scope = asgi_scope('GET', '/echo', kind='websocket')
        await asyncio.wait_for(app(scope, receive, send), TIMEOUT)
        assert sent[0]['type'] == 'websocket.accept'
        echoes = [m for m in sent if m['type'] == 'websocket.send']
        assert echoes[0].get('text') == 'hi'
        assert echoes[1].get('bytes') == b'\x01\x02'
    run(main())


def test_sse_counter_example(load):
    app = load('sse/counter.py').app
    output = run(stream_until(app, '/ticks',
                              lambda out: out.count(b'event: tick') >= 2))
    assert sse_events(output)[:2] == [(b'tick', {'count': 1}),
                                      (b'tick', {'count': 2})]
    assert b'id: 2\n' in output


def test_asgi_hello_example(load):
    app = load('asgi/hello_asgi.py').app

    async def main():
        status, _, body = await asgi_request(app, 'GET', '/')
        assert (status, body) == (200, b'Hello from 127.0.0.1!')
        status, _, body = await asgi_request(app, 'GET', '/stream')
        assert body == b''.join(b'line %d\n' % i for i in range(10))
    run(main())


def test_wsgi_hello_example(load):
    app = load('wsgi/hello_wsgi.py').app
    assert wsgi_request(app, 'GET', '/')[2] == b'Hello from wsgi-test/1.0!'
    status, _, body = wsgi_request(app, 'POST', '/upper', body=b'shout',
                                   headers={'Content-Type': 'text/plain'})
    assert (status, body) == (200, b'SHOUT')


def test_tls_example(tmp_path):
    # The example runs its server at import time, so it is served here as
    # the README says to run it: certificate files in the working directory.
    key, cert = tmp_path / 'key.pem', tmp_path / 'cert.pem'
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048',
                    '-nodes', '-days', '1', '-subj', '/CN=localhost',
                    '-keyout', str(key), '-out', str(cert)], check=True,
                   capture_output=True, timeout=60)
    env = dict(os.environ, PYTHONPATH=str(REPO / 'python'))
    server = subprocess.Popen(
        [sys.executable, str(EXAMPLES / 'tls' / 'hello_tls.py')],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    try:
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        deadline = time.monotonic() + TIMEOUT * 2
        while True:
            try:
                with socket.create_connection(('127.0.0.1', 4443),
                                              timeout=TIMEOUT) as raw:
                    with context.wrap_socket(raw) as s:
                        s.sendall(b'GET / HTTP/1.1\r\nHost: localhost\r\n'
                                  b'Connection: close\r\n\r\n')
                        data = b''
                        while True:
                            chunk = s.recv(4096)
                            if not chunk:
                                break
                            data += chunk
                break
            except (ConnectionRefusedError, ssl.SSLError, OSError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert data.startswith(b'HTTP/1.1 200 ')
        assert data.endswith(b'Hello over https!')
    finally:
        server.kill()
        server.wait(TIMEOUT)


# -- MicroPython ------------------------------------------------------------------

def test_examples_on_micropython():
    """tests/python/examples_mpy.py: the examples that run on boards,
    driven through the test client on MicroPython's unix port."""
    from servers import micropython_command
    result = subprocess.run(
        [micropython_command(), str(REPO / 'tests' / 'python' /
                                    'examples_mpy.py')],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, MICROPYPATH='{}:.frozen'.format(
            REPO / 'python'), MICRODOT_BACKEND='pure'))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert ' 0 failed' in output, output

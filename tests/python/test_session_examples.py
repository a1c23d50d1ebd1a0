"""The examples of the application extensions (examples/sessions, login,
auth, csrf, cors, uploads, templates) load and answer requests. CPython."""
import asyncio
import binascii
import importlib.util
import os
import sys


import pytest

from servers import REPO
from microdot import Request, Response
from microdot.test_client import TestClient

EXAMPLES = REPO / 'examples'


@pytest.fixture(autouse=True)
def restore_class_settings():
    # the examples set class-wide defaults that other tests must not see
    saved = Response.default_content_type, Request.max_content_length
    yield
    Response.default_content_type, Request.max_content_length = saved


def load(relative, monkeypatch=None):
    path = EXAMPLES / relative
    if monkeypatch is not None:
        monkeypatch.chdir(path.parent)
        monkeypatch.syspath_prepend(str(path.parent))
    spec = importlib.util.spec_from_file_location(
        'example_' + relative.replace('/', '_')[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


def run(coro):
    return asyncio.run(coro)


def test_sessions_example():
    async def main():
        client = TestClient(load('sessions/login.py'))
        assert 'Log in' in (await client.get('/')).text
        await client.post('/', data={'username': '<Susan>'})
        assert 'Hello, &lt;Susan&gt;!' in (await client.get('/')).text
        await client.post('/logout')
        assert 'Log in' in (await client.get('/')).text
    run(main())


def test_login_example():
    async def main():
        client = TestClient(load('login/login.py'))
        res = await client.get('/')
        assert res.headers['Location'] == '/login?next=/'
        res = await client.post('/login?next=/settings', data={
            'username': 'joe', 'password': 'bye', 'remember': '1'})
        assert res.headers['Location'] == '/settings'
        assert 'Settings of joe' in (await client.get('/settings')).text
    run(main())


def test_auth_example():
    async def main():
        client = TestClient(load('auth/basic_and_token.py'))
        auth = 'Basic ' + binascii.b2a_base64(b'susan:hello').decode().strip()
        assert (await client.get('/')).status_code == 401
        res = await client.get('/', headers={'Authorization': auth})
        assert res.text == 'Hello, susan!'
        res = await client.get('/api', headers={
            'Authorization': 'Bearer secret-token-1'})
        assert res.json == {'user': 'susan'}
        assert (await client.get('/public')).text == 'Hello, anonymous!'
    run(main())


def test_csrf_and_cors_examples():
    async def main():
        client = TestClient(load('csrf/csrf.py'))
        res = await client.post('/', headers={'Origin': 'https://evil.example'})
        assert res.status_code == 403
        res = await client.post('/', headers={'Origin': 'http://localhost'})
        assert 'Counter: 1' in res.text
        client = TestClient(load('cors/cors.py'))
        res = await client.get('/items', headers={
            'Origin': 'https://example.com'})
        assert res.json == ['apples', 'pears']
        assert res.headers['Access-Control-Expose-Headers'] == 'X-Total-Count'
    run(main())


def test_uploads_example(monkeypatch, tmp_path):
    app = load('uploads/uploads.py')
    monkeypatch.chdir(tmp_path)
    os.mkdir('uploads')
    body = (b'--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nT'
            b'\r\n--b\r\nContent-Disposition: form-data; name="file"; '
            b'filename="../../x.txt"\r\n\r\nhello\r\n--b--\r\n')
    headers = {'Content-Type': 'multipart/form-data; boundary=b'}

    async def main():
        client = TestClient(app)
        res = await client.post('/upload', headers=headers, body=body)
        assert res.text == '<p>T: 5 bytes saved</p>'
        res = await client.post('/stream', headers=headers, body=body)
        assert res.text == '<p>Saved: x.txt (5 bytes)</p>'
    run(main())
    assert (tmp_path / 'uploads' / 'x.txt').read_bytes() == b'hello'


def test_templates_examples(monkeypatch):
    async def main(app):
        client = TestClient(app)
        res = await client.post('/', data={'name': 'Susan'})
        assert 'Hello, Susan!' in res.text
    run(main(load('templates/jinja/hello.py', monkeypatch)))
    sys.modules.pop('templates', None)
    sys.modules.pop('templates.index_html', None)
    import test_templates
    test_templates._find_utemplate()
    from microdot.utemplate import init_templates
    init_templates()  # other tests leave the loader on their own directory
    app = load('templates/utemplate/hello.py', monkeypatch)
    run(main(app))
    sys.modules.pop('templates', None)
    sys.modules.pop('templates.index_html', None)

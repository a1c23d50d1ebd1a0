"""The Microdot 1.x module names run the 1.x examples of the documentation.
Runs on CPython (pytest) and on MicroPython (tests/mpy/app_ext_runner.py);
the 1.x templates names are tested in test_templates*.py, and the
WebSocket, WSGI, ASGI and TLS names (CPython) in test_compat_1x_servers.py.
"""
import asyncio
import sys

try:
    import microdot_asyncio  # noqa: F401
except ImportError:  # the 1.x modules are not installed: use the tree's
    sys.path.append(__file__[:__file__.rfind('/tests/')] + '/python')

from microdot import redirect


def test_microdot_asyncio_hello():
    from microdot_asyncio import Microdot
    from microdot_asyncio_test_client import TestClient

    app = Microdot()

    @app.route('/')
    async def hello(request):
        return 'Hello, world!'

    async def test_app():
        client = TestClient(app)
        response = await client.get('/')
        assert response.text == 'Hello, world!'

    asyncio.run(test_app())


def test_sync_test_client():
    from microdot import Microdot
    from microdot_test_client import TestClient

    app = Microdot()

    @app.route('/')
    def index(req):
        return 'Hello, World!'

    @app.post('/echo')
    def echo(req):
        return {'got': req.json}

    client = TestClient(app)
    response = client.get('/')
    assert response.text == 'Hello, World!'
    response = client.post('/echo', json={'a': [1, 2]})
    assert response.status_code == 200
    assert response.json == {'got': {'a': [1, 2]}}
    assert client.get('/nope').status_code == 404


def session_app():
    """The 1.x session example, as the documentation gives it."""
    from microdot import Microdot
    from microdot_session import set_session_secret_key, with_session, \
        update_session, delete_session

    app = Microdot()
    set_session_secret_key('top-secret')

    @app.route('/', methods=['GET', 'POST'])
    @with_session
    def index(req, session):
        username = session.get('username')
        if req.method == 'POST':
            username = req.form.get('username')
            update_session(req, {'username': username})
            return redirect('/')
        if username is None:
            return 'Not logged in'
        else:
            return 'Logged in as ' + username

    @app.post('/logout')
    def logout(req):
        delete_session(req)
        return redirect('/')

    return app


def test_session_functions():
    from microdot_test_client import TestClient
    from microdot_session import get_session
    from microdot import _jwt

    client = TestClient(session_app())
    assert client.get('/').text == 'Not logged in'
    response = client.post('/', data={'username': 'susan'})
    assert response.status_code == 302
    assert _jwt.decode(client.cookies['session'], 'top-secret',
                       algorithms=['HS256']) == {'username': 'susan'}
    assert client.get('/').text == 'Logged in as susan'
    client.post('/logout')
    assert 'session' not in client.cookies
    assert client.get('/').text == 'Not logged in'
    assert callable(get_session)


def test_cors():
    from microdot import Microdot
    from microdot_cors import CORS
    from microdot_test_client import TestClient

    app = Microdot()
    CORS(app, allowed_origins=['https://example.com'],
         allow_credentials=True)

    @app.route('/')
    def index(req):
        return 'Hello, World!'

    client = TestClient(app)
    response = client.get('/', headers={'Origin': 'https://example.com'})
    assert response.headers['Access-Control-Allow-Origin'] == \
        'https://example.com'
    assert response.headers['Access-Control-Allow-Credentials'] == 'true'
    response = client.request('OPTIONS', '/', headers={
        'Origin': 'https://example.com',
        'Access-Control-Request-Method': 'POST'})
    assert response.status_code == 204
    assert response.headers['Access-Control-Allow-Methods'] == 'POST'

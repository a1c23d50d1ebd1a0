"""Basic and token authentication through the test client. Runs on CPython
(pytest) and on MicroPython (tests/mpy/app_ext_runner.py)."""
import asyncio
import binascii

from microdot import Microdot
from microdot.auth import BasicAuth, TokenAuth
from microdot.test_client import TestClient

USERS = {'susan': 'hello', 'joe': 'bye', 'renée': 'pässwörd'}
TOKENS = {'t-susan': 'susan', 't-joe': 'joe'}


def run(coro):
    return asyncio.run(coro)


def basic(username, password):
    raw = (username + ':' + password).encode()
    return {'Authorization': 'Basic ' +
            binascii.b2a_base64(raw).decode().strip()}


def basic_app(sync_verify=False, **options):
    app = Microdot()
    auth = BasicAuth(**options)
    seen = []

    if sync_verify:
        @auth.authenticate
        def verify(request, username, password):
            seen.append(username)
            if USERS.get(username) == password:
                return {'name': username}
    else:
        @auth.authenticate
        async def verify(request, username, password):
            seen.append(username)
            if USERS.get(username) == password:
                return {'name': username}

    @app.get('/')
    @auth
    async def index(request):
        return 'hello ' + request.g.current_user['name']

    @app.get('/sync')
    @auth
    def sync_index(request):
        return 'sync ' + request.g.current_user['name']

    @app.get('/maybe')
    @auth.optional
    async def maybe(request):
        user = request.g.current_user
        return 'anonymous' if user is None else user['name']

    @app.get('/items/<int:id>')
    @auth
    async def item(request, id):
        return {'id': id, 'user': request.g.current_user['name']}

    return app, auth, seen


def test_basic_auth_accepts_valid_credentials():
    async def main():
        for sync_verify in (False, True):
            app, auth, seen = basic_app(sync_verify)
            client = TestClient(app)
            res = await client.get('/', headers=basic('susan', 'hello'))
            assert res.status_code == 200
            assert res.text == 'hello susan'
            res = await client.get('/sync', headers=basic('joe', 'bye'))
            assert res.text == 'sync joe'
            res = await client.get('/items/42', headers=basic('joe', 'bye'))
            assert res.json == {'id': 42, 'user': 'joe'}
            res = await client.get('/', headers=basic('renée', 'pässwörd'))
            assert res.text == 'hello renée'
    run(main())


def test_basic_auth_refuses():
    async def main():
        app, auth, seen = basic_app()
        client = TestClient(app)
        cases = [
            None,
            basic('susan', 'wrong'),
            basic('nobody', 'hello'),
            {'Authorization': 'Basic'},
            {'Authorization': 'Basic !!!not-base64!!!'},
            {'Authorization': 'Basic ' + binascii.b2a_base64(
                b'no-colon').decode().strip()},
            {'Authorization': 'Basic ' + binascii.b2a_base64(
                b'\xff\xfe:\xff').decode().strip()},
            {'Authorization': 'Bearer t-susan'},
        ]
        for headers in cases:
            res = await client.get('/', headers=headers)
            assert res.status_code == 401, headers
            assert res.headers['WWW-Authenticate'] == \
                'Basic realm="Please login", charset="UTF-8"'
    run(main())


def test_basic_auth_options_and_error_callback():
    async def main():
        app, auth, seen = basic_app(realm='Admin', scheme='xBasic',
                                    error_status=403)
        client = TestClient(app)
        res = await client.get('/')
        assert res.status_code == 403
        assert res.headers['WWW-Authenticate'].startswith('xBasic realm="Admin"')
        headers = basic('susan', 'hello')
        headers['Authorization'] = 'xBasic' + headers['Authorization'][5:]
        res = await client.get('/', headers=headers)
        assert res.status_code == 200

        @auth.error
        async def denied(request):
            return {'error': 'who are you?'}, 418

        res = await client.get('/')
        assert res.status_code == 418
        assert res.json == {'error': 'who are you?'}
    run(main())


def test_optional_auth():
    async def main():
        app, auth, seen = basic_app()
        client = TestClient(app)
        assert (await client.get('/maybe')).text == 'anonymous'
        res = await client.get('/maybe', headers=basic('susan', 'nope'))
        assert res.text == 'anonymous'
        res = await client.get('/maybe', headers=basic('susan', 'hello'))
        assert res.text == 'susan'
    run(main())


def token_app(**options):
    app = Microdot()
    auth = TokenAuth(**options)

    @auth.authenticate
    async def verify(request, token):
        return TOKENS.get(token)

    @app.get('/')
    @auth
    async def index(request):
        return 'hello ' + request.g.current_user

    @app.get('/maybe')
    @auth.optional
    def maybe(request):
        return str(request.g.current_user)

    return app, auth


def test_token_auth():
    async def main():
        app, auth = token_app()
        client = TestClient(app)
        res = await client.get('/', headers={'Authorization': 'Bearer t-joe'})
        assert res.text == 'hello joe'
        res = await client.get('/', headers={'Authorization': 'bearer t-joe'})
        assert res.text == 'hello joe'
        for headers in (None, {'Authorization': 'Bearer nope'},
                        {'Authorization': 'Bearer'},
                        {'Authorization': 'Basic t-joe'},
                        {'Authorization': 't-joe'}):
            res = await client.get('/', headers=headers)
            assert res.status_code == 401, headers
            assert res.headers['WWW-Authenticate'] == 'Bearer'
        assert (await client.get('/maybe')).text == 'None'
        res = await client.get('/maybe',
                               headers={'Authorization': 'Bearer t-susan'})
        assert res.text == 'susan'
    run(main())


def test_token_auth_custom_header_without_scheme():
    async def main():
        app, auth = token_app(header='X-API-Key', scheme=None)
        client = TestClient(app)
        res = await client.get('/', headers={'X-API-Key': 't-susan'})
        assert res.text == 'hello susan'
        res = await client.get('/', headers={'Authorization': 'Bearer t-susan'})
        assert res.status_code == 401
        assert 'WWW-Authenticate' not in res.headers
    run(main())


def test_missing_verify_callback_is_a_server_error():
    async def main():
        app = Microdot()
        auth = TokenAuth()

        @app.get('/')
        @auth
        async def index(request):
            return 'never'

        res = await TestClient(app).get(
            '/', headers={'Authorization': 'Bearer x'})
        assert res.status_code == 500
    run(main())

"""User logins (microdot.login) through the test client. Runs on CPython
(pytest) and on MicroPython (tests/mpy/app_ext_runner.py)."""
import asyncio

from microdot import Microdot
from microdot.login import Login
from microdot.session import Session
from microdot.test_client import TestClient

SECRET = 'login-tests-secret-key-0123456789abcdef'


class User:
    def __init__(self, id, name, password):
        self.id = id
        self.name = name
        self.password = password


USERS = {1: User(1, 'susan', 'hello'), 2: User(2, 'joe', 'bye')}


def run(coro):
    return asyncio.run(coro)


def make_app(sync_loader=False):
    app = Microdot()
    Session(app, secret_key=SECRET)
    login = Login()
    loaded = []

    if sync_loader:
        @login.user_loader
        def load_user(user_id):
            loaded.append(user_id)
            return USERS.get(user_id)
    else:
        @login.user_loader
        async def load_user(user_id):
            loaded.append(user_id)
            return USERS.get(user_id)

    @app.post('/login')
    async def do_login(request):
        form = request.form
        for user in USERS.values():
            if user.name == form.get('username') and \
                    user.password == form.get('password'):
                remember = form.get('remember')
                return await login.login_user(
                    request, user, remember=int(remember) if remember else
                    False)
        return 'bad credentials', 401

    @app.post('/logout')
    @login
    async def logout(request):
        await login.logout_user(request)
        return 'bye'

    @app.get('/')
    @login
    async def index(request):
        return 'hello ' + request.g.current_user.name

    @app.get('/sync')
    @login.login_required
    def sync_index(request):
        return 'sync ' + request.g.current_user.name

    @app.get('/fresh')
    @login.fresh
    async def fresh(request):
        return 'fresh ' + request.g.current_user.name

    @app.get('/whoami')
    async def whoami(request):
        user = await login.get_current_user(request)
        return 'nobody' if user is None else user.name

    return app, login, loaded


def test_login_required_redirects_to_login_with_next():
    async def main():
        app, login, loaded = make_app()
        client = TestClient(app)
        res = await client.get('/')
        assert res.status_code == 302
        assert res.headers['Location'] == '/login?next=/'
        res = await client.get('/sync?a=1&b=x%20y')
        assert res.status_code == 302
        assert res.headers['Location'] == \
            '/login?next=/sync%3Fa%3D1%26b%3Dx%2520y'
        assert (await client.get('/whoami')).text == 'nobody'
        assert loaded == []
    run(main())


def test_login_and_logout():
    async def main():
        for sync_loader in (False, True):
            app, login, loaded = make_app(sync_loader)
            client = TestClient(app)
            res = await client.post('/login', data={'username': 'susan',
                                                    'password': 'wrong'})
            assert res.status_code == 401
            res = await client.post('/login', data={'username': 'susan',
                                                    'password': 'hello'})
            assert res.status_code == 302
            assert res.headers['Location'] == '/'
            assert '_remember' not in client.cookies
            assert (await client.get('/')).text == 'hello susan'
            assert (await client.get('/sync')).text == 'sync susan'
            assert (await client.get('/fresh')).text == 'fresh susan'
            assert (await client.get('/whoami')).text == 'susan'
            assert 1 in loaded
            res = await client.post('/logout')
            assert res.text == 'bye'
            assert (await client.get('/')).status_code == 302
            assert (await client.get('/whoami')).text == 'nobody'
    run(main())


def test_login_redirects_to_local_next_only():
    async def main():
        app, login, loaded = make_app()
        cases = [
            ('/login?next=/sync', '/sync'),
            ('/login?next=%2Fsync%3Fa%3D1', '/sync?a=1'),
            ('/login?next=https://evil.example/', '/'),
            ('/login?next=//evil.example/', '/'),
            ('/login?next=/%5Cevil.example', '/'),
            ('/login?next=', '/'),
        ]
        for url, location in cases:
            res = await TestClient(app).post(
                url, data={'username': 'joe', 'password': 'bye'})
            assert res.headers['Location'] == location, (url, res.headers)
    run(main())


def test_remember_me_restores_a_non_fresh_login():
    async def main():
        app, login, loaded = make_app()
        client = TestClient(app)
        await client.post('/login', data={'username': 'joe', 'password': 'bye',
                                          'remember': '7'})
        remember = client.cookies['_remember']
        # a new browser session: only the remember-me cookie is left
        client2 = TestClient(app, cookies={'_remember': remember})
        assert (await client2.get('/')).text == 'hello joe'
        assert 'session' in client2.cookies
        res = await client2.get('/fresh')
        assert res.status_code == 302
        assert res.headers['Location'] == '/login?next=/fresh'
        # logging out forgets it
        await client2.post('/logout')
        assert '_remember' not in client2.cookies
        assert (await client2.get('/')).status_code == 302
    run(main())


def test_remember_cookie_attributes():
    async def main():
        app, login, loaded = make_app()
        res = await TestClient(app).post('/login', data={
            'username': 'joe', 'password': 'bye', 'remember': '2'})
        cookies = [c for c in res.headers['Set-Cookie']
                   if c.startswith('_remember=')]
        assert len(cookies) == 1
        attrs = [a.strip().lower() for a in cookies[0].split(';')[1:]]
        assert 'httponly' in attrs
        assert 'max-age=172800' in attrs
    run(main())


def test_forged_or_foreign_cookies_do_not_log_in():
    async def main():
        app, login, loaded = make_app()
        client = TestClient(app)
        await client.post('/login', data={'username': 'joe', 'password': 'bye',
                                          'remember': '1'})
        session_token = client.cookies['session']
        remember = client.cookies['_remember']
        # a session cookie is not accepted as a remember-me cookie
        c = TestClient(app, cookies={'_remember': session_token})
        assert (await c.get('/')).status_code == 302
        # nor is a tampered one
        c = TestClient(app, cookies={'_remember': remember[:-2] + 'xx'})
        assert (await c.get('/')).status_code == 302
        c = TestClient(app, cookies={'session': 'garbage'})
        assert (await c.get('/')).status_code == 302
    run(main())


def test_deleted_user_is_logged_out():
    async def main():
        app, login, loaded = make_app()
        client = TestClient(app)
        USERS[3] = User(3, 'temp', 'pw')
        try:
            await client.post('/login', data={'username': 'temp',
                                              'password': 'pw'})
            assert (await client.get('/')).text == 'hello temp'
        finally:
            del USERS[3]
        assert (await client.get('/')).status_code == 302
    run(main())

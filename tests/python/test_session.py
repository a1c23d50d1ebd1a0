"""Sessions: signed cookies through the test client.

Runs on CPython (pytest) and on MicroPython (tests/mpy/app_ext_runner.py):
plain asserts, no pytest imports."""
import asyncio
import time

from microdot import Microdot, redirect
from microdot.session import Session, SessionDict, with_session
from microdot.test_client import TestClient
from microdot import _jwt

SECRET = 'top-secret-key-for-the-session-tests!'


def run(coro):
    return asyncio.run(coro)


def cookie_header(res, name='session'):
    for value in res.headers.get('Set-Cookie', []):
        if value.startswith(name + '='):
            return value
    return None


def login_app(session=None):
    """The log in example of the guide (sync handlers)."""
    app = Microdot()
    if session is None:
        Session(app, secret_key=SECRET)
    else:
        session.initialize(app)

    @app.route('/', methods=['GET', 'POST'])
    @with_session
    def index(req, session):
        username = session.get('username')
        if req.method == 'POST':
            username = req.form.get('username')
            session['username'] = username
            session.save()
            return redirect('/')
        if username is None:
            return 'Not logged in'
        return 'Logged in as ' + username

    @app.post('/logout')
    @with_session
    def logout(req, session):
        session.delete()
        return redirect('/')

    return app


def test_guide_login_example():
    async def main():
        client = TestClient(login_app())
        res = await client.get('/')
        assert res.text == 'Not logged in'
        res = await client.post('/', data={'username': 'susan'})
        assert res.status_code == 302
        assert 'session' in client.cookies
        res = await client.get('/')
        assert res.text == 'Logged in as susan'
        res = await client.post('/logout')
        assert res.status_code == 302
        assert 'session' not in client.cookies
        res = await client.get('/')
        assert res.text == 'Not logged in'
    run(main())


def test_two_step_initialize():
    async def main():
        session = Session(secret_key=SECRET)
        client = TestClient(login_app(session))
        await client.post('/', data={'username': 'joe'})
        res = await client.get('/')
        assert res.text == 'Logged in as joe'
    run(main())


def test_cookie_is_a_verifiable_hs256_jwt():
    async def main():
        client = TestClient(login_app())
        await client.post('/', data={'username': 'susan'})
        token = client.cookies['session']
        assert _jwt.decode(token, SECRET, algorithms=['HS256']) == \
            {'username': 'susan'}
    run(main())


def test_default_cookie_options():
    async def main():
        client = TestClient(login_app())
        res = await client.post('/', data={'username': 'susan'})
        header = cookie_header(res)
        assert header is not None
        attrs = [a.strip().lower() for a in header.split(';')[1:]]
        assert 'httponly' in attrs
        assert 'samesite=lax' in attrs
        assert 'path=/' in attrs
        assert 'secure' not in attrs
        assert not [a for a in attrs if a.startswith('max-age')]
    run(main())


def test_custom_cookie_options():
    async def main():
        app = Microdot()
        Session(app, secret_key=SECRET, cookie_name='sid', cookie_options={
            'path': '/app', 'domain': 'example.com', 'secure': True,
            'http_only': False, 'samesite': 'Strict', 'max_age': 600})

        @app.get('/app/set')
        @with_session
        async def set_value(req, session):
            session['n'] = 1
            session.save()
            return 'ok'

        res = await TestClient(app).get('/app/set')
        header = cookie_header(res, 'sid')
        attrs = [a.strip().lower() for a in header.split(';')[1:]]
        for expected in ('path=/app', 'domain=example.com', 'secure',
                         'samesite=strict', 'max-age=600'):
            assert expected in attrs, (expected, attrs)
        assert 'httponly' not in attrs
        token = header.split(';')[0][4:]
        payload = _jwt.decode(token, SECRET, algorithms=['HS256'])
        assert payload['n'] == 1
        assert 0 < payload['exp'] - time.time() <= 601
    run(main())


def session_echo_app():
    app = Microdot()
    Session(app, secret_key=SECRET)

    @app.get('/')
    @with_session
    async def index(req, session):
        return {'session': {k: v for k, v in session.items()}}

    return app


def get_with_cookie(app, token):
    async def main():
        res = await TestClient(app).get(
            '/', headers={'Cookie': 'session=' + token})
        assert res.status_code == 200
        return res.json['session']
    return run(main())


def test_valid_cookie_is_read():
    token = _jwt.encode({'user': 'a'}, SECRET)
    assert get_with_cookie(session_echo_app(), token) == {'user': 'a'}


def test_tampered_payload_gives_empty_session():
    token = _jwt.encode({'user': 'a'}, SECRET)
    header, payload, signature = token.split('.')
    forged = _jwt.b64url_encode(b'{"user":"admin"}').decode()
    assert get_with_cookie(session_echo_app(),
                           header + '.' + forged + '.' + signature) == {}


def test_tampered_signature_gives_empty_session():
    token = _jwt.encode({'user': 'a'}, SECRET)
    last = 'A' if token[-1] != 'A' else 'B'
    assert get_with_cookie(session_echo_app(), token[:-1] + last) == {}


def test_wrong_key_gives_empty_session():
    token = _jwt.encode({'user': 'a'}, 'another-secret-key-of-32-bytes!!')
    assert get_with_cookie(session_echo_app(), token) == {}


def test_alg_none_gives_empty_session():
    header = _jwt.b64url_encode(b'{"alg":"none","typ":"JWT"}').decode()
    payload = _jwt.b64url_encode(b'{"user":"admin"}').decode()
    for token in (header + '.' + payload + '.', header + '.' + payload):
        assert get_with_cookie(session_echo_app(), token) == {}


def test_expired_token_gives_empty_session():
    token = _jwt.encode({'user': 'a', 'exp': 1000}, SECRET)
    assert get_with_cookie(session_echo_app(), token) == {}


def test_garbage_cookies_give_empty_session():
    for token in ('', 'x', 'a.b.c', '...', 'e30.e30.e30', '%%%.$$$.###',
                  'eyJ.eyJ.x'):
        assert get_with_cookie(session_echo_app(), token) == {}, token


def test_non_object_payload_gives_empty_session():
    signing_input = _jwt.b64url_encode(b'{"alg":"HS256","typ":"JWT"}') + \
        b'.' + _jwt.b64url_encode(b'[1,2]')
    signature = _jwt.b64url_encode(_jwt.hmac_sha256(SECRET, signing_input))
    token = (signing_input + b'.' + signature).decode()
    assert get_with_cookie(session_echo_app(), token) == {}


def test_session_is_shared_within_a_request_and_saved_once():
    async def main():
        app = Microdot()
        Session(app, secret_key=SECRET)

        @app.before_request
        @with_session
        async def count(req, session):
            session['seen'] = session.get('seen', 0) + 1
            session.save()

        @app.get('/')
        @with_session
        async def index(req, session):
            session['route'] = True  # written: the cookie is encoded last
            return str(session['seen'])

        client = TestClient(app)
        res = await client.get('/')
        assert res.text == '1'
        assert len(res.headers['Set-Cookie']) == 1
        res = await client.get('/')
        assert res.text == '2'
        payload = _jwt.decode(client.cookies['session'], SECRET,
                              algorithms=['HS256'])
        assert payload == {'seen': 2, 'route': True}
    run(main())


def test_unsaved_changes_are_not_sent():
    async def main():
        app = Microdot()
        Session(app, secret_key=SECRET)

        @app.get('/')
        @with_session
        async def index(req, session):
            session['x'] = 1
            return 'no save'

        res = await TestClient(app).get('/')
        assert 'Set-Cookie' not in res.headers
    run(main())


def test_session_api_without_decorator():
    async def main():
        app = Microdot()
        sessions = Session(app, secret_key=SECRET)

        @app.get('/set')
        async def set_value(req):
            sessions.update(req, {'a': 1})
            return 'ok'

        @app.get('/get')
        async def get_value(req):
            session = sessions.get(req)
            assert isinstance(session, SessionDict)
            return {'a': session.get('a')}

        @app.get('/delete')
        async def delete(req):
            sessions.delete(req)
            return 'ok'

        client = TestClient(app)
        await client.get('/set')
        assert (await client.get('/get')).json == {'a': 1}
        await client.get('/delete')
        assert (await client.get('/get')).json == {'a': None}
    run(main())


def test_missing_secret_key_is_a_server_error_not_a_crash():
    async def main():
        app = Microdot()
        Session(app)

        @app.get('/')
        @with_session
        async def index(req, session):
            session['a'] = 1
            session.save()
            return 'ok'

        res = await TestClient(app).get('/')
        assert res.status_code == 500
    run(main())

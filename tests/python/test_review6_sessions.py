"""review6, the guide's session example ("Maintaining Secure User
Sessions": log in with a form, the session in a signed cookie) served by
four independent processes that share only the secret key, as an app
scaled out behind a load balancer is (DESIGN.md: sessions are stateless
signed cookies): the built-in server on CPython and on MicroPython's unix
port, uvicorn and gunicorn. A cookie made by any of them is accepted by
every other; a cookie that expired, was tampered with, or was signed with
a rotated-out key reads as no session everywhere, without an error; the
logout cookie logs out everywhere.
"""
import base64
import http.client
import json
import time
import urllib.parse

import pytest

from test_review5_support import KINDS, Served, APP_HEAD, APP_TAIL

jwt = pytest.importorskip('jwt')

SHARED_KEY = 'shared-session-key-of-32-bytes!!!'
ROTATED_KEY = 'rotated-session-key-of-32-bytes!'

APP = '''
from microdot import redirect
from microdot.session import Session, with_session

app = Microdot()
Session(app, secret_key=SECRET, cookie_options={'max_age': 3600})


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
    else:
        return 'Logged in as ' + username


@app.post('/logout')
@with_session
def logout(req, session):
    session.delete()
    return redirect('/')
'''


def write_app(directory, secret):
    directory.mkdir()
    (directory / 'app.py').write_text(
        APP_HEAD + 'SECRET = {!r}\n'.format(secret) + APP + APP_TAIL)
    return directory


@pytest.fixture
def servers(tmp_path):
    """Every kind of server with the secret SHARED_KEY, and a built-in
    one whose key was rotated."""
    shared = write_app(tmp_path / 'shared', SHARED_KEY)
    rotated = write_app(tmp_path / 'rotated', ROTATED_KEY)
    started = {}
    try:
        for kind in KINDS:
            started[kind] = Served(kind, shared)
        started['rotated'] = Served('builtin', rotated)
        yield started
    finally:
        for served in started.values():
            served.stop()


def ask(port, method, path, cookie=None, form=None):
    headers = {}
    if cookie:
        headers['Cookie'] = cookie
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers['Content-Type'] = 'application/x-www-form-urlencoded'
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        return res.status, res.headers.get_all('Set-Cookie') or [], \
            res.read().decode()
    finally:
        conn.close()


def session_cookie(set_cookies):
    for header in set_cookies:
        if header.startswith('session='):
            return header.split(';')[0]
    raise AssertionError('no session cookie in {}'.format(set_cookies))


def token_payload(cookie):
    payload = cookie.split('=', 1)[1].split('.')[1]
    return json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(
        payload) % 4)))


def test_sessions_shared_by_servers_with_the_same_key(servers):
    ports = {kind: served.port for kind, served in servers.items()}
    for login_kind in KINDS:
        user = 'user-of-' + login_kind
        status, set_cookies, _ = ask(ports[login_kind], 'POST', '/',
                                     form={'username': user})
        assert status == 302
        cookie = session_cookie(set_cookies)
        # a signed JWT with the expiry of max_age
        payload = token_payload(cookie)
        assert payload['username'] == user
        assert 3500 < payload['exp'] - time.time() <= 3700
        for kind in KINDS:
            assert ask(ports[kind], 'GET', '/', cookie)[::2] == \
                (200, 'Logged in as ' + user), (login_kind, kind)
        # the server whose key was rotated: logged out, no error
        assert ask(ports['rotated'], 'GET', '/', cookie)[::2] == \
            (200, 'Not logged in')

    # made elsewhere with the key (PyJWT): accepted; expired: refused
    good = jwt.encode({'username': 'pyjwt'}, SHARED_KEY,
                      algorithm='HS256')
    expired = jwt.encode({'username': 'late', 'exp': int(time.time()) - 5},
                         SHARED_KEY, algorithm='HS256')
    header, payload, signature = good.split('.')
    forged_payload = base64.urlsafe_b64encode(json.dumps(
        {'username': 'admin'}).encode()).decode().rstrip('=')
    tampered = '.'.join([header, forged_payload, signature])
    for kind in KINDS:
        port = ports[kind]
        assert ask(port, 'GET', '/', 'session=' + good)[2] == \
            'Logged in as pyjwt', kind
        for bad in (expired, tampered, good[:-2], 'garbage', ''):
            assert ask(port, 'GET', '/', 'session=' + bad)[::2] == \
                (200, 'Not logged in'), (kind, bad)

    # logging out on one server: the client's cookie is removed
    status, set_cookies, _ = ask(ports['micropython'], 'POST', '/logout',
                                 'session=' + good)
    assert status == 302
    removal = [c for c in set_cookies if c.startswith('session=')]
    assert len(removal) == 1
    attributes = removal[0].lower()
    assert removal[0].startswith('session=;') or 'max-age=0' in attributes \
        or '1970' in attributes

"""review6, the authentication extension as apps written for upstream
Microdot use it (the upstream module's documented API): a token in a
custom header (``TokenAuth(header='X-Auth-Token')``, "the name of the
header that will contain the token"), the ``@auth.errorhandler`` decorator
("to configure the error callback"), and TokenAuth's default error, which
"is to call abort(401)", so that the application's ``@app.errorhandler(401)``
answers; Basic auth keeps its ``WWW-Authenticate`` challenge (the
browser's login dialog). Served by the built-in server (CPython and
MicroPython), uvicorn and gunicorn.

Failed before the fix: the custom header's bare token was refused (401:
the scheme "Bearer" was expected inside X-Auth-Token), ``errorhandler``
was missing (AttributeError when the app was imported), and a failed token
check answered a plain "Unauthorized" past the app's 401 handler."""
import base64
import http.client
import json

import pytest

from test_review5_support import KINDS
import test_review5_support

serve = test_review5_support.serve  # the fixture

APP = '''
from microdot.auth import BasicAuth, TokenAuth

app = Microdot()
api_key = TokenAuth(header='X-Auth-Token')
bearer = TokenAuth()
custom = TokenAuth()
basic = BasicAuth(realm='Admin')
TOKENS = {'k-susan': 'susan', 'k-joe': 'joe'}


@api_key.authenticate
async def check_key(request, token):
    return TOKENS.get(token)


@bearer.authenticate
def check_bearer(request, token):
    return TOKENS.get(token)


@custom.authenticate
async def check_custom(request, token):
    return TOKENS.get(token)


@custom.errorhandler
async def custom_error(request):
    return {'error': 'token required'}, 401


@basic.authenticate
async def check_basic(request, username, password):
    if (username, password) == ('admin', 's3cret'):
        return username


@app.errorhandler(401)
async def unauthorized(request):
    return {'error': 'unauthorized'}, 401


@app.get('/key')
@api_key
async def by_key(request):
    return 'key ' + request.g.current_user


@app.get('/bearer')
@bearer
async def by_bearer(request):
    return 'bearer ' + request.g.current_user


@app.get('/custom')
@custom
async def by_custom(request):
    return 'custom ' + request.g.current_user


@app.get('/admin')
@basic
async def admin(request):
    return 'admin ' + request.g.current_user
'''


def ask(port, path, headers=None):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        conn.request('GET', path, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.headers, res.read()
    finally:
        conn.close()


def basic(username, password):
    token = base64.b64encode((username + ':' + password).encode()).decode()
    return {'Authorization': 'Basic ' + token}


@pytest.mark.parametrize('kind', KINDS)
def test_upstream_token_and_basic_auth_api(serve, kind):
    port = serve(kind, APP).port

    # the token alone in a custom header
    assert ask(port, '/key', {'X-Auth-Token': 'k-susan'})[::2] == \
        (200, b'key susan')
    for headers in ({}, {'X-Auth-Token': 'nope'},
                    {'Authorization': 'Bearer k-susan'}):
        status, _, body = ask(port, '/key', headers)
        # TokenAuth's default error is the application's 401 handler
        assert (status, json.loads(body)) == \
            (401, {'error': 'unauthorized'}), headers

    assert ask(port, '/bearer', {'Authorization': 'Bearer k-joe'})[::2] == \
        (200, b'bearer joe')
    status, _, body = ask(port, '/bearer', {'Authorization': 'k-joe'})
    assert (status, json.loads(body)) == (401, {'error': 'unauthorized'})

    # @auth.errorhandler: the route's own error answer
    assert ask(port, '/custom', {'Authorization': 'Bearer k-joe'})[::2] == \
        (200, b'custom joe')
    status, _, body = ask(port, '/custom')
    assert (status, json.loads(body)) == (401, {'error': 'token required'})

    # Basic auth answers with its challenge, so browsers ask for a login
    assert ask(port, '/admin', basic('admin', 's3cret'))[::2] == \
        (200, b'admin admin')
    for headers in ({}, basic('admin', 'wrong')):
        status, res_headers, _ = ask(port, '/admin', headers)
        assert status == 401
        assert res_headers['WWW-Authenticate'].startswith(
            'Basic realm="Admin"')

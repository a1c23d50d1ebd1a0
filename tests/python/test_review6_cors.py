"""review6, CORS with credentials as a browser uses it: a single-page app on
another origin logs in (JSON POST, so a preflight first), reads its
session with the cookie and an exposed header, and deletes with a custom
header, each response judged by the CORS checks of the Fetch standard
(credentialed requests need the exact origin and ``Allow-Credentials:
true``; a preflight must list the method and every requested header).
Served by the built-in server (CPython and MicroPython), uvicorn and
gunicorn.

The second test is the upstream extension's documented
``handle_cors=False`` use, "if you want to add CORS headers manually",
with ``cors.get_cors_headers(request)``: the method was missing (an
AttributeError, 500, for every request of such an app) before its fix."""
import http.client
import json

import pytest

from test_review5_support import KINDS
import test_review5_support

serve = test_review5_support.serve  # the fixture

ORIGIN = 'https://app.example'
SAFELISTED_METHODS = ('GET', 'HEAD', 'POST')

APP = '''
from microdot.cors import CORS
from microdot.session import Session, with_session

app = Microdot()
CORS(app, allowed_origins=['https://app.example'], allow_credentials=True,
     allowed_headers=['Content-Type', 'X-Token'], expose_headers=['X-Count'],
     max_age=300)
Session(app, secret_key='cors-review-secret')


@app.post('/api/login')
@with_session
async def login(request, session):
    session['user'] = request.json['user']
    session.save()
    return {'ok': True}


@app.get('/api/me')
@with_session
async def me(request, session):
    return {'user': session.get('user')}, {'X-Count': '1'}


@app.delete('/api/items/<int:item>')
async def delete_item(request, item):
    if request.headers.get('X-Token') != 't0k':
        return 'no token', 403
    return '', 204
'''

MANUAL_APP = '''
from microdot.cors import CORS

app = Microdot()
cors = CORS(app, allowed_origins=['https://app.example'], handle_cors=False)


async def add_cors(request, response):
    if request.path.startswith('/api/'):
        response.headers.update(cors.get_cors_headers(request))
    return response


# (the automatic answer to OPTIONS and the errors go through the
# after-error-request handlers, as the extension registers its own)
app.after_request(add_cors)
app.after_error_request(add_cors)


@app.route('/api/data', methods=['GET', 'PUT'])
async def data(request):
    return {'method': request.method}


@app.get('/page')
async def page(request):
    return 'same-origin page'
'''


def ask(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.headers, res.read()
    finally:
        conn.close()


def cors_check(headers, origin, credentials):
    """The Fetch standard's CORS check of a response."""
    allowed = headers.get('Access-Control-Allow-Origin')
    if allowed is None:
        return False
    if allowed == '*' and not credentials:
        return True
    if allowed != origin:
        return False
    return not credentials or \
        headers.get('Access-Control-Allow-Credentials') == 'true'


def header_list(headers, name):
    return [item.strip().lower()
            for item in (headers.get(name) or '').split(',') if item.strip()]


def preflight_passes(port, path, method, request_headers, origin=ORIGIN,
                     credentials=True):
    """Sends the preflight a browser sends before `method` `path` with
    `request_headers` (not safelisted ones), and judges its answer."""
    headers = {'Origin': origin, 'Access-Control-Request-Method': method}
    if request_headers:
        headers['Access-Control-Request-Headers'] = \
            ','.join(h.lower() for h in request_headers)
    status, res_headers, _ = ask(port, 'OPTIONS', path, headers)
    if not 200 <= status < 300 or \
            not cors_check(res_headers, origin, credentials):
        return False
    methods = header_list(res_headers, 'Access-Control-Allow-Methods')
    if method not in SAFELISTED_METHODS and method.lower() not in methods \
            and (credentials or '*' not in methods):
        return False
    allowed = header_list(res_headers, 'Access-Control-Allow-Headers')
    return all(h.lower() in allowed for h in request_headers)


@pytest.mark.parametrize('kind', KINDS)
def test_credentialed_single_page_app(serve, kind):
    port = serve(kind, APP).port

    # log in: JSON is not a simple request, so the browser asks first
    assert preflight_passes(port, '/api/login', 'POST', ['Content-Type'])
    status, headers, body = ask(
        port, 'POST', '/api/login',
        {'Origin': ORIGIN, 'Content-Type': 'application/json'},
        json.dumps({'user': 'susan'}))
    assert status == 200 and cors_check(headers, ORIGIN, True)
    assert 'Origin' in headers['Vary']
    cookie = headers['Set-Cookie'].split(';')[0]
    assert cookie.startswith('session=')

    # a simple GET with the cookie: the page may read X-Count
    status, headers, body = ask(port, 'GET', '/api/me',
                                {'Origin': ORIGIN, 'Cookie': cookie})
    assert status == 200 and cors_check(headers, ORIGIN, True)
    assert json.loads(body) == {'user': 'susan'}
    assert 'x-count' in header_list(headers,
                                    'Access-Control-Expose-Headers')
    assert headers['X-Count'] == '1'

    # DELETE with a custom header: allowed; a header not in the list: not
    assert preflight_passes(port, '/api/items/5', 'DELETE', ['X-Token'])
    assert not preflight_passes(port, '/api/items/5', 'DELETE',
                                ['X-Token', 'X-Other'])
    status, headers, _ = ask(port, 'DELETE', '/api/items/5',
                             {'Origin': ORIGIN, 'X-Token': 't0k',
                              'Cookie': cookie})
    assert status == 204 and cors_check(headers, ORIGIN, True)
    # an error answer is readable too (the page sees the 403, not a
    # network error)
    status, headers, _ = ask(port, 'DELETE', '/api/items/5',
                             {'Origin': ORIGIN, 'Cookie': cookie})
    assert status == 403 and cors_check(headers, ORIGIN, True)

    # another origin: every check fails, and caches are told the answer
    # depends on the Origin
    evil = 'https://evil.example'
    assert not preflight_passes(port, '/api/login', 'POST',
                                ['Content-Type'], origin=evil)
    status, headers, _ = ask(port, 'GET', '/api/me',
                             {'Origin': evil, 'Cookie': cookie})
    assert not cors_check(headers, evil, True)
    assert not cors_check(headers, evil, False)
    assert 'Origin' in headers['Vary']


@pytest.mark.parametrize('kind', KINDS)
def test_cors_headers_added_by_the_application(serve, kind):
    port = serve(kind, MANUAL_APP).port
    assert preflight_passes(port, '/api/data', 'PUT', ['Content-Type'],
                            credentials=False)
    status, headers, body = ask(port, 'PUT', '/api/data',
                                {'Origin': ORIGIN,
                                 'Content-Type': 'application/json'}, '{}')
    assert (status, json.loads(body)) == (200, {'method': 'PUT'})
    assert cors_check(headers, ORIGIN, False)
    # the application left CORS out of this route, and the extension added
    # nothing by itself
    status, headers, body = ask(port, 'GET', '/page', {'Origin': ORIGIN})
    assert (status, body) == (200, b'same-origin page')
    assert 'Access-Control-Allow-Origin' not in headers
    assert not preflight_passes(port, '/page', 'PUT', [], credentials=False)

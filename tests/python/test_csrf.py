"""CSRF protection through the test client (the client sends
``Host: localhost`` unless told otherwise). Runs on CPython (pytest) and on
MicroPython (tests/mpy/app_ext_runner.py)."""
import asyncio

from microdot import Microdot
from microdot.cors import CORS
from microdot.csrf import CSRF, normalize_origin
from microdot.session import Session, with_session
from microdot.test_client import TestClient

OWN = 'http://localhost'


def run(coro):
    return asyncio.run(coro)


def make_app(cors_origins=None, **options):
    app = Microdot()
    cors = None
    if cors_origins is not None:
        cors = CORS(app, allowed_origins=cors_origins)
    csrf = CSRF(app, cors, **options)
    calls = []

    @app.route('/data', methods=['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
    async def data(request):
        calls.append(request.method)
        return 'done'

    @app.post('/hook')
    @csrf.exempt
    async def hook(request):
        calls.append('hook')
        return 'hooked'

    @app.post('/guarded')
    @csrf.protect
    async def guarded(request):
        calls.append('guarded')
        return 'guarded'

    return app, calls


def status(app, method, path='/data', headers=None):
    async def main():
        res = await TestClient(app).request(method, path, headers=headers,
                                            body=b'x')
        return res.status_code
    return run(main())


def test_safe_methods_are_never_checked():
    app, calls = make_app()
    for method in ('GET', 'HEAD', 'OPTIONS'):
        assert status(app, method, headers={
            'Origin': 'https://evil.example',
            'Sec-Fetch-Site': 'cross-site'}) in (200, 204)


def test_cross_site_unsafe_requests_are_refused():
    app, calls = make_app()
    refused = [
        {'Sec-Fetch-Site': 'cross-site', 'Origin': 'https://evil.example'},
        {'Sec-Fetch-Site': 'cross-site'},
        {'Sec-Fetch-Site': 'same-site', 'Origin': 'http://sub.localhost'},
        {'Origin': 'https://evil.example'},
        {'Origin': 'null'},
        {'Origin': 'http://localhost.evil.example'},
        {'Origin': 'https://localhost'},  # another scheme is another origin
        {'Origin': 'http://localhost:8080'},
        {'Referer': 'https://evil.example/page'},
        {'Referer': 'not a url'},
    ]
    for method in ('POST', 'PUT', 'PATCH', 'DELETE'):
        for headers in refused:
            assert status(app, method, headers=headers) == 403, \
                (method, headers)
    assert calls == []


def test_same_origin_requests_pass():
    app, calls = make_app()
    allowed = [
        {'Sec-Fetch-Site': 'same-origin'},
        {'Sec-Fetch-Site': 'none'},  # typed in the address bar
        {'Sec-Fetch-Site': 'same-origin', 'Origin': OWN},
        {'Origin': OWN},
        {'Origin': 'HTTP://LOCALHOST:80'},
        {'Referer': OWN + '/form?x=1'},
        {},  # no browser headers: not a browser, so not a forgery
    ]
    for headers in allowed:
        assert status(app, 'POST', headers=headers) == 200, headers
    assert len(calls) == len(allowed)


def test_cors_allowed_origins_are_trusted():
    app, calls = make_app(cors_origins=['https://admin.example'])
    assert status(app, 'POST', headers={
        'Origin': 'https://admin.example', 'Sec-Fetch-Site': 'cross-site'}) \
        == 200
    assert status(app, 'DELETE', headers={
        'Origin': 'https://other.example', 'Sec-Fetch-Site': 'cross-site'}) \
        == 403
    # a CORS wildcard does not switch the protection off
    app, calls = make_app(cors_origins='*')
    assert status(app, 'POST', headers={
        'Origin': 'https://other.example'}) == 403


def test_cors_found_on_the_app_and_trusted_origins():
    app = Microdot()
    CORS(app, allowed_origins=['https://admin.example'])
    CSRF(app, trusted_origins=['https://proxy.example:443'])

    @app.post('/')
    async def index(request):
        return 'ok'

    for origin, expected in (('https://admin.example', 200),
                             ('https://proxy.example', 200),
                             ('https://evil.example', 403)):
        assert status(app, 'POST', '/', {'Origin': origin}) == expected


def test_subdomains():
    app, calls = make_app(allow_subdomains=True)
    assert status(app, 'POST', headers={
        'Origin': 'http://api.localhost', 'Sec-Fetch-Site': 'same-site'}) \
        == 200
    assert status(app, 'POST', headers={
        'Origin': 'https://api.localhost'}) == 403
    assert status(app, 'POST', headers={
        'Origin': 'http://evillocalhost'}) == 403


def test_exempt_and_protect():
    app, calls = make_app()
    evil = {'Origin': 'https://evil.example'}
    assert status(app, 'POST', '/hook', evil) == 200
    assert status(app, 'POST', '/guarded', evil) == 403
    app, calls = make_app(protect_all=False)
    assert status(app, 'POST', '/data', evil) == 200
    assert status(app, 'POST', '/hook', evil) == 200
    assert status(app, 'POST', '/guarded', evil) == 403
    assert status(app, 'POST', '/guarded', {'Origin': OWN}) == 200


def test_refusal_goes_through_error_handlers():
    app, calls = make_app()

    @app.errorhandler(403)
    async def forbidden(request):
        return {'error': 'cross-site request refused'}, 403

    async def main():
        res = await TestClient(app).post(
            '/data', headers={'Origin': 'https://evil.example'})
        assert res.status_code == 403
        assert res.json == {'error': 'cross-site request refused'}
    run(main())


def test_login_form_with_session_is_protected():
    app = Microdot()
    Session(app, secret_key='csrf-session-secret-0123456789abcdef')
    CSRF(app)

    @app.post('/transfer')
    @with_session
    async def transfer(request, session):
        session['done'] = True
        session.save()
        return 'transferred'

    async def main():
        client = TestClient(app)
        res = await client.post('/transfer', headers={
            'Origin': 'https://evil.example', 'Sec-Fetch-Site': 'cross-site'})
        assert res.status_code == 403
        assert 'session' not in client.cookies
        res = await client.post('/transfer', headers={
            'Origin': OWN, 'Sec-Fetch-Site': 'same-origin'})
        assert res.text == 'transferred'
    run(main())


def test_normalize_origin():
    assert normalize_origin('https://Example.COM:443/x?y') == \
        'https://example.com'
    assert normalize_origin('http://example.com:8080') == \
        'http://example.com:8080'
    assert normalize_origin('http://[::1]:80/') == 'http://[::1]'
    for bad in (None, '', 'null', 'ftp://x', 'http://', 'http://u@host',
                'javascript:alert(1)'):
        assert normalize_origin(bad) is None, bad

"""CORS through the test client. Runs on CPython (pytest) and on
MicroPython (tests/mpy/app_ext_runner.py): plain asserts only."""
import asyncio

from microdot import Microdot
from microdot.cors import CORS
from microdot.test_client import TestClient

ORIGIN = 'https://example.com'


def run(coro):
    return asyncio.run(coro)


def make_app(**options):
    app = Microdot()
    calls = []

    @app.route('/items', methods=['GET', 'POST', 'PUT'])
    async def items(req):
        calls.append(req.method)
        return {'method': req.method}

    @app.route('/custom', methods=['GET', 'OPTIONS'])
    async def custom(req):
        calls.append(req.method)
        return 'route answered'

    if options.pop('two_step', False):
        cors = CORS(**options)
        cors.initialize(app)
    else:
        CORS(app, **options)
    return app, calls


def preflight(method='PUT', headers=None, origin=ORIGIN):
    h = {'Origin': origin, 'Access-Control-Request-Method': method}
    h.update(headers or {})
    return h


def test_simple_request_from_allowed_origin():
    async def main():
        app, calls = make_app(allowed_origins=[ORIGIN])
        res = await TestClient(app).get('/items', headers={'Origin': ORIGIN})
        assert res.status_code == 200
        assert res.headers['Access-Control-Allow-Origin'] == ORIGIN
        assert 'Origin' in res.headers['Vary']
        assert 'Access-Control-Allow-Credentials' not in res.headers
        assert calls == ['GET']
    run(main())


def test_request_from_other_origin_gets_no_cors_headers():
    async def main():
        app, calls = make_app(allowed_origins=[ORIGIN])
        res = await TestClient(app).get(
            '/items', headers={'Origin': 'https://evil.example'})
        assert res.status_code == 200
        assert 'Access-Control-Allow-Origin' not in res.headers
        res = await TestClient(app).get('/items')
        assert 'Access-Control-Allow-Origin' not in res.headers
    run(main())


def test_preflight_is_answered_without_reaching_routes():
    async def main():
        app, calls = make_app(allowed_origins=[ORIGIN], max_age=600)
        client = TestClient(app)
        res = await client.options('/items', headers=preflight(
            'PUT', {'Access-Control-Request-Headers': 'X-Token, Content-Type'}))
        assert res.status_code == 204
        assert res.headers['Access-Control-Allow-Origin'] == ORIGIN
        assert res.headers['Access-Control-Allow-Methods'] == 'PUT'
        assert res.headers['Access-Control-Allow-Headers'] == \
            'X-Token, Content-Type'
        assert res.headers['Access-Control-Max-Age'] == '600'
        # a route that handles OPTIONS itself is not called for a preflight
        res = await client.options('/custom', headers=preflight('GET'))
        assert res.status_code == 204
        assert res.body == b''
        assert res.headers['Access-Control-Allow-Methods'] == 'GET'
        assert calls == []
        # but a plain OPTIONS request still reaches it
        res = await client.options('/custom')
        assert res.text == 'route answered'
        assert calls == ['OPTIONS']
    run(main())


def test_preflight_for_unknown_url_does_not_crash():
    async def main():
        app, calls = make_app(allowed_origins=[ORIGIN])
        res = await TestClient(app).options('/nowhere', headers=preflight())
        assert res.status_code == 204
        assert res.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert calls == []
    run(main())


def test_configured_methods_headers_expose():
    async def main():
        app, calls = make_app(
            allowed_origins=[ORIGIN], allowed_methods=['GET', 'POST'],
            allowed_headers=['Authorization'], expose_headers=['X-Total'],
            allow_credentials=True)
        client = TestClient(app)
        res = await client.options('/items', headers=preflight(
            'POST', {'Access-Control-Request-Headers': 'X-Other'}))
        assert res.headers['Access-Control-Allow-Methods'] == 'GET, POST'
        assert res.headers['Access-Control-Allow-Headers'] == 'Authorization'
        assert res.headers['Access-Control-Allow-Credentials'] == 'true'
        assert 'Access-Control-Max-Age' not in res.headers
        res = await client.post('/items', headers={'Origin': ORIGIN})
        assert res.headers['Access-Control-Expose-Headers'] == 'X-Total'
        assert res.headers['Access-Control-Allow-Credentials'] == 'true'
        assert calls == ['POST']
    run(main())


def test_preflight_from_disallowed_origin_has_no_allow_headers():
    async def main():
        app, calls = make_app(allowed_origins=[ORIGIN])
        res = await TestClient(app).options(
            '/items', headers=preflight(origin='https://evil.example'))
        assert 'Access-Control-Allow-Origin' not in res.headers
        assert 'Access-Control-Allow-Methods' not in res.headers
        assert calls == []
    run(main())


def test_wildcard():
    async def main():
        app, calls = make_app(allowed_origins='*')
        res = await TestClient(app).get(
            '/items', headers={'Origin': 'https://any.example'})
        assert res.headers['Access-Control-Allow-Origin'] == '*'
        # with credentials the origin is echoed: browsers refuse '*' then
        app, calls = make_app(allowed_origins='*', allow_credentials=True)
        res = await TestClient(app).get(
            '/items', headers={'Origin': 'https://any.example'})
        assert res.headers['Access-Control-Allow-Origin'] == \
            'https://any.example'
        assert res.headers['Access-Control-Allow-Credentials'] == 'true'
    run(main())


def test_two_step_initialize():
    async def main():
        app, calls = make_app(two_step=True, allowed_origins=[ORIGIN],
                              allow_credentials=True)
        res = await TestClient(app).get('/items', headers={'Origin': ORIGIN})
        assert res.headers['Access-Control-Allow-Origin'] == ORIGIN
        assert res.headers['Access-Control-Allow-Credentials'] == 'true'
    run(main())


def test_error_responses_get_cors_headers():
    async def main():
        app, calls = make_app(allowed_origins=[ORIGIN])
        res = await TestClient(app).get('/missing', headers={'Origin': ORIGIN})
        assert res.status_code == 404
        assert res.headers['Access-Control-Allow-Origin'] == ORIGIN
    run(main())


def test_no_origins_configured_allows_none():
    async def main():
        app, calls = make_app()
        res = await TestClient(app).get('/items', headers={'Origin': ORIGIN})
        assert 'Access-Control-Allow-Origin' not in res.headers
    run(main())

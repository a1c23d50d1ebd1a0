"""Routing through TestClient: methods, dynamic components, custom types,
404/405/HEAD/OPTIONS, mounted sub-applications."""
import asyncio
import os
import sys

try:
    import microdot  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..',
                                    'python'))

import pytest

from microdot import Microdot, URLPattern, redirect
from microdot.test_client import TestClient


def call(app, method, path, **kwargs):
    client = TestClient(app)
    return asyncio.run(client.request(method, path, **kwargs))


@pytest.fixture
def app():
    app = Microdot()

    @app.route('/')
    async def index(req):
        return 'index'

    @app.route('/invoices', methods=['GET', 'POST'])
    async def invoices(req):
        return req.method + ' invoices'

    @app.get('/items')
    async def get_items(req):
        return 'get items'

    @app.post('/items')
    async def post_items(req):
        return 'post items'

    @app.put('/items')
    async def put_items(req):
        return 'put items'

    @app.patch('/items')
    async def patch_items(req):
        return 'patch items'

    @app.delete('/items')
    async def delete_items(req):
        return 'delete items'

    @app.get('/users/<username>')
    async def user(req, username):
        return 'user ' + username

    @app.get('/users/<firstname>/<lastname>')
    async def user2(req, firstname, lastname):
        return 'user ' + firstname + ' ' + lastname

    @app.get('/ids/<int:id>/<string:name>')
    async def ids(req, id, name):
        return {'id': id, 'name': name}

    @app.get('/tests/<path:path>')
    async def tests(req, path):
        return 'path ' + path

    @app.get('/re/<re:[a-zA-Z][a-zA-Z0-9]*:username>')
    async def re_user(req, username):
        return 're ' + username

    @app.get('/re/<int:n>')
    async def re_fallback(req, n):
        return 'int ' + str(n)

    return app


@pytest.mark.parametrize('method,path,body', [
    ('GET', '/', 'index'),
    ('GET', '/invoices', 'GET invoices'),
    ('POST', '/invoices', 'POST invoices'),
    ('GET', '/items', 'get items'),
    ('POST', '/items', 'post items'),
    ('PUT', '/items', 'put items'),
    ('PATCH', '/items', 'patch items'),
    ('DELETE', '/items', 'delete items'),
    ('GET', '/users/susan', 'user susan'),
    ('GET', '/users/susan/smith', 'user susan smith'),
    ('GET', '/users/a%20b', 'user a b'),
    ('GET', '/tests/a/b/c.txt', 'path a/b/c.txt'),
    ('GET', '/re/Bob42', 're Bob42'),
    ('GET', '/re/42', 'int 42'),
])
def test_route_matches(app, method, path, body):
    res = call(app, method, path)
    assert res.status_code == 200
    assert res.text == body


def test_int_and_string_components(app):
    res = call(app, 'GET', '/ids/-12/joe')
    assert res.json == {'id': -12, 'name': 'joe'}
    assert call(app, 'GET', '/ids/x12/joe').status_code == 404


def test_not_found(app):
    res = call(app, 'GET', '/nope')
    assert res.status_code == 404
    assert res.text == 'Not Found'
    assert call(app, 'GET', '/users/a/b/c').status_code == 404
    assert call(app, 'GET', '/re/_bad').status_code == 404


def test_method_not_allowed_lists_allowed_methods(app):
    res = call(app, 'POST', '/users/joe')
    assert res.status_code == 405
    assert res.headers['Allow'] == 'GET, HEAD'
    res = call(app, 'PUT', '/invoices')
    assert res.status_code == 405
    assert set(res.headers['Allow'].split(', ')) == {'GET', 'POST', 'HEAD'}


def test_head_uses_get_route_without_body(app):
    res = call(app, 'HEAD', '/users/joe')
    assert res.status_code == 200
    assert res.body == b''
    assert res.headers['Content-Length'] == str(len('user joe'))


def test_options_default_answer(app):
    res = call(app, 'OPTIONS', '/items')
    assert res.status_code == 204
    allowed = set(res.headers['Allow'].split(', '))
    assert allowed == {'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD',
                       'OPTIONS'}
    assert call(app, 'OPTIONS', '/nope').status_code == 404


def test_options_route_wins_over_default():
    app = Microdot()

    @app.route('/x', methods=['OPTIONS'])
    async def options(req):
        return 'custom', 200, {'Allow': 'GET'}

    res = call(app, 'OPTIONS', '/x')
    assert res.text == 'custom'


def test_register_type_with_parser():
    app = Microdot()
    URLPattern.register_type('hex16', parser=lambda value: int(value, 16))

    @app.get('/hex/<hex16:n>')
    async def hexed(req, n):
        return str(n)

    assert call(app, 'GET', '/hex/ff').text == '255'
    # a parser raising ValueError is a failed match, like returning None
    assert call(app, 'GET', '/hex/zz').status_code == 404


def test_register_type_parser_returning_none_rejects():
    app = Microdot()

    def hex_parser(value):
        try:
            return int(value, 16)
        except ValueError:
            return None

    URLPattern.register_type('hexn', parser=hex_parser)

    @app.get('/h/<hexn:n>')
    async def hexed(req, n):
        return 'hex ' + str(n)

    @app.get('/h/<name>')
    async def other(req, name):
        return 'other ' + name

    assert call(app, 'GET', '/h/1f').text == 'hex 31'
    assert call(app, 'GET', '/h/zz').text == 'other zz'


def test_register_type_with_pattern():
    app = Microdot()
    URLPattern.register_type('hexp', pattern='[0-9a-fA-F]+',
                             parser=lambda value: int(value, 16))

    @app.get('/p/<hexp:n>/x')
    async def hexed(req, n):
        return str(n)

    assert call(app, 'GET', '/p/10/x').text == '16'
    assert call(app, 'GET', '/p/1g/x').status_code == 404


def test_urlpattern_match_directly():
    pattern = URLPattern('/a/<int:x>/<re:[a-z]+:word>/<path:rest>')
    assert pattern.match('/a/5/abc/d/e') == {'x': 5, 'word': 'abc',
                                             'rest': 'd/e'}
    assert pattern.match('/a/5/ABC/d') is None
    assert URLPattern('/s/<name>').match('/s/a%2Fb') == {'name': 'a/b'}


def test_invalid_pattern_raises_at_registration():
    app = Microdot()
    with pytest.raises(ValueError):
        app.route('/x/<unknowntype:y>')(lambda req, y: 'x')


def test_mount_with_prefix_and_url_prefix():
    customers = Microdot()

    @customers.get('/')
    async def all_customers(req):
        return 'customers prefix=' + req.url_prefix

    @customers.post('/')
    async def new_customer(req):
        return redirect(req.url_prefix + '/created')

    app = Microdot()

    @app.get('/')
    async def index(req):
        return 'main prefix=' + repr(req.url_prefix)

    app.mount(customers, url_prefix='/customers')
    assert call(app, 'GET', '/customers/').text == \
        'customers prefix=/customers'
    res = call(app, 'POST', '/customers/')
    assert res.status_code == 302
    assert res.headers['Location'] == '/customers/created'
    assert call(app, 'GET', '/').text == "main prefix=''"


def _subapp_with_handlers(log):
    sub = Microdot()

    @sub.before_request
    async def before(req):
        log.append('sub before ' + req.path)

    @sub.after_request
    async def after(req, res):
        res.headers['X-Sub'] = 'yes'

    @sub.errorhandler(404)
    async def sub_404(req):
        return 'sub 404', 404

    @sub.errorhandler(ZeroDivisionError)
    async def zero(req, exc):
        return 'sub zero', 500

    @sub.get('/hello')
    async def hello(req):
        return 'sub hello'

    @sub.get('/zero')
    async def zero_route(req):
        return 1 / 0

    return sub


def test_mount_non_local_copies_handlers_to_main_app():
    log = []
    app = Microdot()

    @app.get('/main')
    async def main(req):
        return 'main'

    @app.get('/mainzero')
    async def main_zero(req):
        return 1 / 0

    app.mount(_subapp_with_handlers(log), url_prefix='/sub')
    res = call(app, 'GET', '/main')
    assert res.headers['X-Sub'] == 'yes'
    assert log == ['sub before /main']
    assert call(app, 'GET', '/nope').text == 'sub 404'
    assert call(app, 'GET', '/mainzero').text == 'sub zero'
    assert call(app, 'GET', '/sub/hello').text == 'sub hello'


def test_mount_local_scopes_handlers_to_subapp():
    log = []
    app = Microdot()

    @app.before_request
    async def main_before(req):
        log.append('main before ' + req.path)

    @app.get('/main')
    async def main(req):
        return 'main'

    @app.get('/mainzero')
    async def main_zero(req):
        return 1 / 0

    sub = _subapp_with_handlers(log)
    app.mount(sub, url_prefix='/sub', local=True)
    res = call(app, 'GET', '/main')
    assert 'X-Sub' not in res.headers
    assert log == ['main before /main']
    assert call(app, 'GET', '/nope').text == 'Not Found'
    assert call(app, 'GET', '/mainzero').status_code == 500
    assert call(app, 'GET', '/mainzero').text != 'sub zero'
    del log[:]
    res = call(app, 'GET', '/sub/hello')
    assert res.text == 'sub hello'
    assert res.headers['X-Sub'] == 'yes'
    assert log == ['main before /sub/hello', 'sub before /sub/hello']
    assert call(app, 'GET', '/sub/zero').text == 'sub zero'


def test_request_route_and_subapp():
    sub = Microdot()

    @sub.get('/r')
    async def r(req):
        return 'sub' if req.subapp is sub and req.route is r else 'bad'

    app = Microdot()
    app.mount(sub, url_prefix='/s')
    assert call(app, 'GET', '/s/r').text == 'sub'


def test_routes_added_after_first_request():
    app = Microdot()

    @app.get('/a')
    async def a(req):
        return 'a'

    assert call(app, 'GET', '/b').status_code == 404

    @app.get('/b')
    async def b(req):
        return 'b'

    assert call(app, 'GET', '/b').text == 'b'

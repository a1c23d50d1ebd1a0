"""Core behaviours of the façade through TestClient, for MicroPython (no
pytest there); also runs on CPython.

    MICROPYPATH=python:.frozen micropython tests/mpy/core_runner.py [DIR]

DIR (optional) is put first on sys.path, e.g. build/natmod/x64 to use the
``_microdot`` native module; MICRODOT_BACKEND=pure forces the pure backend.
Prints one line per failure and ``N passed, N failed``; exits 1 on failure.
"""
import sys

if len(sys.argv) > 1:
    sys.path.insert(0, sys.argv[1])

from microdot import Microdot, Request, Response, URLPattern, MultiDict, \
    NoCaseDict, abort, redirect, send_file  # noqa: E402
from microdot._backend import backend  # noqa: E402
from microdot.test_client import TestClient  # noqa: E402
from async_tests import test, check, equal, run  # noqa: E402


@test
async def hello_and_methods():
    app = Microdot()

    @app.route('/')
    async def index(req):
        return 'Hello, world!'

    @app.route('/inv', methods=['GET', 'POST'])
    async def inv(req):
        return req.method

    @app.put('/inv')
    def put(req):
        return 'put sync'

    c = TestClient(app)
    res = await c.get('/')
    equal(res.status_code, 200)
    equal(res.text, 'Hello, world!')
    equal(res.headers['Content-Type'], 'text/plain; charset=UTF-8')
    equal((await c.post('/inv')).text, 'POST')
    equal((await c.put('/inv')).text, 'put sync')
    res = await c.delete('/inv')
    equal(res.status_code, 405)
    check('PUT' in res.headers['Allow'], 'Allow lists PUT')
    equal((await c.get('/nope')).status_code, 404)
    res = await c.request('HEAD', '/')
    equal((res.status_code, res.body, res.headers['Content-Length']),
          (200, b'', '13'))
    res = await c.request('OPTIONS', '/inv')
    equal(res.status_code, 204)
    check('POST' in res.headers['Allow'], 'OPTIONS Allow')


@test
async def dynamic_components():
    app = Microdot()
    URLPattern.register_type('hexr', parser=lambda v: int(v, 16))

    def even(value):
        n = int(value)
        return n if n % 2 == 0 else None

    URLPattern.register_type('even', pattern='[0-9]+', parser=even)

    @app.get('/u/<int:id>/<string:name>')
    async def u(req, id, name):
        return {'id': id, 'name': name}

    @app.get('/p/<path:path>')
    async def p(req, path):
        return path

    @app.get('/re/<re:[a-z][a-z0-9]*:user>')
    async def r(req, user):
        return 're ' + user

    @app.get('/h/<hexr:n>')
    async def h(req, n):
        return str(n)

    @app.get('/e/<even:n>')
    async def e(req, n):
        return 'even ' + str(n)

    @app.get('/e/<name>')
    async def odd(req, name):
        return 'other ' + name

    c = TestClient(app)
    equal((await c.get('/u/-4/a%20b')).json, {'id': -4, 'name': 'a b'})
    equal((await c.get('/u/x/b')).status_code, 404)
    equal((await c.get('/p/a/b/c')).text, 'a/b/c')
    equal((await c.get('/re/abc1')).text, 're abc1')
    equal((await c.get('/re/1abc')).status_code, 404)
    equal((await c.get('/h/ff')).text, '255')
    equal((await c.get('/e/4')).text, 'even 4')
    equal((await c.get('/e/5')).text, 'other 5')


@test
async def request_attributes():
    app = Microdot()

    @app.route('/r', methods=['GET', 'POST'])
    async def r(req):
        return {'args': req.args.getlist('a'), 'b': req.args.get('b'),
                'path': req.path, 'qs': req.query_string,
                'cookies': req.cookies, 'json': req.json,
                'form': req.form.get('f') if req.form else None,
                'ct': req.content_type, 'cl': req.content_length,
                'h': req.headers.get('x-test'), 'v': req.http_version}

    c = TestClient(app, cookies={'k': 'v'})
    data = (await c.get('/r?a=1&a=2&b=x+y', headers={'X-Test': 't'})).json
    equal(data['args'], ['1', '2'])
    equal(data['b'], 'x y')
    equal(data['path'], '/r')
    equal(data['qs'], 'a=1&a=2&b=x+y')
    equal(data['cookies'], {'k': 'v'})
    equal(data['h'], 't')
    equal(data['v'], '1.1')
    data = (await c.post('/r', json={'x': [1]})).json
    equal(data['json'], {'x': [1]})
    equal(data['ct'], 'application/json')
    data = (await c.post('/r', data={'f': 'a b'})).json
    equal(data['form'], 'a b')


@test
async def limits_and_stream():
    app = Microdot()

    @app.post('/s')
    async def s(req):
        got = b''
        while True:
            chunk = await req.stream.read(7)
            if not chunk:
                break
            got += chunk
        return str(len(req.body)) + ' ' + str(len(got))

    saved = (Request.max_body_length, Request.max_content_length)
    Request.max_body_length = 10
    Request.max_content_length = 50
    try:
        c = TestClient(app)
        equal((await c.post('/s', body=b'x' * 8)).text, '8 8')
        equal((await c.post('/s', body=b'x' * 30)).text, '0 30')
        equal((await c.post('/s', body=b'x' * 51)).status_code, 413)
    finally:
        Request.max_body_length, Request.max_content_length = saved
    res = await TestClient(app).post(
        '/s', headers={'Transfer-Encoding': 'chunked'},
        body=b'3\r\nabc\r\n0\r\n\r\n')
    equal(res.text, '3 3')


@test
async def content_type_of_repeated_responses():
    # the server reuses the head of a response like the previous one: the
    # default type, an explicit one and a changed default must not mix
    app = Microdot()

    @app.route('/d')
    async def d(req):
        return 'same'

    @app.route('/e')
    async def e(req):
        return 'same', {'Content-Type': 'text/plain'}

    c = TestClient(app)
    saved = Response.default_content_type
    try:
        for path, expected in (('/d', 'text/plain; charset=UTF-8'),
                               ('/e', 'text/plain'),
                               ('/d', 'text/plain; charset=UTF-8')):
            equal((await c.get(path)).headers['Content-Type'], expected)
        Response.default_content_type = 'application/octet-stream'
        equal((await c.get('/d')).headers['Content-Type'],
              'application/octet-stream')
    finally:
        Response.default_content_type = saved
    equal((await c.get('/d')).headers['Content-Type'],
          'text/plain; charset=UTF-8')


@test
async def body_limits_and_lazy_stream_module():
    # the server loads bodies up to max_body_length itself; streamed and
    # chunked bodies are handled by microdot._reqbody, imported on first use
    import sys
    app = Microdot()

    @app.post('/n')
    async def n(req):
        if req.args.get('stream'):
            return 'stream ' + str(len(await req.stream.read()))
        return 'body ' + str(len(req.body))

    sys.modules.pop('microdot._reqbody', None)
    saved = (Request.max_body_length, Request.max_content_length)
    try:
        c = TestClient(app)
        equal((await c.post('/n', body=b'x' * 40)).text, 'body 40')
        # (the stream over a loaded body is not the server's)
        equal((await c.post('/n?stream=1', body=b'x' * 40)).text,
              'stream 40')
        check('microdot._reqbody' not in sys.modules, 'imported too soon')
        # max_content_length below max_body_length still refuses first
        Request.max_body_length, Request.max_content_length = 100, 20
        equal((await c.post('/n', body=b'x' * 21)).status_code, 413)
        equal((await c.post('/n', body=b'x' * 20)).text, 'body 20')
        Request.max_body_length, Request.max_content_length = 10, 100
        equal((await c.post('/n?stream=1', body=b'x' * 30)).text,
              'stream 30')
        check('microdot._reqbody' in sys.modules, 'not imported')
    finally:
        Request.max_body_length, Request.max_content_length = saved


@test
async def response_forms():
    app = Microdot()
    forms = {
        'a': 'text', 'b': ('text', 202), 'c': ('h', {'X-A': '1'}),
        'd': ('h', 201, {'X-A': '2'}), 'e': 204, 'f': {'j': 1},
        'g': [1, 2], 'h': Response(b'resp', 203),
    }

    @app.get('/<k>')
    async def k(req, k):
        return forms[k]

    c = TestClient(app)
    equal((await c.get('/a')).text, 'text')
    equal((await c.get('/b')).status_code, 202)
    equal((await c.get('/c')).headers['X-A'], '1')
    res = await c.get('/d')
    equal((res.status_code, res.headers['X-A']), (201, '2'))
    equal((await c.get('/e')).status_code, 204)
    res = await c.get('/f')
    equal(res.json, {'j': 1})
    check(res.headers['Content-Type'].startswith('application/json'),
          'json content type')
    equal((await c.get('/g')).json, [1, 2])
    equal((await c.get('/h')).status_code, 203)


@test
async def redirect_and_streams():
    app = Microdot()

    @app.get('/r')
    async def r(req):
        return redirect('/there')

    @app.get('/gen')
    async def gen(req):
        def g():
            a, b = 0, 1
            while a < 20:
                yield str(a) + ','
                a, b = b, a + b
        return g()

    class Counter:
        def __init__(self):
            self.n = 0

        def __aiter__(self):
            return self

        async def __anext__(self):
            self.n += 1
            if self.n > 3:
                raise StopAsyncIteration
            return str(self.n)

    @app.get('/cls')
    async def cls(req):
        return Counter()

    c = TestClient(app)
    res = await c.get('/r')
    equal((res.status_code, res.headers['Location']), (302, '/there'))
    res = await c.get('/gen')
    equal(res.text, '0,1,1,2,3,5,8,13,')
    equal(res.headers['Transfer-Encoding'], 'chunked')
    equal((await c.get('/cls')).text, '123')


@test
async def files():
    name = 'core_runner_tmp.png'
    with open(name, 'wb') as f:
        f.write(b'\x89PNG' * 500)
    app = Microdot()

    @app.get('/f')
    async def f(req):
        return send_file(name, max_age=60)

    try:
        res = await TestClient(app).get('/f')
        equal(res.body, b'\x89PNG' * 500)
        equal(res.headers['Content-Type'], 'image/png')
        equal(res.headers['Cache-Control'], 'max-age=60')
    finally:
        import os
        os.remove(name)


@test
async def cookies():
    app = Microdot()

    @app.get('/set')
    async def set_(req):
        @req.after_request
        def later(req, res):
            res.set_cookie('b', '2', path='/', http_only=True,
                           samesite='Strict')
            return res
        res = Response('set')
        res.set_cookie('a', '1', max_age=10, secure=True)
        return res

    @app.get('/del')
    async def del_(req):
        res = Response(','.join(sorted(req.cookies.keys())))
        res.delete_cookie('a')
        return res

    c = TestClient(app)
    res = await c.get('/set')
    equal(res.headers['Set-Cookie'],
          ['a=1; Max-Age=10; Secure',
           'b=2; Path=/; HttpOnly; SameSite=Strict'])
    equal((await c.get('/del')).text, 'a,b')
    equal(c.cookies, {'b': '2'})
    for bad in ('x;y', 'x\r\ny'):
        try:
            Response().set_cookie('c', bad)
        except ValueError:
            pass
        else:
            raise AssertionError('cookie value accepted: ' + repr(bad))


@test
async def handlers():
    app = Microdot()
    log = []

    @app.before_request
    async def before(req):
        if req.path == '/deny':
            return 'denied', 403
        req.g.who = 'me'

    @app.after_request
    def after(req, res):
        res.headers['X-After'] = 'yes'

    @app.after_error_request
    async def after_error(req, res):
        log.append(res.status_code)

    @app.get('/')
    async def index(req):
        return req.g.who

    @app.get('/deny')
    async def deny(req):
        return 'not reached'

    c = TestClient(app)
    res = await c.get('/')
    equal((res.text, res.headers['X-After']), ('me', 'yes'))
    equal((await c.get('/deny')).status_code, 403)
    await c.get('/missing')
    equal(log, [404])


class BaseErr(Exception):
    pass


class MidErr(BaseErr):
    pass


class LeafErr(MidErr):
    pass


@test
async def errors():
    app = Microdot()

    @app.errorhandler(404)
    async def nf(req):
        return {'error': 'nf'}, 404

    @app.errorhandler(BaseErr)
    async def base(req, exc):
        return 'base', 500

    @app.errorhandler(MidErr)
    async def mid(req, exc):
        return 'mid', 500

    @app.get('/<k>')
    async def k(req, k):
        if k == 'abort':
            abort(401)
        if k == 'div':
            return 1 / 0
        raise {'base': BaseErr, 'mid': MidErr, 'leaf': LeafErr}[k]()

    c = TestClient(app)
    equal((await c.get('/a/b')).json, {'error': 'nf'})
    equal((await c.get('/base')).text, 'base')
    equal((await c.get('/mid')).text, 'mid')
    equal((await c.get('/leaf')).text, 'mid')
    equal((await c.get('/abort')).status_code, 401)
    equal((await c.get('/div')).status_code, 500)


@test
async def mount():
    sub = Microdot()
    log = []

    @sub.before_request
    async def before(req):
        log.append(req.path)

    @sub.get('/')
    async def index(req):
        return 'sub ' + req.url_prefix

    app = Microdot()

    @app.get('/')
    async def main(req):
        return 'main'

    app.mount(sub, url_prefix='/sub', local=True)
    c = TestClient(app)
    equal((await c.get('/sub/')).text, 'sub /sub')
    equal((await c.get('/')).text, 'main')
    equal(log, ['/sub/'])


@test
async def containers():
    d = MultiDict()
    d.add('a', 1)
    d.add('a', 2)
    equal((d['a'], d.getlist('a'), 'a' in d, len(d)), (1, [1, 2], True, 1))
    h = NoCaseDict()
    h['Content-Type'] = 'x'
    h['content-type'] = 'y'
    equal((list(h.keys()), h['CONTENT-TYPE'], 'content-TYPE' in h),
          (['Content-Type'], 'y', True))


run(backend.NAME)

"""The core's fast paths keep the public behaviour: routes without URL
components answered from the router's table, Request without properties on
MicroPython (stream, content_type, content_length answered by _lazy),
NoCaseDict() made without its __init__ work, responses whose headers are set
after they are made. Runs on MicroPython and CPython (no pytest there):

    MICROPYPATH=python:.frozen micropython \
        tests/mpy/core_fastpath_runner.py [DIR]
    PYTHONPATH=python python3 tests/mpy/core_fastpath_runner.py

DIR (optional) is put first on sys.path (e.g. build/natmod/x64 for the
``_microdot`` native module). Prints one line per failure and
``N passed, N failed``; exits 1 on failure.
"""
import sys

if len(sys.argv) > 1:
    sys.path.insert(0, sys.argv[1])

from microdot import Microdot, Request, Response, NoCaseDict  # noqa: E402
from microdot._backend import backend  # noqa: E402
from microdot.test_client import TestClient  # noqa: E402
from async_tests import test, equal, run  # noqa: E402


@test
async def component_route_before_a_static_one_wins():
    # '/about' is also matched by the earlier '/<name>': the first route
    # serves it, as the backend's router answers
    app = Microdot()

    @app.get('/<name>')
    async def named(req, name):
        return 'named ' + name

    @app.get('/about')
    async def about(req):
        return 'about'

    @app.get('/x/y')
    async def xy(req):
        return 'xy'

    c = TestClient(app)
    for _ in range(2):  # the second time from the table
        equal((await c.get('/about')).text, 'named about')
        equal((await c.get('/x/y')).text, 'xy')


@test
async def static_path_shared_by_methods():
    app = Microdot()

    @app.get('/item')
    async def get_item(req):
        return 'get'

    @app.post('/item')
    async def post_item(req):
        return 'post'

    @app.route('/item', methods=['DELETE', 'GET'])
    async def other(req):
        return 'other ' + req.method

    c = TestClient(app)
    for _ in range(2):
        equal((await c.get('/item')).text, 'get')
        equal((await c.post('/item')).text, 'post')
        equal((await c.delete('/item')).text, 'other DELETE')
        res = await c.request('HEAD', '/item')
        equal((res.status_code, res.body), (200, b''))
        res = await c.put('/item')
        equal(res.status_code, 405)
        equal(sorted(res.headers['Allow'].split(', ')),
              ['DELETE', 'GET', 'HEAD', 'POST'])


@test
async def routes_added_after_serving():
    app = Microdot()

    @app.get('/a')
    async def a(req):
        return 'a'

    c = TestClient(app)
    equal((await c.get('/a')).text, 'a')
    equal((await c.get('/b')).status_code, 404)

    @app.get('/b')
    async def b(req):
        return 'b'

    equal((await c.get('/b')).text, 'b')
    equal(req_route_of(app, '/b'), b)


def req_route_of(app, path):
    route, args = app._find_route('GET', path)
    equal(args, {})
    return route.handler


@test
async def route_and_url_args_on_the_request():
    app = Microdot()
    seen = []

    @app.get('/s')
    async def s(req):
        seen.append((req.route, req.url_args))
        return 's'

    @app.get('/n/<int:n>')
    async def n(req, n):
        seen.append((req.route, req.url_args))
        return str(n + 1)

    c = TestClient(app)
    await c.get('/s')
    equal((await c.get('/n/41')).text, '42')
    equal(seen, [(s, {}), (n, {'n': 41})])
    seen[0][1]['x'] = 1  # a request's own dict: the next one is empty
    await c.get('/s')
    equal(seen[2][1], {})


@test
async def mounted_routes_keep_prefix_subapp_and_local_handlers():
    sub = Microdot()
    log = []

    @sub.before_request
    async def before(req):
        log.append('before ' + req.url_prefix)

    @sub.after_request
    async def after(req, res):
        res.headers['X-Sub'] = 'yes'

    @sub.get('/p')
    async def p(req):
        return 'p {} {}'.format(req.url_prefix, req.subapp is sub)

    app = Microdot()

    @app.get('/p')
    async def top(req):
        return 'top {} {}'.format(req.url_prefix, req.subapp)

    app.mount(sub, url_prefix='/sub', local=True)
    c = TestClient(app)
    res = await c.get('/sub/p')
    equal((res.text, res.headers.get('X-Sub')), ('p /sub True', 'yes'))
    res = await c.get('/p')
    equal((res.text, res.headers.get('X-Sub')), ('top  None', None))
    equal(log, ['before /sub'])


@test
async def headers_set_after_the_response_is_made():
    app = Microdot()

    @app.after_request
    async def stamp(req, res):
        res.headers['X-After'] = '1'

    @app.get('/')
    async def index(req):
        res = Response('made')
        res.headers['X-Handler'] = 'h'

        @req.after_request
        async def late(req, res):
            res.headers.setdefault('X-Late', 'l')
            return res
        return res

    @app.get('/plain')
    async def plain(req):
        return 'plain'

    c = TestClient(app)
    res = await c.get('/')
    equal((res.text, res.headers.get('X-After'), res.headers.get('X-Handler'),
           res.headers.get('X-Late')), ('made', '1', 'h', 'l'))
    res = await c.get('/plain')
    equal((res.text, res.headers.get('X-After')), ('plain', '1'))


@test
async def response_and_request_subclasses():
    class Text(Response):
        default_content_type = 'text/csv'

    class MyRequest(Request):
        def shout(self):
            return self.path.upper()

    app = Microdot()

    @app.get('/csv')
    async def csv(req):
        return Text('a,b')

    @app.get('/dict')
    async def as_json(req):
        return {'a': 1}

    c = TestClient(app)
    res = await c.get('/csv')
    equal(res.headers['Content-Type'], 'text/csv; charset=UTF-8')
    res = await c.get('/dict')
    equal((res.json, res.headers['Content-Type']),
          ({'a': 1}, 'application/json; charset=UTF-8'))
    req = MyRequest(app, None, 'POST', '/p?x=1', '1.1',
                    {'Content-Type': 'text/plain', 'Content-Length': '3'},
                    b'abc')
    equal((req.shout(), req.query_string, req.content_type,
           req.content_length, req.args['x']),
          ('/P', 'x=1', 'text/plain', 3, '1'))
    equal(await req.stream.read(), b'abc')


@test
async def request_stream_content_type_and_length():
    req = Request(None, None, 'POST', '/', '1.1',
                  ['Content-Type', 'text/plain', 'content-length', '5'],
                  b'hello')
    equal((req.content_type, req.content_length), ('text/plain', 5))
    equal((req.content_type, req.content_length), ('text/plain', 5))
    stream = req.stream
    equal(req.stream is stream, True)
    equal(await stream.read(2), b'he')
    equal(await req.stream.read(), b'llo')

    class Stream:
        pass

    mine = Stream()
    req.stream = mine
    equal(req.stream is mine, True)

    req = Request(None, None, 'GET', '/', '1.1', [])
    equal((req.content_type, req.content_length), (None, 0))
    # the server's view: None until a stream is set, never one of the body
    equal(req._stream, None)
    req.stream = mine
    equal(req._stream is mine, True)
    req = Request(None, None, 'POST', '/', '1.1', [], b'x', mine)
    equal((req.stream is mine, req._stream is mine), (True, True))
    req = Request(None, None, 'GET', '/', '1.0', ['Content-Length', 'x'])
    equal((req.content_length, req.http_version), (0, '1.0'))


@test
async def url_made_from_path_and_query_string():
    # a request made with the path alone and its query string set after
    # (a server that has them apart) has the same url, path and args
    req = Request(None, None, 'GET', '/p', '1.1', [])
    req.query_string = 'a=1&b=%20'
    equal((req.url, req.path, req.args['b']), ('/p?a=1&b=%20', '/p', ' '))
    req = Request(None, None, 'GET', '/p?', '1.1', [])
    equal((req.url, req.path, req.query_string), ('/p?', '/p', ''))
    req = Request(None, None, 'GET', '/p', '1.1', [])
    equal((req.url, req.query_string), ('/p', None))


@test
async def nocasedict_constructors():
    # (items(): MicroPython's dict() iterates a dict subclass as a sequence)
    equal((list(NoCaseDict().items()), list(NoCaseDict(None).items()),
           list(NoCaseDict(initial=None).items()),
           list(NoCaseDict({}).items()),
           list(NoCaseDict(initial={'a': 1}).items())),
          ([], [], [], [], [('a', 1)]))
    # (a dict's order is its insertion order on CPython only)
    d = NoCaseDict({'Content-Type': 'a', 'content-type': 'b'})
    equal((len(d), d['CONTENT-TYPE'] == d['content-type']), (1, True))
    d = NoCaseDict([('X-A', '1'), ('x-a', '2'), ('Y', '3')])
    equal((len(d), d['x-A'], d['y']), (2, '2', '3'))
    d = NoCaseDict()
    d['Set-Cookie'] = 'a'
    equal((d.get('set-cookie'), isinstance(d, NoCaseDict),
           isinstance(d, dict)), ('a', True, True))
    equal(isinstance(Response().headers, NoCaseDict), True)


@test
async def handler_kinds_of_closures_and_methods():
    # a sync closure that holds an async function is still sync; a closure
    # holding a list that holds the closure itself, or a lot of data, is
    # told apart without printing all of it
    app = Microdot()
    big = list(range(20000))
    held = []

    def make():
        async def helper():
            return 'never awaited'

        def sync_handler(req):
            return 'sync ' + str(helper is not None)

        async def async_handler(req):
            held.append(async_handler)
            return 'async {}'.format(len(held) + len(big))

        return sync_handler, async_handler

    sync_handler, async_handler = make()
    app.route('/sync')(sync_handler)
    app.route('/async')(async_handler)

    class Handlers:
        async def method(self, req):
            return 'method'

        def sync_method(self, req):
            return 'sync method'

        async def __call__(self, req):
            return 'callable'

    handlers = Handlers()
    app.route('/method')(handlers.method)
    app.route('/sync-method')(handlers.sync_method)
    app.route('/callable')(handlers)
    c = TestClient(app)
    for _ in range(2):
        equal((await c.get('/sync')).text, 'sync True')
        equal((await c.get('/method')).text, 'method')
        equal((await c.get('/sync-method')).text, 'sync method')
        equal((await c.get('/callable')).text, 'callable')
    equal((await c.get('/async')).text, 'async 20001')
    equal((await c.get('/async')).text, 'async 20002')


@test
async def per_request_hooks_are_not_kept():
    # a hook made per request (request.after_request) is a new function
    # each time: whether it is async must not be remembered for good
    from microdot import microdot as core
    app = Microdot()

    @app.get('/')
    async def index(req):
        @req.after_request
        def stamp(req, res):
            res.headers['X-Stamp'] = 'sync'

        @req.after_request
        async def stamp_async(req, res):
            res.headers['X-Async'] = 'async'
        return 'hi'

    c = TestClient(app)
    for _ in range(100):
        res = await c.get('/')
        equal((res.headers['X-Stamp'], res.headers['X-Async']),
              ('sync', 'async'))
    equal(len(core._async_cache) <= core._ASYNC_CACHE_MAX, True)


@test
async def repeated_cookie_fields_whichever_is_read_first():
    app = Microdot()

    @app.get('/c')
    async def c(req):
        if req.args.get('first') == 'headers':
            joined = req.headers.get('Cookie')
            return {'cookies': req.cookies, 'header': joined}
        cookies = req.cookies
        return {'cookies': cookies, 'header': req.headers.get('Cookie')}

    @app.get('/set')
    async def set_(req):
        req.headers['Cookie'] = 'c=3, d=4'
        return req.cookies

    # (requests made as the server makes them: a raw head with two Cookie
    # fields, which the test client cannot send)
    for first in ('headers', 'cookies'):
        req = Request(app, None, 'GET', '/c?first=' + first, '1.1',
                      ['Cookie', 'a=1', 'Host', 'h', 'cookie', 'b=2; a=5'])
        res = await app.dispatch_request(req)
        body = res.body if isinstance(res.body, bytes) else \
            res.body.encode()
        equal(body.count(b'"a": "1"'), 1)
        equal(b'"b": "2"' in body, True)
        equal(b'"header": "a=1, b=2; a=5"' in body, True)
    req = Request(app, None, 'GET', '/set', '1.1',
                  ['Cookie', 'a=1', 'Cookie', 'b=2'])
    res = await app.dispatch_request(req)
    body = res.body if isinstance(res.body, bytes) else res.body.encode()
    equal(body.replace(b' ', b''), b'{"c":"3,d=4"}')


run(backend.NAME)

"""The built-in CPython server calls the handler of a route without
components itself (microdot._aioserver._serve_now), rather than through
Microdot.dispatch_request, when the app has no before-request handler and
the handler is async; a handler returning a str is answered without a
Response object. Everything the client and the handler can see must be the
same as through dispatch_request: these tests serve the same routes from an
app whose before-request handler (which does nothing) sends every request
through dispatch_request, and compare the bytes sent back; and check what
handlers and error handlers see."""
import asyncio
import contextvars
import socket
import sys
import traceback

import pytest

from microdot import Microdot, Response
from servers import serve_in_thread

pytestmark = pytest.mark.skipif(sys.implementation.name != 'cpython',
                                reason='the CPython server')

IO_TIMEOUT = 10
seen = contextvars.ContextVar('seen', default=0)


class Hello:
    async def __call__(self, req):
        return 'from an object'


async def _template(req):
    pass


class FutureHandler:
    """A handler that looks like an async function to
    inspect.iscoroutinefunction but whose call gives a Future (as a sync
    function marked with inspect.markcoroutinefunction can)."""

    __name__ = 'future_handler'
    __code__ = _template.__code__
    __defaults__ = None
    __kwdefaults__ = None
    __annotations__ = {}

    def __call__(self, req):
        future = asyncio.get_running_loop().create_future()
        future.set_result('from a future')
        return future


def make_app(through_dispatch):
    app = Microdot()
    app.log = []

    if through_dispatch:
        @app.before_request
        async def nothing(req):
            return None

    @app.get('/')
    async def index(req):
        return 'Hello, World!'

    @app.get('/text')
    async def text(req):
        return 'caf\u00e9 \u2603 ' + req.method + ' ' + req.http_version

    @app.get('/big')
    async def big(req):
        return 'x' * 70000

    @app.get('/surrogate')
    async def surrogate(req):
        return '\ud800'

    @app.get('/empty')
    async def empty(req):
        return ''

    @app.get('/none')
    async def none(req):
        return None

    @app.get('/json')
    async def json(req):
        return {'a': [1, 2], 'b': None}

    @app.get('/bad-json')
    async def bad_json(req):
        return {'a': object()}

    @app.get('/tuple')
    async def tuple_(req):
        return 'made', 201, {'X-One': '1', 'Set-Cookie': 'a=b'}

    @app.get('/response')
    async def response(req):
        res = Response('with a cookie', headers={'X-Two': '2'})
        res.set_cookie('session', 'abc', http_only=True)
        return res

    @app.get('/status')
    async def status(req):
        return 404

    @app.get('/sleep')
    async def sleep(req):
        await asyncio.sleep(0.01)
        return 'slept'

    @app.get('/sleep-json')
    async def sleep_json(req):
        await asyncio.sleep(0)
        return {'slept': True}

    @app.get('/fail')
    async def fail(req):
        raise RuntimeError('handler failure for the tests')

    @app.get('/fail-later')
    async def fail_later(req):
        await asyncio.sleep(0)
        raise RuntimeError('handler failure for the tests')

    @app.get('/value-error')
    async def value_error(req):
        raise ValueError('for the tests')

    @app.get('/value-error-later')
    async def value_error_later(req):
        await asyncio.sleep(0)
        raise ValueError('for the tests')

    @app.errorhandler(ValueError)
    async def on_value_error(req, exc):
        # what an error handler sees: the exception being handled, with the
        # handler's frame in its traceback
        info = sys.exc_info()[1]
        stack = traceback.format_exc()
        await asyncio.sleep(0)
        return 'handled {} {} {}'.format(
            type(exc).__name__, info is exc,
            'in value_error' in stack), 418

    @app.get('/frames')
    async def frames(req):
        raise KeyError('for the tests')

    @app.errorhandler(KeyError)
    async def on_key_error(req, exc):
        # the traceback: the server's frame that called the handler, then
        # the handler's
        names = [frame.name for frame in traceback.extract_tb(
            exc.__traceback__)]
        return '{} {}'.format(len(names), names[-1]), 500

    @app.get('/abort')
    async def abort_(req):
        from microdot import abort
        abort(403)

    @app.get('/hook')
    async def hook(req):
        @req.after_request
        async def add_header(req, res):
            res.headers['X-Hook'] = 'yes'
            return res
        return 'hooked'

    @app.get('/object')
    async def obj(req):
        return await Hello()(req)

    app.route('/callable')(Hello())
    app.route('/future')(FutureHandler())

    @app.get('/sync')
    def sync(req):
        return 'sync'

    @app.get('/attrs')
    async def attrs(req):
        return '|'.join(str(x) for x in (
            req.method, req.path, req.url, req.query_string, req.args,
            req.http_version, req.headers.get('Host'), req.scheme,
            req.route is attrs, req.url_args, req.client_addr[0],
            req.content_length, req.body, req.cookies))

    @app.get('/task')
    async def task(req):
        seen.set(seen.get() + 1)
        return 'task {} {}'.format(asyncio.current_task() is not None,
                                   seen.get())

    @app.get('/cancel-self')
    async def cancel_self(req):
        asyncio.current_task().cancel()
        try:
            await asyncio.sleep(0)
        except asyncio.CancelledError:
            return 'caught'
        return 'not cancelled'

    sub = Microdot()

    @sub.get('/hi')
    async def sub_hi(req):
        return 'sub {} {}'.format(req.url_prefix, req.subapp is sub)

    @sub.after_request
    async def sub_after(req, res):
        res.headers['X-Sub'] = 'yes'
        return res

    app.mount(sub, url_prefix='/sub', local=True)

    @app.route('/post', methods=['POST'])
    async def post(req):
        return 'posted'

    return app


@pytest.fixture(scope='module')
def direct():
    gen = serve_in_thread(make_app(False), IO_TIMEOUT)
    port = next(gen)
    # (the app's first request makes its router: the requests of the tests
    # find their routes in it)
    exchange(port, get('/'))
    yield port
    for _ in gen:
        pass


@pytest.fixture(scope='module')
def dispatched():
    yield from serve_in_thread(make_app(True), IO_TIMEOUT)


def exchange(port, data):
    """Sends ``data`` on a new connection and returns all the server sent
    until it closed the connection."""
    with socket.create_connection(('127.0.0.1', port),
                                  timeout=IO_TIMEOUT) as sock:
        sock.sendall(data)
        out = b''
        while True:
            chunk = sock.recv(65536)  # (times out if never closed)
            if not chunk:
                return out
            out += chunk


def get(path, version='1.1', close=True, extra=''):
    return ('GET {} HTTP/{}\r\nHost: x\r\n{}{}\r\n'.format(
        path, version, 'Connection: close\r\n' if close else '',
        extra)).encode()


PATHS = ['/', '/text', '/big', '/surrogate', '/empty', '/none', '/json',
         '/bad-json', '/tuple', '/response', '/status', '/sleep',
         '/sleep-json', '/fail', '/fail-later', '/value-error',
         '/value-error-later', '/abort', '/hook', '/object', '/callable',
         '/future', '/sync', '/cancel-self', '/frames', '/post', '/nowhere',
         '/?a=1&b=2', '/attrs?x=%20y', '/sub/hi']


@pytest.mark.parametrize('path', PATHS)
@pytest.mark.parametrize('version', ['1.1', '1.0'])
def test_same_answer_as_through_dispatch(direct, dispatched, path, version):
    want = exchange(dispatched, get(path, version))
    got = exchange(direct, get(path, version))
    assert got == want
    assert got.startswith(b'HTTP/' + version.encode() + b' ')


@pytest.mark.parametrize('path', ['/', '/text', '/sleep', '/fail', '/json',
                                  '/hook', '/value-error-later'])
def test_same_answers_kept_alive_and_pipelined(direct, dispatched, path):
    # three requests, the last one closing: answered in order
    data = get(path, close=False) + get('/text', close=False) + get(path)
    assert exchange(direct, data) == exchange(dispatched, data)


def test_head_and_post_same_as_through_dispatch(direct, dispatched):
    for data in (b'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
                 b'HEAD /text HTTP/1.0\r\n\r\n',
                 b'POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n'
                 b'Connection: close\r\n\r\nab',
                 b'POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'):
        assert exchange(direct, data) == exchange(dispatched, data)


def test_text_answer_bytes(direct):
    assert exchange(direct, get('/')) == (
        b'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\n'
        b'Connection: close\r\nContent-Length: 13\r\n\r\nHello, World!')
    body = 'caf\u00e9 \u2603 GET 1.0'.encode()
    assert exchange(direct, get('/text', '1.0')) == (
        b'HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\n'
        b'Connection: close\r\nContent-Length: %d\r\n\r\n' % len(body)
        + body)


def test_mounted_route(direct):
    got = exchange(direct, get('/sub/hi'))
    assert b'X-Sub: yes\r\n' in got
    assert got.endswith(b'sub /sub True')


def test_handler_giving_another_awaitable(direct):
    assert exchange(direct, get('/future')).endswith(
        b'Content-Length: 13\r\n\r\nfrom a future')


def test_same_text_other_version(direct):
    # (the answer kept for the same text is for one HTTP version)
    for version in ('1.1', '1.0', '1.0', '1.1'):
        got = exchange(direct, get('/', version))
        assert got.startswith(b'HTTP/%s 200 OK\r\n' % version.encode())


def test_text_answer_lengths_change(direct):
    # the cached head of one length is not reused for another
    for path, body in [('/', b'Hello, World!'), ('/empty', b''),
                       ('/', b'Hello, World!'), ('/object',
                                                 b'from an object')]:
        got = exchange(direct, get(path))
        assert got.endswith(b'Content-Length: %d\r\n\r\n' % len(body) + body)


def test_default_content_type_changed_is_used(direct):
    Response.default_content_type = 'text/html'
    try:
        got = exchange(direct, get('/'))
    finally:
        Response.default_content_type = 'text/plain'
    assert b'Content-Type: text/html; charset=UTF-8\r\n' in got
    assert b'text/plain' not in got
    got = exchange(direct, get('/'))
    assert b'Content-Type: text/plain; charset=UTF-8\r\n' in got


def test_error_handler_sees_the_exception(direct):
    for path in ('/value-error', '/value-error-later'):
        got = exchange(direct, get(path))
        assert got.startswith(b'HTTP/1.1 418 ')
        assert got.endswith(b'handled ValueError True True')


def test_handler_sees_a_task_and_a_context_of_its_own(direct):
    for _ in range(3):
        got = exchange(direct, get('/task'))
        assert got.endswith(b'task True 1')


def test_request_attributes(direct):
    got = exchange(direct, get('/attrs?x=%20y', extra='Cookie: c=d\r\n'))
    body = got.split(b'\r\n\r\n', 1)[1].decode()
    assert body == ("GET|/attrs|/attrs?x=%20y|x=%20y|{'x': ' y'}"
                    "|1.1|x|http|True|{}|127.0.0.1|0|b''|{'c': 'd'}")


def test_kept_alive_then_closed(direct):
    got = exchange(direct, get('/', close=False) + get('/'))
    assert got.count(b'HTTP/1.1 200 OK') == 2
    assert got.count(b'Connection: close') == 1


def test_debug_logs_each_request(capsys):
    app = make_app(False)
    gen = serve_in_thread(app, IO_TIMEOUT)
    port = next(gen)
    try:
        exchange(port, get('/'))  # (the first request makes the router)
        app.debug = True
        assert exchange(port, get('/')).endswith(b'Hello, World!')
        assert exchange(port, get('/fail')).startswith(b'HTTP/1.1 500 ')
    finally:
        app.debug = False
        for _ in gen:
            pass
    out = capsys.readouterr().out
    assert 'GET / 200' in out
    assert 'GET /fail 500' in out


class LoggingMicrodot(Microdot):
    async def dispatch_request(self, req):
        res = await super().dispatch_request(req)
        res.headers['X-Dispatched'] = req.path
        return res


def test_dispatch_request_of_a_subclass_is_called():
    app = LoggingMicrodot()

    @app.get('/')
    async def index(req):
        return 'Hello'

    gen = serve_in_thread(app, IO_TIMEOUT)
    port = next(gen)
    try:
        for _ in range(3):  # (the first request makes the router)
            got = exchange(port, get('/'))
            assert b'X-Dispatched: /\r\n' in got
            assert got.endswith(b'Hello')
    finally:
        for _ in gen:
            pass


def test_hooks_added_later_are_run():
    app = make_app(False)
    gen = serve_in_thread(app, IO_TIMEOUT)
    port = next(gen)
    try:
        assert b'X-After' not in exchange(port, get('/'))

        @app.after_request
        async def after(req, res):
            res.headers['X-After'] = req.path
            return res

        assert b'X-After: /\r\n' in exchange(port, get('/'))
        assert b'X-After: /sleep\r\n' in exchange(port, get('/sleep'))

        @app.before_request
        async def before(req):
            if req.path == '/':
                return 'stopped before'

        assert exchange(port, get('/')).endswith(b'stopped before')
    finally:
        for _ in gen:
            pass

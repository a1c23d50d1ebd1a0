"""Before/after/error handlers, abort, exception handler lookup, sync and
async handlers, through TestClient."""
import asyncio
import os
import sys
import threading

try:
    import microdot  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..',
                                    'python'))

from microdot import Microdot, Response, HTTPException, abort
from microdot.test_client import TestClient


def call(app, method, path, **kwargs):
    return asyncio.run(TestClient(app).request(method, path, **kwargs))


def test_before_request_short_circuits():
    app = Microdot()
    calls = []

    @app.before_request
    async def auth(req):
        if req.headers.get('Authorization') != 'ok':
            return 'Unauthorized', 401
        req.g.user = 'susan'

    @app.get('/')
    async def index(req):
        calls.append('index')
        return 'hello ' + req.g.user

    res = call(app, 'GET', '/')
    assert res.status_code == 401 and res.text == 'Unauthorized'
    assert calls == []
    res = call(app, 'GET', '/', headers={'Authorization': 'ok'})
    assert res.text == 'hello susan'
    assert calls == ['index']


def test_after_request_may_replace_or_keep_response():
    app = Microdot()

    @app.after_request
    async def add_header(req, res):
        res.headers['X-One'] = '1'

    @app.after_request
    def replace(req, res):  # sync handler
        if req.path == '/replace':
            return Response('replaced', 202)

    @app.get('/')
    async def index(req):
        return 'index'

    @app.get('/replace')
    async def rep(req):
        return 'original'

    res = call(app, 'GET', '/')
    assert res.text == 'index' and res.headers['X-One'] == '1'
    res = call(app, 'GET', '/replace')
    assert res.status_code == 202 and res.text == 'replaced'


def test_after_error_request_runs_for_errors_only():
    app = Microdot()
    seen = []

    @app.after_request
    async def after(req, res):
        seen.append('after ' + str(res.status_code))

    @app.after_error_request
    async def after_error(req, res):
        seen.append('error ' + str(res.status_code))
        res.headers['X-Error'] = 'yes'
        return res

    @app.get('/')
    async def index(req):
        return 'ok'

    @app.get('/fail')
    async def fail(req):
        raise RuntimeError('boom')

    assert call(app, 'GET', '/').status_code == 200
    res = call(app, 'GET', '/fail')
    assert res.status_code == 500 and res.headers['X-Error'] == 'yes'
    res = call(app, 'GET', '/missing')
    assert res.status_code == 404 and res.headers['X-Error'] == 'yes'
    assert seen == ['after 200', 'error 500', 'error 404']


def test_request_specific_after_request():
    app = Microdot()

    @app.post('/logout')
    async def logout(req):
        @req.after_request
        def reset_session(req, res):
            res.set_cookie('session', '', http_only=True)
            return res

        return 'Logged out'

    @app.get('/other')
    async def other(req):
        return 'other'

    res = call(app, 'POST', '/logout')
    assert res.text == 'Logged out'
    assert res.headers['Set-Cookie'] == ['session=; HttpOnly']
    assert 'Set-Cookie' not in call(app, 'GET', '/other').headers


def test_errorhandler_by_status_code():
    app = Microdot()

    @app.errorhandler(404)
    async def not_found(req):
        return {'error': 'resource not found'}, 404

    @app.errorhandler(405)
    def not_allowed(req):
        return 'nope', 405

    @app.get('/x')
    async def x(req):
        return 'x'

    res = call(app, 'GET', '/missing')
    assert res.status_code == 404
    assert res.json == {'error': 'resource not found'}
    res = call(app, 'POST', '/x')
    assert res.status_code == 405 and res.text == 'nope'
    assert res.headers['Allow'] == 'GET, HEAD'


class AppError(Exception):
    pass


class DbError(AppError):
    pass


class DeadlockError(DbError):
    pass


def test_errorhandler_by_exception_class_most_specific():
    app = Microdot()

    @app.errorhandler(AppError)
    async def app_error(req, exc):
        return 'app error', 500

    @app.errorhandler(DbError)
    async def db_error(req, exc):
        return 'db error ' + type(exc).__name__, 503

    @app.errorhandler(ZeroDivisionError)
    async def zero(req, exc):
        return {'error': 'division by zero'}, 500

    @app.get('/<kind>')
    async def fail(req, kind):
        raise {'app': AppError, 'db': DbError, 'dead': DeadlockError,
               'zero': ZeroDivisionError, 'other': KeyError}[kind]()

    assert call(app, 'GET', '/app').text == 'app error'
    res = call(app, 'GET', '/db')
    assert res.status_code == 503 and res.text == 'db error DbError'
    assert call(app, 'GET', '/dead').text == 'db error DeadlockError'
    assert call(app, 'GET', '/zero').json == {'error': 'division by zero'}
    res = call(app, 'GET', '/other')
    assert res.status_code == 500
    assert res.text == 'Internal Server Error'


def test_errorhandler_500_for_unhandled_exceptions():
    app = Microdot()

    @app.errorhandler(500)
    async def internal(req):
        return 'custom 500', 500

    @app.get('/')
    async def index(req):
        raise ValueError('x')

    assert call(app, 'GET', '/').text == 'custom 500'


def test_failing_error_handler_gives_plain_500():
    app = Microdot()

    @app.errorhandler(404)
    async def broken(req):
        raise RuntimeError('broken handler')

    res = call(app, 'GET', '/missing')
    assert res.status_code == 500


def test_abort_and_http_exception():
    app = Microdot()

    @app.get('/abort')
    async def do_abort(req):
        abort(403)

    @app.get('/reason')
    async def with_reason(req):
        abort(409, 'Already there')

    @app.get('/raise')
    async def do_raise(req):
        raise HTTPException(418)

    @app.errorhandler(418)
    async def teapot(req):
        return 'short and stout', 418

    res = call(app, 'GET', '/abort')
    assert res.status_code == 403 and res.text == 'Forbidden'
    res = call(app, 'GET', '/reason')
    assert res.status_code == 409 and res.text == 'Already there'
    assert res.reason == 'Already there'
    assert call(app, 'GET', '/raise').text == 'short and stout'


def test_sync_handlers_run_in_a_thread_on_cpython():
    app = Microdot()
    main_thread = threading.get_ident()

    @app.get('/')
    def index(req):
        return 'thread ' + ('main' if threading.get_ident() == main_thread
                            else 'other')

    assert call(app, 'GET', '/').text == 'thread other'


def test_async_handler_can_await():
    app = Microdot()

    @app.get('/')
    async def index(req):
        await asyncio.sleep(0.01)
        return 'slept'

    assert call(app, 'GET', '/').text == 'slept'


def test_debug_puts_traceback_in_500_body_only_with_debug():
    app = Microdot()

    @app.get('/')
    async def index(req):
        raise RuntimeError('secret detail')

    res = call(app, 'GET', '/')
    assert res.status_code == 500 and 'secret detail' not in res.text
    app.debug = True
    res = call(app, 'GET', '/')
    assert res.status_code == 500 and 'secret detail' in res.text


def test_dispatch_request_never_raises():
    app = Microdot()

    @app.after_error_request
    async def broken(req, res):
        raise RuntimeError('broken after error handler')

    @app.get('/')
    async def index(req):
        raise RuntimeError('x')

    res = call(app, 'GET', '/')
    assert res.status_code == 500


def test_invoke_handler_awaits_async_and_runs_sync_in_a_thread():
    import threading
    from microdot.microdot import invoke_handler

    async def coro(a, b=0):
        return ('async', a + b)

    def plain(a, b=0):
        return ('sync', a + b, threading.current_thread() is
                threading.main_thread())

    async def main():
        return (await invoke_handler(coro, 1, b=2),
                await invoke_handler(plain, 3, b=4))

    assert asyncio.run(main()) == (('async', 3), ('sync', 7, False))


def test_large_chunked_body_is_streamed_and_decoded_on_demand():
    from microdot import Request
    from microdot.test_client import TestClient
    app = Microdot()
    lines = b''.join(b'line %d\n' % i for i in range(3000))  # ~26 KB
    seen = {}

    @app.post('/lines')
    async def read_lines(req):
        seen['body'] = req.body
        first = await req.stream.readline()
        exact = await req.stream.readexactly(7)
        rest = await req.stream.read()
        return {'first': first.decode(), 'exact': exact.decode(),
                'size': len(first) + len(exact) + len(rest)}

    @app.post('/skip')
    async def skip(req):
        return str(len(await req.stream.read(10)))

    pieces = [lines[i:i + 1000] for i in range(0, len(lines), 1000)]
    body = b''.join(b'%x\r\n%s\r\n' % (len(p), p) for p in pieces) + \
        b'0\r\n\r\n'
    saved = Request.max_content_length
    Request.max_content_length = 64 * 1024
    try:
        client = TestClient(app)
        res = asyncio.run(client.post('/lines', body=body, headers={
            'Transfer-Encoding': 'chunked'}))
        assert res.json == {'first': 'line 0\n', 'exact': 'line 1\n',
                            'size': len(lines)}
        assert seen['body'] == b''
        # a handler that reads only the start: the rest is skipped and the
        # next request on the connection is served
        raw = client.build_request('POST', '/skip', {
            'Transfer-Encoding': 'chunked'}, body)
        out = asyncio.run(client.run(raw + raw))
        assert out.count(b'HTTP/1.1 200 OK') == 2 and out.endswith(b'10')
        # over max_content_length: 413 for a reader
        Request.max_content_length = 20 * 1024
        res = asyncio.run(client.post('/lines', body=body, headers={
            'Transfer-Encoding': 'chunked'}))
        assert res.status_code == 413
    finally:
        Request.max_content_length = saved

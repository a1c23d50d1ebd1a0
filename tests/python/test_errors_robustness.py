"""Errors inside the app, and clients that vanish, on a real server: a
failing handler (or hook, or error handler, or streamed body) gives a 500
(a traceback in the body only with debug=True), is logged, and never kills
the server or another connection; a client that disconnects mid-response is
handled quietly (nothing logged)."""
import time

import pytest

from servers import APPS, Server, build_request

TARGETS = ['cpython-cffi', 'cpython-pure', 'micropython-c']

# server_app.py with extra failing routes, added just before it runs
ERRORS_APP = '''
import sys
from microdot import Microdot

_run = Microdot.run


def run(self, *args, **kwargs):
    @self.get('/gen-fail')
    async def gen_error(request):
        def pieces():
            yield 'first piece;'
            raise RuntimeError('streamed body failure for the tests')
        return pieces()

    @self.errorhandler(ZeroDivisionError)
    async def broken_error_handler(request, exc):
        raise KeyError('error handler failure for the tests')

    @self.get('/div')
    async def div(request):
        return str(1 // 0)

    @self.before_request
    async def hook(request):
        if request.path == '/hook-error':
            raise LookupError('before_request failure for the tests')

    @self.get('/hook-error')
    async def hook_error(request):
        return 'not reached'

    @self.get('/bad-return')
    async def bad_return(request):
        return object()

    return _run(self, *args, **kwargs)


Microdot.run = run
exec(open({app!r}).read())
'''


@pytest.fixture(scope='module', params=TARGETS)
def errors_app(request, tmp_path_factory):
    path = tmp_path_factory.mktemp('errors') / 'errors_app.py'
    path.write_text(ERRORS_APP.format(app=str(APPS / 'server_app.py')))
    return request.param, str(path)


def start(errors_app, **settings):
    target, app = errors_app
    return Server(target, app=app, **settings).start()


@pytest.fixture
def server(errors_app):
    srv = start(errors_app)
    yield srv
    alive = srv.alive()
    output = srv.output()
    srv.stop()
    assert alive, 'the server died:\n' + output[-3000:]


FAILING = ['/error', '/sync-error', '/div', '/hook-error']


@pytest.mark.parametrize('path', FAILING)
def test_failure_is_500_without_traceback(server, path):
    with server.connect() as conn:
        reply = conn.request('GET', path)
        assert reply.status == 500, reply
        assert b'Traceback' not in reply.body
        assert b'for the tests' not in reply.body
        # the connection itself survives the failure
        assert conn.request('GET', '/').body == b'hello'


def test_unsendable_return_value_is_500(server):
    with server.connect() as conn:
        reply = conn.request('GET', '/bad-return')
        assert reply.status == 500, reply
        assert conn.request('GET', '/').body == b'hello'


def test_failures_are_logged(server):
    for path in ['/error', '/sync-error', '/hook-error']:
        with server.connect() as conn:
            assert conn.request('GET', path).status == 500
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        out = server.output()
        if 'before_request failure' in out:
            break
        time.sleep(0.1)
    out = server.output()
    for message in ['handler failure for the tests',
                    'sync handler failure for the tests',
                    'before_request failure for the tests']:
        assert message in out, out[-2000:]


def test_debug_puts_traceback_in_body(errors_app):
    srv = start(errors_app, debug=1)
    try:
        with srv.connect() as conn:
            reply = conn.request('GET', '/error')
        assert reply.status == 500
        assert b'handler failure for the tests' in reply.body, reply
        assert b'RuntimeError' in reply.body, reply
    finally:
        srv.stop()


def test_failure_does_not_disturb_other_connections(server):
    with server.connect() as slow:
        slow.send(build_request('GET', '/sleep?s=1'))
        for path in FAILING:
            with server.connect() as conn:
                assert conn.request('GET', path).status == 500
        assert slow.read_reply().body == b'slept'


def test_streamed_body_failure_cuts_the_response(server):
    with server.connect() as conn:
        conn.send(build_request('GET', '/gen-fail'))
        status_line, headers = conn.read_head()
        assert status_line.split()[1] == '200'
        rest = conn.read_to_eof()
        assert b'first piece;' in rest
        assert not rest.endswith(b'0\r\n\r\n'), \
            'a failed body must not look complete'
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'


def test_client_disconnects_are_quiet(server):
    for i in range(5):
        conn = server.connect()
        conn.send(build_request('GET', '/large'))
        conn.read_exactly(1000)
        conn.abort()  # reset mid-response
    for i in range(3):
        conn = server.connect()
        conn.send(build_request('GET', '/sleep?s=0.2'))
        conn.abort()  # gone before the response
    for i in range(3):
        conn = server.connect()
        conn.send(build_request('POST', '/echo',
                                headers={'Content-Length': '100'}) + b'part')
        conn.abort()  # gone in the middle of the body
    time.sleep(0.5)  # let the server notice
    with server.connect() as conn:
        assert conn.request('GET', '/').body == b'hello'
    out = server.output()
    assert 'Traceback' not in out, out[-3000:]

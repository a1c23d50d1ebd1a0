"""Review 3: microdot._cbuild (ports/cffi/md_pybuild.c) and the CPython
built-in server's fast path (microdot._aioserver._serve_now).

- _cbuild: Request.args/.cookies built through it against the pure rules
  (microdot._pure.parse_query / parse_cookies) on a wide random alphabet;
  the error paths of every builder keep no memory; free use from several
  threads; setup.py (what `pip install .` runs) builds it.
- _serve_now: the same bytes as through dispatch_request (an app with a
  before-request handler that does nothing) for answers the existing tests
  do not cover; routes, error handlers and hooks added while serving;
  shutdown and client disconnects while a fast-path handler waits; and the
  same status, headers and body through the ASGI and WSGI adapters."""
import asyncio
import gc
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from microdot import Microdot, Response, abort
from microdot import _pure
from microdot.microdot import MultiDict, Request
from servers import serve_in_thread

try:
    from microdot import _cbuild
except ImportError:
    _cbuild = None

REPO = Path(__file__).resolve().parents[2]
IO_TIMEOUT = 10
cpython_only = pytest.mark.skipif(sys.implementation.name != 'cpython',
                                  reason='CPython only')
needs_cbuild = pytest.mark.skipif(_cbuild is None,
                                  reason='microdot._cbuild is not built')
# (MICRODOT_BACKEND=pure keeps _cbuild's helpers out of the request path)
needs_c_helpers = pytest.mark.skipif(
    os.environ.get('MICRODOT_BACKEND') == 'pure',
    reason='the pure backend is forced: no C helpers in use')


# -- microdot._cbuild ------------------------------------------------------

def pure_args(query):
    flat = _pure.parse_query(query)
    args = MultiDict()
    for i in range(0, len(flat), 2):
        args.add(flat[i], flat[i + 1])
    return args


def pure_cookies(header):
    flat = _pure.parse_cookies(header)
    cookies = {}
    for i in range(0, len(flat), 2):
        if flat[i] not in cookies:  # (the first of a repeated name wins)
            cookies[flat[i]] = flat[i + 1]
    return cookies


ALPHABET = ['a', 'b', 'A', '=', '&', ';', ' ', '\t', ',', '%', '%41', '+',
            '"', '\x00', '\u00e9', '1', '; ', 'a=1', '%zz', '%e9', '%00',
            '==', '&&', '\u20ac']


@cpython_only
@needs_cbuild
@needs_c_helpers
def test_args_and_cookies_follow_the_pure_rules():
    from microdot import _cpython
    assert _cpython._c_args is not None and _cpython._c_cookies is not None
    rng = random.Random(31)
    for _ in range(20000):
        text = ''.join(rng.choice(ALPHABET)
                       for _ in range(rng.randint(0, 10)))
        req = Request(None, ('127.0.0.1', 1), 'GET',
                      '/p?' + text if text else '/p', '1.1',
                      ['Host', 'x', 'Cookie', text])
        try:
            want = pure_args(text)
        except ValueError:  # not UTF-8 once decoded: a 400
            with pytest.raises(Exception) as info:
                req.args
            assert getattr(info.value, 'status_code', None) == 400 or \
                info.value.args[:1] == (400,), text
        else:
            got = req.args
            assert type(got) is MultiDict
            assert list(got.items()) == list(want.items()), text
            assert [got.getlist(k) for k in got] == \
                [want.getlist(k) for k in want], text
        want = pure_cookies(text)
        got = req.cookies
        assert got == want and list(got) == list(want), text


@cpython_only
@needs_cbuild
def test_builders_error_paths_keep_no_memory():
    def calls():
        _cbuild.cookies('a=1; b=2')
        _cbuild.cookies('a=1; a=2')
        _cbuild.cookies(b'a=1')
        _cbuild.args(MultiDict, 'a=1&b=2')
        _cbuild.args(MultiDict, 'a=1&a=2')
        with pytest.raises(TypeError):
            _cbuild.args(int, 'a=1')
        with pytest.raises(TypeError):
            _cbuild.fill(dict, ['A', 'b', [], 'd'])  # (unhashable name)
        # parse_request: a value that is not UTF-8, with the names of a
        # slot (the same head again), and with more than the 64 strings the
        # stack holds
        bad = b'GET / HTTP/1.1\r\nHost: a\r\nX: \xff\r\n\r\n'
        for _ in range(2):
            with pytest.raises(ValueError):
                _cbuild.parse_request(bad, 0, len(bad), 0, 2048, 16384, 64)
        many = b''.join(b'X%d: v\r\n' % i for i in range(100))
        good = b'GET / HTTP/1.1\r\nHost: a\r\n' + many + b'\r\n'
        assert len(_cbuild.parse_request(good, 0, len(good), 0, 2048, 16384,
                                         200)[4]) == 202
        worse = good[:-2] + b'Y: \xff\r\n\r\n'
        with pytest.raises(ValueError):
            _cbuild.parse_request(worse, 0, len(worse), 0, 2048, 16384, 200)
        with pytest.raises(TypeError):
            _cbuild.parse_request('not bytes', 0, 1, 0, 2048, 16384, 64)

    for _ in range(200):
        calls()
    gc.collect()
    before = sys.getallocatedblocks()
    for _ in range(3000):
        calls()
    gc.collect()
    assert sys.getallocatedblocks() - before < 100


@cpython_only
def test_requests_built_in_several_threads_agree():
    from microdot._backend import backend
    rng = random.Random(5)
    heads = []
    for i in range(30):
        fields = ['Host: x']
        for j in range(rng.randint(0, 70)):  # (over 64: the heap path)
            fields.append('%s: v%d' % (rng.choice(
                ['A', 'a', 'B', 'Cookie', 'X-%d' % j]), j))
        fields.append('Cookie: ' + rng.choice(
            ['a=1; b=2', 'a=1;b=2', 'a=%d' % i, 'a=1; a=2']))
        heads.append(('GET /p%d?%s HTTP/1.1\r\n%s\r\n\r\n' % (
            i, rng.choice(['a=1&b=2', 'a=1&a=2', 'x=%20', 'q=%d' % i]),
            '\r\n'.join(fields))).encode())

    def build(head):
        method, path, query, minor, headers, _, _, _ = \
            backend.parse_request(bytearray(head), 0, len(head), 0, 4096,
                                  65536, 100)
        req = Request(None, None, method, path + (
            '?' + query if query is not None else ''), '1.1', headers)
        return dict(req.headers), list(req.args.items()), req.cookies

    want = [build(head) for head in heads]
    wrong = []

    def worker(seed):
        r = random.Random(seed)
        for _ in range(1500):
            i = r.randrange(len(heads))
            got = build(heads[i])
            if got != want[i]:
                wrong.append((i, got, want[i]))
                return

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        threads = [threading.Thread(target=worker, args=(s,))
                   for s in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert wrong == []


@cpython_only
def test_parse_request_of_odd_bytes_same_as_pure():
    try:
        from microdot import _cffi
    except ImportError:
        pytest.skip('the cffi backend is not built')

    def outcome(parse, head):
        try:
            return parse(bytearray(head), 0, len(head), 0, 4096, 65536, 100)
        except Exception as exc:
            return type(exc).__name__, exc.args[:1]

    pieces = [b'a', b'\xff', b'\xc3\xa9', b'\x00', b' ', b'\t', b'%', b'+',
              b'=', b';', b',', b'"', b'\x7f', b'\x80', b'\xed\xa0\x80',
              b'\xf4\x90\x80\x80']
    rng = random.Random(9)
    for _ in range(3000):
        target = b''.join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
        value = b''.join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
        name = rng.choice([b'X', b'Cookie', b'cookie', b'X-\xc3\xa9'])
        head = (b'GET /p' + target + b'?q' + target + b' HTTP/1.1\r\n'
                b'Host: h\r\n' + name + b': ' + value + b'\r\nX: 1\r\n\r\n')
        for _ in range(2):  # (the second time, the names' slot is seen)
            assert outcome(_cffi.parse_request, head) == \
                outcome(_pure.parse_request, head), head


@cpython_only
def test_the_install_builds_cbuild():
    code = ('from distutils.core import run_setup\n'
            'dist = run_setup("setup.py", stop_after="init")\n'
            'print(" ".join(e.name for e in dist.ext_modules or []))\n')
    out = subprocess.run([sys.executable, '-c', code], cwd=str(REPO),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    names = out.stdout.split()
    assert 'microdot._cmicrodot' in names  # (the test sees the extensions)
    assert 'microdot._cbuild' in names


@cpython_only
def test_server_without_cbuild_gives_the_same_answers():
    # microdot._cbuild absent (a None in sys.modules makes its import fail)
    code = '''
import sys, socket, threading
sys.modules['microdot._cbuild'] = None
sys.path.insert(0, sys.argv[1])
from microdot import Microdot
from microdot import _cpython
assert _cpython._c_args is None
from servers import serve_in_thread
app = Microdot()
@app.get('/')
async def index(req):
    return repr((sorted(req.headers.items()), sorted(req.args.items()),
                 sorted(req.cookies.items())))
gen = serve_in_thread(app)
port = next(gen)
s = socket.create_connection(('127.0.0.1', port), timeout=10)
s.sendall(b'GET /?a=1&b=%20&a=2 HTTP/1.1\\r\\nHost: x\\r\\n'
          b'Cookie: c=1; d=2\\r\\nx-a: 1\\r\\nX-A: 2\\r\\n'
          b'Connection: close\\r\\n\\r\\n')
out = b''
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    out += chunk
for _ in gen:
    pass
print(out.split(b'\\r\\n\\r\\n', 1)[1].decode())
'''
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO / 'python'), str(REPO / 'tests' / 'python')]))
    out = subprocess.run([sys.executable, '-c', code,
                          str(REPO / 'tests' / 'python')],
                         capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == repr((
        [('Connection', 'close'), ('Cookie', 'c=1; d=2'), ('Host', 'x'),
         ('x-a', '1, 2')],
        [('a', '1'), ('b', ' ')], [('c', '1'), ('d', '2')]))


# -- the built-in server's fast path -----------------------------------------

def make_app(through_dispatch, cls=Microdot):
    app = cls()

    if through_dispatch:
        @app.before_request
        async def nothing(req):
            return None

    @app.get('/')
    async def index(req):
        return 'hi'

    @app.get('/dict')
    async def as_dict(req):
        return {'a': 1}

    @app.get('/headers')
    async def with_headers(req):
        return 'x', {'X-A': 'b'}

    @app.get('/status')
    async def with_status(req):
        return 'nf', 404

    @app.get('/raise')
    async def raises(req):
        raise RuntimeError('boom')

    @app.get('/g')
    async def uses_g(req):
        req.g.x = 1
        return 'g {}'.format(req.g.x)

    @app.get('/none')
    async def none(req):
        return None

    @app.get('/bytes')
    async def raw(req):
        return b'\xff\x00'

    @app.get('/abort404')
    async def abort404(req):
        abort(404)

    @app.get('/abort500')
    async def abort500(req):
        abort(500, 'xx')

    @app.route('/options', methods=['GET', 'OPTIONS'])
    async def options(req):
        return 'options ' + req.method

    @app.get('/gen')
    async def agen(req):
        async def body():
            yield 'a'
            yield b'b'
        return body()

    @app.get('/sync-gen')
    async def sgen(req):
        def body():
            yield 'x'
            yield 'y'
        return body(), 201, {'X-G': '1'}

    @app.get('/redirect')
    async def redirect(req):
        return Response.redirect('/x')

    @app.get('/sleep')
    async def sleep(req):
        await asyncio.sleep(0.01)
        return 'slept'

    @app.get('/euro')
    async def euro(req):
        return '\u20ac' * 3, {'Content-Type': 'text/html'}

    @app.get('/list')
    async def as_list(req):
        return [1, 'x']

    @app.get('/url')
    async def url(req):
        return '{}|{}|{}|{}'.format(req.url, req.url_prefix, req.subapp,
                                    sorted(req.args.items()))

    @app.get('/seen')
    async def seen(req):
        return repr((sorted(req.headers.items()), req.cookies,
                     req.client_addr[0], req.scheme, req.http_version))

    @app.errorhandler(404)
    async def not_found(req):
        return 'custom 404', 404

    @app.errorhandler(RuntimeError)
    async def on_runtime_error(req, exc):
        return 'rt ' + str(exc), 503

    @app.after_error_request
    async def mark_error(req, res):
        res.headers['X-Err'] = '1'
        return res

    sub = Microdot()

    @sub.get('/x')
    async def sub_x(req):
        return 'sub ' + req.url_prefix

    app.mount(sub, url_prefix='/pre')  # (not local)
    return app


def exchange(port, data):
    with socket.create_connection(('127.0.0.1', port),
                                  timeout=IO_TIMEOUT) as sock:
        sock.sendall(data)
        out = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return out
            out += chunk


def get(path, version='1.1', close=True, extra=''):
    return ('GET {} HTTP/{}\r\nHost: x\r\n{}{}\r\n'.format(
        path, version, 'Connection: close\r\n' if close else '',
        extra)).encode()


@pytest.fixture(scope='module')
def direct():
    gen = serve_in_thread(make_app(False), IO_TIMEOUT)
    port = next(gen)
    exchange(port, get('/'))  # (makes the router)
    yield port
    for _ in gen:
        pass


@pytest.fixture(scope='module')
def dispatched():
    yield from serve_in_thread(make_app(True), IO_TIMEOUT)


PATHS = ['/', '/dict', '/headers', '/status', '/raise', '/g', '/none',
         '/bytes', '/abort404', '/abort500', '/options', '/nowhere',
         '/url?a=1&a=2', '/pre/x', '/seen', '/gen', '/sync-gen', '/redirect',
         '/sleep', '/euro', '/list']

RAW = [
    get('/seen', extra='Cookie: a=1\r\nCookie: b=2\r\nX-a: 1\r\nx-A: 2\r\n'),
    get('/seen', extra='Cookie: a="q"; b=x,y; =e; f=\r\n'),
    b'GET /seen HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
    b'X: \xc3\xa9\r\n\r\n',
    b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX: \xff\r\n\r\n',
    b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX: a\x00b\r\n\r\n',
    b'OPTIONS /options HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    b'OPTIONS / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    b'POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    b'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'
    b'GET /dict HTTP/1.0\r\n\r\n',
    b'GET / HTTP/1.0\r\n\r\nGET /dict HTTP/1.0\r\n\r\n',
    get('/', close=False) + b'POST /dict HTTP/1.1\r\nHost: x\r\n'
    b'Content-Length: 3\r\n\r\nabc' + get('/raise'),
    get('/gen', close=False) + get('/sleep', close=False) +
    get('/', close=False) + get('/sync-gen', close=False) + get('/euro'),
    get('/gen', '1.0', False, 'Connection: keep-alive\r\n') +
    get('/', '1.0', False, 'Connection: keep-alive\r\n') + get('/', '1.0'),
    b'\r\n' + get('/'),
    b'GET / HTTP/1.1\r\n\r\n' + get('/'),
    get('/', extra='Content-Length: 0\r\n'),
    get('/', extra='Expect: 100-continue\r\n'),
    b'GET http://x/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    b'GET /?x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
]


@cpython_only
@pytest.mark.parametrize('data', [get(p) for p in PATHS] + RAW)
def test_fast_path_same_bytes_as_dispatch(direct, dispatched, data):
    assert exchange(direct, data) == exchange(dispatched, data)


@cpython_only
def test_routes_and_handlers_added_while_serving():
    app = Microdot()

    @app.get('/')
    async def index(req):
        return 'hi'

    gen = serve_in_thread(app, IO_TIMEOUT)
    port = next(gen)
    try:
        assert exchange(port, get('/')).endswith(b'\r\n\r\nhi')
        assert exchange(port, get('/late')).startswith(b'HTTP/1.1 404 ')

        @app.get('/late')
        async def late(req):
            return 'late'

        assert exchange(port, get('/late')).endswith(b'\r\n\r\nlate')

        @app.post('/')
        async def post_root(req):
            return 'posted'

        assert exchange(port, b'POST / HTTP/1.1\r\nHost: x\r\n'
                        b'Connection: close\r\n\r\n').endswith(b'posted')

        @app.errorhandler(404)
        async def not_found(req):
            return 'NF', 404

        assert exchange(port, get('/nope')).endswith(b'\r\n\r\nNF')

        @app.get('/')  # (the first route registered for a path wins)
        async def index2(req):
            return 'second'

        assert exchange(port, get('/')).endswith(b'\r\n\r\nhi')
        sub = Microdot()

        @sub.get('/s')
        async def s(req):
            return 'sub ' + req.url_prefix

        app.mount(sub, url_prefix='/m')
        assert exchange(port, get('/m/s')).endswith(b'\r\n\r\nsub /m')
        # a keep-alive connection sees a route added between its requests
        with socket.create_connection(('127.0.0.1', port),
                                      timeout=IO_TIMEOUT) as sock:
            sock.sendall(get('/later', close=False))
            assert sock.recv(65536).startswith(b'HTTP/1.1 404 ')

            @app.get('/later')
            async def later(req):
                return 'later'

            sock.sendall(get('/later'))
            out = b''
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                out += chunk
            assert out.endswith(b'\r\n\r\nlater')
    finally:
        for _ in gen:
            pass


def _slow_app(log):
    app = Microdot()

    @app.route('/slow', methods=['GET', 'POST'])
    async def slow(req):
        await asyncio.sleep(0.3)
        log.append((req.method, 'done'))
        return 'slow done'

    @app.after_request
    def after(req, res):
        log.append((req.method, 'after'))

    return app


# GET without a body: _serve_now; POST with one: the request loop
SLOW = [b'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n',
        b'POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx']


@cpython_only
@pytest.mark.parametrize('data', SLOW)
def test_shutdown_while_a_handler_waits_answers_it(data):
    log = []
    gen = serve_in_thread(_slow_app(log), IO_TIMEOUT)
    port = next(gen)
    sock = socket.create_connection(('127.0.0.1', port), timeout=IO_TIMEOUT)
    try:
        sock.sendall(data)
        time.sleep(0.1)  # (the handler waits: not a timing assertion)
        stopper = threading.Thread(target=lambda: [None for _ in gen])
        stopper.start()
        out = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            out += chunk
        stopper.join(IO_TIMEOUT)
        assert not stopper.is_alive()
    finally:
        sock.close()
    assert out.startswith(b'HTTP/1.1 200 OK\r\n')
    assert b'Connection: close\r\n' in out
    assert out.endswith(b'\r\n\r\nslow done')
    method = data.split(b' ')[0].decode()
    assert log == [(method, 'done'), (method, 'after')]


@cpython_only
def test_client_gone_while_a_handler_waits_same_on_both_paths():
    log = []
    gen = serve_in_thread(_slow_app(log), IO_TIMEOUT)
    port = next(gen)
    seen = []
    try:
        for data in SLOW:
            with socket.create_connection(('127.0.0.1', port),
                                          timeout=IO_TIMEOUT) as sock:
                sock.sendall(data)
                time.sleep(0.05)
            for _ in range(100):  # (bounded wait for the handler to end)
                if len(log) >= 2:
                    break
                time.sleep(0.05)
            seen.append([entry[1] for entry in log])
            log.clear()
    finally:
        for _ in gen:
            pass
    assert seen[0] == seen[1] == ['done', 'after']


def _response_parts(raw):
    head, _, body = raw.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    headers = {}
    for line in lines[1:]:
        name, value = line.split(': ', 1)
        headers[name.lower()] = value
    if headers.pop('transfer-encoding', None) == 'chunked':
        out = b''
        while True:
            size, _, body = body.partition(b'\r\n')
            size = int(size, 16)
            if not size:
                break
            out += body[:size]
            body = body[size + 2:]
        body = out
    for name in ('connection', 'content-length'):
        headers.pop(name, None)
    return int(lines[0].split()[1]), headers, body


ADAPTER_PATHS = [p for p in PATHS if p not in ('/seen', '/url?a=1&a=2')]


@cpython_only
@pytest.mark.parametrize('kind', ['asgi', 'wsgi'])
def test_built_in_server_answers_as_the_adapters(direct, kind):
    httpx = pytest.importorskip('httpx')
    want = {path: _response_parts(exchange(direct, get(path)))
            for path in ADAPTER_PATHS}

    def parts(res):
        headers = {k.lower(): v for k, v in res.headers.items()}
        for name in ('connection', 'content-length', 'transfer-encoding',
                     'date', 'server'):
            headers.pop(name, None)
        return res.status_code, headers, res.content

    if kind == 'asgi':
        from microdot.asgi import Microdot as Adapted
        app = make_app(False, Adapted)

        async def run():
            async with httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),
                    base_url='http://x') as client:
                return {path: parts(await client.get(path))
                        for path in ADAPTER_PATHS}
        got = asyncio.run(run())
    else:
        from microdot.wsgi import Microdot as Adapted
        app = make_app(False, Adapted)
        with httpx.Client(transport=httpx.WSGITransport(app=app),
                          base_url='http://x') as client:
            got = {path: parts(client.get(path)) for path in ADAPTER_PATHS}
    for path in ADAPTER_PATHS:
        assert got[path] == want[path], path


@cpython_only
@pytest.mark.skipif(sys.version_info < (3, 11),
                    reason='the spare task of CPython 3.11+')
def test_task_name_set_by_a_handler_does_not_reach_another_connection():
    app = Microdot()

    @app.route('/name', methods=['GET', 'POST'])
    async def name(req):
        task = asyncio.current_task()
        before = task.get_name()
        task.set_name('request of ' + req.args.get('client', '?'))
        return before

    gen = serve_in_thread(app, IO_TIMEOUT)
    port = next(gen)
    try:
        seen = []
        for client in ('a', 'b', 'c'):
            out = exchange(port, get('/name?client=' + client))
            seen.append(out.split(b'\r\n\r\n', 1)[1].decode())
    finally:
        for _ in gen:
            pass
    assert not any(name.startswith('request of ') for name in seen), seen


def _tls_contexts(tmp_path):
    x509 = pytest.importorskip('cryptography.x509')
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import datetime
    import ssl
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .sign(key, hashes.SHA256()))
    (tmp_path / 'c.pem').write_bytes(
        cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / 'k.pem').write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(tmp_path / 'c.pem'), str(tmp_path / 'k.pem'))
    client = ssl.create_default_context(cafile=str(tmp_path / 'c.pem'))
    client.check_hostname = False
    return server, client


@cpython_only
def test_https_client_closing_a_kept_alive_connection_logs_nothing(
        tmp_path, caplog):
    server_context, client_context = _tls_contexts(tmp_path)
    app = Microdot()

    @app.get('/')
    async def index(req):
        return 'hi ' + req.scheme

    box = {}
    ready = threading.Event()

    async def main():
        box['loop'] = asyncio.get_running_loop()
        task = asyncio.ensure_future(app.start_server(
            host='127.0.0.1', port=0, ssl=server_context))
        while app.server is None:
            await asyncio.sleep(0.01)
        box['port'] = app.server.sockets[0].getsockname()[1]
        ready.set()
        await task

    thread = threading.Thread(target=asyncio.run, args=(main(),))
    thread.start()
    caplog.set_level('WARNING', logger='asyncio')
    try:
        assert ready.wait(IO_TIMEOUT)
        for _ in range(2):
            raw = socket.create_connection(('127.0.0.1', box['port']),
                                           timeout=IO_TIMEOUT)
            with client_context.wrap_socket(raw) as sock:
                sock.sendall(get('/', close=False))
                out = b''
                while not out.endswith(b'hi https'):
                    chunk = sock.recv(65536)
                    assert chunk
                    out += chunk
                sock.unwrap().close()  # (close_notify, then the close)
        for _ in range(100):  # (bounded wait for the server to see them)
            if len(warned(caplog)) >= 2:
                break
            time.sleep(0.05)
    finally:
        box['loop'].call_soon_threadsafe(app.shutdown)
        thread.join(IO_TIMEOUT)
    assert not thread.is_alive()
    assert warned(caplog) == []


def warned(caplog):
    return [r.getMessage() for r in caplog.records
            if 'eof_received' in r.getMessage()]

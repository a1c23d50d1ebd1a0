"""The app that tests/python/test_server_*.py run as a real server.

Runs unchanged on CPython and on MicroPython:
    python server_app.py PORT          micropython server_app.py PORT
Settings come from the environment:
    MICRODOT_TEST_PORT          port when none is given on the command line
    MICRODOT_TEST_DEBUG         1 to run with debug=True
    MICRODOT_TEST_KEEP_ALIVE_TIMEOUT  Microdot.keep_alive_timeout (seconds a
                                keep-alive connection may stay idle)
    MICRODOT_TEST_REQUEST_TIMEOUT     Microdot.request_timeout (seconds a
                                started request may take to arrive)
    MICRODOT_TEST_FILE          file served by /file
    MICRODOT_TEST_MAX_CONTENT_LENGTH, _MAX_BODY_LENGTH, _MAX_READLINE
                                the Request limits of the same names
"""
import sys

try:
    import asyncio
except ImportError:  # pragma: no cover
    import uasyncio as asyncio
try:
    from os import getenv
except ImportError:  # pragma: no cover
    def getenv(name):
        return None
try:
    import hashlib
except ImportError:  # pragma: no cover
    hashlib = None

from microdot import Microdot, Request, send_file

# Bodies above 4 KiB go to request.stream; above the default 16 KiB: 413.
Request.max_body_length = 4 * 1024
for _name in ('max_content_length', 'max_body_length', 'max_readline'):
    if getenv('MICRODOT_TEST_' + _name.upper()):
        setattr(Request, _name, int(getenv('MICRODOT_TEST_' + _name.upper())))

app = Microdot()
if getenv('MICRODOT_TEST_KEEP_ALIVE_TIMEOUT'):
    Microdot.keep_alive_timeout = float(
        getenv('MICRODOT_TEST_KEEP_ALIVE_TIMEOUT'))
if getenv('MICRODOT_TEST_REQUEST_TIMEOUT'):
    Microdot.request_timeout = float(getenv('MICRODOT_TEST_REQUEST_TIMEOUT'))


def sha256_hex(data):
    digest = hashlib.sha256(data).digest()
    return ''.join('%02x' % b for b in digest)


@app.get('/')
async def index(request):
    return 'hello'


@app.get('/peer')
async def peer(request):
    # Identifies the connection the request came on, whatever its format.
    return repr(request.client_addr)


@app.get('/client-addr')
async def client_addr(request):
    host, port = request.client_addr
    return {'host': host, 'port': port}


@app.get('/version')
async def version(request):
    return request.http_version


@app.route('/echo', methods=['POST', 'PUT'])
async def echo(request):
    body = request.body or b''
    return body, 200, {'Content-Type': 'application/octet-stream',
                       'X-Body-Length': str(len(body))}


@app.post('/stream')
async def stream(request):
    # Reads the body through request.stream in small pieces.
    sha = hashlib.sha256()
    size = 0
    while True:
        data = await request.stream.read(1000)
        if not data:
            break
        size += len(data)
        sha.update(data)
    digest = ''.join('%02x' % b for b in sha.digest())
    return {'body': len(request.body or b''), 'size': size, 'sha256': digest}


@app.post('/stream-partial')
async def stream_partial(request):
    # Reads only the start of the body; the server must skip the rest.
    data = await request.stream.read(100)
    return {'read': len(data)}


@app.post('/sha')
async def sha(request):
    body = request.body or b''
    return {'size': len(body), 'sha256': sha256_hex(body)}


@app.get('/gen')
async def gen(request):
    def pieces():
        for word in ('one ', 'two ', 'three'):
            yield word
    return pieces()


class Countdown:
    """A class-based async iterator (works on MicroPython too)."""

    def __init__(self, n):
        self.n = n

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.n == 0:
            raise StopAsyncIteration
        self.n -= 1
        await asyncio.sleep(0)
        return str(self.n) + ';'


@app.get('/aiter')
async def aiter_route(request):
    return Countdown(5)


if sys.implementation.name != 'micropython':
    # MicroPython has no async generators (the guide says so).
    @app.get('/agen')
    async def agen(request):
        async def pieces():
            for word in ('alpha ', 'beta ', 'gamma'):
                await asyncio.sleep(0)
                yield word
        return pieces()


@app.get('/large')
async def large(request):
    # About 2 MB in 8 KiB pieces, more than any socket buffer holds.
    def pieces():
        block = b'x' * 8192
        for i in range(256):
            yield block
    return pieces()


@app.get('/gen-error')
async def gen_error(request):
    def pieces():
        yield 'partial '
        raise RuntimeError('streamed body failure for the tests')
    return pieces()


@app.get('/bytes')
async def some_bytes(request):
    n = int(request.args.get('n', '0'))
    return bytes(i % 251 for i in range(n)), 200, {
        'Content-Type': 'application/octet-stream'}


@app.get('/file')
async def file(request):
    return send_file(getenv('MICRODOT_TEST_FILE'))


@app.get('/file-typed')
async def file_typed(request):
    return send_file(getenv('MICRODOT_TEST_FILE'),
                     content_type='application/x-test')


@app.get('/error')
async def error(request):
    raise RuntimeError('handler failure for the tests')


@app.get('/sync-error')
def sync_error(request):
    raise ValueError('sync handler failure for the tests')


@app.get('/only-get')
async def only_get(request):
    return 'only get'


@app.get('/sleep')
async def sleep(request):
    await asyncio.sleep(float(request.args.get('s', '0.2')))
    return 'slept'


@app.get('/status/<int:code>')
async def status(request, code):
    return '', code


@app.get('/inject-header')
async def inject_header(request):
    return 'x', 200, {'X-Evil': 'a\r\nSet-Cookie: injected=1'}


@app.get('/inject-reason')
async def inject_reason(request):
    from microdot import Response
    return Response('x', 200, reason='OK\r\nSet-Cookie: injected=1')


@app.get('/close-me')
async def close_me(request):
    return 'closing', 200, {'Connection': 'close'}


if sys.implementation.name != 'micropython':
    import time

    @app.get('/sync-sleep')
    def sync_sleep(request):
        # CPython runs sync handlers in a thread: this must not block others.
        time.sleep(float(request.args.get('s', '0.5')))
        return 'slept in a thread'


@app.get('/shutdown')
async def shutdown(request):
    request.app.shutdown()
    return 'bye'


@app.get('/sync-shutdown')
def sync_shutdown(request):
    # The guide's example: shutdown() from a plain def handler (a worker
    # thread on CPython).
    request.app.shutdown()
    return 'bye from a thread'


def main():
    port = int(sys.argv[1] if len(sys.argv) > 1
               else getenv('MICRODOT_TEST_PORT') or 5000)
    try:
        from microdot import _backend
        print('microdot backend:', _backend.NAME)
    except ImportError:
        pass
    app.run(host='127.0.0.1', port=port,
            debug=getenv('MICRODOT_TEST_DEBUG') == '1')


main()

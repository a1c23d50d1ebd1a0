"""The app the WebSocket, SSE, ASGI, WSGI and TLS tests run in real servers.

One set of routes, three ways to serve it, chosen by MICRODOT_TEST_FLAVOR:
'' (the built-in server: ``python ext_app.py PORT`` on CPython or
MicroPython), 'asgi' (``uvicorn ext_app:app``) or 'wsgi'
(``gunicorn ext_app:app``). MICRODOT_TEST_CERT/KEY turn TLS on for the
built-in server. MICRODOT_TEST_STATE names a file where the app records
events the tests check afterwards (lifespan, handler cancellation).
"""
import asyncio
import sys

try:
    import os
    getenv = os.getenv
except (ImportError, AttributeError):
    def getenv(name, default=None):
        return default

FLAVOR = getenv('MICRODOT_TEST_FLAVOR', '') or ''
STATE = getenv('MICRODOT_TEST_STATE', '') or ''

if FLAVOR == 'asgi':
    from microdot.asgi import Microdot
elif FLAVOR == 'wsgi':
    from microdot.wsgi import Microdot
else:
    from microdot import Microdot
from microdot import Request
from microdot.websocket import with_websocket, WebSocket, ConnectionClosed
from microdot.sse import with_sse, SSE

Request.max_content_length = 1024 * 1024
WebSocket.max_message_size = 1024 * 1024
SSE.keepalive = float(getenv('MICRODOT_TEST_KEEPALIVE', '15') or 15)


def record(event):
    if STATE:
        with open(STATE, 'a') as f:
            f.write(event + '\n')


async def startup(scope):
    record('startup')


async def shutdown(scope):
    record('shutdown')


if FLAVOR == 'asgi':
    app = Microdot(lifespan_startup=startup, lifespan_shutdown=shutdown)
else:
    app = Microdot()


@app.get('/')
async def index(request):
    return 'hello from ' + (FLAVOR or 'microdot')


@app.post('/echo-body')
async def echo_body(request):
    data = request.body
    if not data:  # over max_body_length: only in the stream
        data = await request.stream.read()
    return data, 200, {'Content-Type': 'application/octet-stream'}


@app.get('/stream')
async def stream(request):
    def numbers():
        for i in range(5):
            yield 'chunk {}\n'.format(i)
    return numbers()


@app.get('/scope')
async def scope(request):
    if FLAVOR == 'asgi':
        return {'type': request.asgi_scope['type'],
                'path': request.asgi_scope['path']}
    if FLAVOR == 'wsgi':
        return {'method': request.environ['REQUEST_METHOD'],
                'path': request.environ['PATH_INFO']}
    return {}


@app.route('/ws')
@with_websocket
async def ws_echo(request, ws):
    try:
        while True:
            message = await ws.receive()
            if message == 'close-me':
                await ws.close(4001, 'asked to')
                return
            if message == 'raise':
                raise RuntimeError('handler failure')
            await ws.send(message)
    except ConnectionClosed as exc:
        record('ws closed {}'.format(exc.code))
        raise


@app.route('/ws-greet')
@with_websocket
async def ws_greet(request, ws):
    await ws.send('hi ' + (request.args.get('name') or 'there'))


@app.route('/sse')
@with_sse
async def sse_events(request, sse):
    count = int(request.args.get('count') or 3)
    try:
        await sse.send('ready', event='start', retry=2000)
        for i in range(count):
            await sse.send({'n': i}, event_id=i)
            await asyncio.sleep(0.01)
        if request.args.get('wait'):
            while True:
                await asyncio.sleep(0.05)
    except asyncio.CancelledError:
        record('sse cancelled')
        raise


@app.get('/shutdown')
async def stop(request):
    request.app.shutdown()
    return 'bye'


if __name__ == '__main__':
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    ssl = None
    if getenv('MICRODOT_TEST_CERT'):
        from microdot.ssl import create_ssl_context
        ssl = create_ssl_context(getenv('MICRODOT_TEST_CERT'),
                                 getenv('MICRODOT_TEST_KEY'))
    app.run(host='127.0.0.1', port=port, ssl=ssl)

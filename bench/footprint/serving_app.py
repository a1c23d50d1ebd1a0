"""Hello world, a WebSocket echo and a /mem probe on the built-in server, for
MicroPython: the app of bench/footprint/serving.py, and the one
tests/mpy/deploy_smallheap.py and deploy_romfs.py serve from a small heap,
a bundle or a ROMFS image. Prints the heap in use (gc.collect();
gc.mem_alloc()) before `import microdot` (`base`) and after each import
step (minus base) as `key bytes` lines, then `backend NAME` and
`listening`, then serves.

    micropython -X heapsize=8M serving_app.py PORT

SERVING_APP=hello serves the hello app alone (no WebSocket import, no
/echo), SERVING_APP=echo the WebSocket echo alone (no GET /); both keep /mem
and /shutdown. The default serves both.

GET /mem answers {"alloc": bytes in use, "free": bytes free} and writes to
the log micropython.mem_info() (the largest free block) and the modules
loaded.
"""
import gc
import sys

import asyncio  # noqa: F401  (frozen on a board, imported by both frameworks)
import json  # noqa: F401
import time  # noqa: F401


def in_use():
    gc.collect()
    return gc.mem_alloc()


try:
    from os import getenv
    routes = getenv('SERVING_APP') or 'both'
except ImportError:  # boards: no os.getenv
    routes = 'both'
base = in_use()
print('base', base)
import microdot  # noqa: E402
print('import_microdot', in_use() - base)
from microdot import Microdot  # noqa: E402
if routes != 'hello':
    from microdot.websocket import with_websocket  # noqa: E402
    print('import_websocket', in_use() - base)
try:
    import microdot._server  # noqa: F401
    print('import_server', in_use() - base)
except ImportError:  # upstream: the server is in microdot.py
    pass

app = Microdot()


if routes != 'echo':
    @app.route('/')
    async def index(request):
        return 'Hello, world!'

if routes != 'hello':
    @app.route('/echo')
    @with_websocket
    async def echo(request, ws):
        while True:
            await ws.send(await ws.receive())


@app.route('/mem')
async def mem(request):
    import micropython
    alloc = in_use()
    free = gc.mem_free()
    micropython.mem_info()
    print('modules:', ' '.join(sorted(sys.modules)))
    return {'alloc': alloc, 'free': free}


@app.route('/shutdown')
async def shutdown(request):
    request.app.shutdown()
    return 'bye'


print('app', in_use() - base)
# upstream Microdot (for comparison) has no _backend
print('backend', getattr(sys.modules.get('microdot._backend'), 'NAME', 'upstream'))
print('listening')
app.run(host='127.0.0.1', port=int(sys.argv[1]))

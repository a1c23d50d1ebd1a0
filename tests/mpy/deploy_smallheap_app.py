"""The app of the small-heap soak (tests/mpy/deploy_smallheap.py): hello
world and a WebSocket echo on one built-in server, for MicroPython.

    micropython -X heapsize=64k deploy_smallheap_app.py PORT
"""
import gc
import micropython
import sys

from microdot import Microdot
from microdot.websocket import with_websocket

try:
    from microdot._backend import NAME
except ImportError:  # upstream Microdot, for comparison (--find --backends upstream)
    NAME = 'upstream'

app = Microdot()


@app.route('/')
async def index(request):
    return 'Hello, world!'


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())


@app.route('/mem')
async def mem(request):
    gc.collect()
    micropython.mem_info()  # to the log: the largest free block
    print('modules:', ' '.join(sorted(sys.modules)))
    return {'free': gc.mem_free(), 'alloc': gc.mem_alloc()}


@app.route('/shutdown')
async def shutdown(request):
    request.app.shutdown()
    return 'bye'


gc.collect()
print('backend:', NAME)
print('heap at start:', gc.mem_alloc())
app.run(host='127.0.0.1', port=int(sys.argv[1]))

"""The app of test_ws_lazy.py, on the built-in server (CPython or
MicroPython): a WebSocket echo, a WebSocket whose handler returns after one
message (so the server starts the closing handshake), and GET /loaded, the
WebSocket modules imported on first use that are loaded so far.

    micropython ws_lazy_app.py PORT
"""
import sys

from microdot import Microdot
from microdot.websocket import with_websocket

LAZY = ('microdot._ws_frames', 'microdot._ws_close')

app = Microdot()


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())


@app.route('/once')
@with_websocket
async def once(request, ws):
    await ws.send(await ws.receive())


@app.route('/loaded')
async def loaded(request):
    return ' '.join(m for m in LAZY if m in sys.modules) or '-'


app.run(host='127.0.0.1', port=int(sys.argv[1]))

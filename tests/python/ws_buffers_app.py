"""A WebSocket echo at /ws whose receive buffer size comes from the
environment (WS_BUFFER_SIZE), for test_ws_stream_buffers.py on MicroPython
(and CPython, where the size is not used).

    micropython ws_buffers_app.py PORT
"""
import sys

try:
    from os import getenv
except ImportError:  # pragma: no cover
    def getenv(name):
        return None

from microdot import Microdot
from microdot.websocket import with_websocket, WebSocket

WebSocket.stream_buffer_size = int(getenv('WS_BUFFER_SIZE') or 2048)
WebSocket.max_message_size = 1 << 20

app = Microdot()


@app.route('/ws')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())


if __name__ == '__main__':
    app.run(host='127.0.0.1', port=int(sys.argv[1]))

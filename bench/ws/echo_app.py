"""The WebSocket echo app of the benchmark, written against the Microdot 2.x
API so the same file runs on our microdot and on upstream's (whichever
`microdot` is on the path), on CPython and on MicroPython.

    python echo_app.py PORT                      the built-in server
    BENCH_KIND=asgi uvicorn echo_app:app ...     ours under an ASGI server
"""
import sys

try:
    from os import getenv
except ImportError:  # pragma: no cover
    def getenv(name):
        return None

if getenv('BENCH_KIND') == 'asgi':
    from microdot.asgi import Microdot
else:
    from microdot import Microdot
from microdot.websocket import with_websocket, WebSocket

# 64 KiB messages must fit: ours names the limit max_message_size, upstream
# max_message_length (its default is Request.max_body_length, 16 KiB).
WebSocket.max_message_size = 1 << 20
WebSocket.max_message_length = 1 << 20

app = Microdot()


@app.route('/')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())


if __name__ == '__main__':
    app.run(host='127.0.0.1', port=int(sys.argv[1]))

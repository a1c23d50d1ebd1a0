"""The echo server the Autobahn cases (kosoku fuzzingclient) run against.

    python echo_app.py PORT              the built-in server
    uvicorn echo_app:app --port PORT     ASGI (MICRODOT_TEST_FLAVOR=asgi)
    micropython echo_app.py PORT         MicroPython (MICROPYPATH with the
                                         package, .frozen and, for the C
                                         backend, build/natmod/x64)
"""
import sys
from os import getenv  # MicroPython's os has getenv but no environ

if getenv('MICRODOT_TEST_FLAVOR') == 'asgi':
    from microdot.asgi import Microdot
else:
    from microdot import Microdot
from microdot import _backend
from microdot.websocket import with_websocket, WebSocket

# Case 9.x sends messages of up to 16 MiB.
WebSocket.max_message_size = 16 * 1024 * 1024 + 1024

app = Microdot()


@app.route('/')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())


if __name__ == '__main__':
    # The log tells which backend served the cases.
    print('microdot backend:', _backend.NAME)
    app.run(host='127.0.0.1', port=int(sys.argv[1]))

"""The WebSocket echo app under an ASGI server:

    uvicorn echo_asgi:app
"""
from microdot.asgi import Microdot
from microdot.websocket import with_websocket

app = Microdot()


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())

"""The WebSocket echo app under Gunicorn, which exposes the connection's
socket to the app (use the threaded worker for long-lived connections):

    gunicorn -k gthread --threads 10 echo_wsgi:app
"""
from microdot.wsgi import Microdot
from microdot.websocket import with_websocket

app = Microdot()


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())

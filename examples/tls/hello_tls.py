"""HTTPS (and wss://) on the built-in server.

Make a certificate first, e.g.:

    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \\
        -keyout key.pem -out cert.pem
    # MicroPython wants DER files:
    openssl x509 -in cert.pem -outform DER -out cert.der
    openssl pkey -in key.pem -outform DER -out key.der

then ``python hello_tls.py`` and open https://localhost:4443/.
"""
import sys

from microdot import Microdot
from microdot.ssl import create_ssl_context
from microdot.websocket import with_websocket

app = Microdot()


@app.route('/')
async def index(request):
    return 'Hello over ' + request.scheme + '!'


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())


if __name__ == '__main__':
    if sys.implementation.name == 'micropython':
        context = create_ssl_context('cert.der', 'key.der')
    else:
        context = create_ssl_context('cert.pem', 'key.pem')
    app.run(port=4443, ssl=context)

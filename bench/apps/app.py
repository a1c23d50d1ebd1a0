"""The benchmark app, written once against the Microdot 2.x API so the same
file runs on our microdot and on upstream's (whichever `microdot` is on the
path), on CPython and on MicroPython.

BENCH_KIND (environment, CPython only) picks the flavour: `builtin` (default,
run as a script: `python app.py PORT`), `asgi` (`app:app` for uvicorn) or
`wsgi` (`app:app` for gunicorn)."""
import sys

try:
    from os import getenv
except ImportError:  # pragma: no cover
    def getenv(name):
        return None

KIND = getenv('BENCH_KIND') or 'builtin'
if KIND == 'asgi':
    from microdot.asgi import Microdot
elif KIND == 'wsgi':
    from microdot.wsgi import Microdot
else:
    from microdot import Microdot

app = Microdot()


@app.get('/')
async def hello(request):
    return 'Hello, World!'


@app.get('/catalog/items/<int:item_id>')
async def item(request, item_id):
    # the "realistic route": typed URL component, query string, cookie and a
    # header read, JSON answer
    return {
        'id': item_id,
        'color': request.args.get('color'),
        'size': request.args.get('size'),
        'session': request.cookies.get('session'),
        'language': request.headers.get('Accept-Language'),
    }


if __name__ == '__main__':
    app.run(host='127.0.0.1', port=int(sys.argv[1]))

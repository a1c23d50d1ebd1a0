"""Hello, world as an ASGI application (CPython), for uvicorn, hypercorn or
any ASGI server:

    cd examples/hello && uvicorn hello_asgi:app --port 5000

The handlers are the same as with the built-in server; ``request.asgi_scope``
holds the scope the server passed in. The startup and shutdown functions run
on the server's lifespan events.
"""
from microdot.asgi import Microdot

started = []


async def startup(scope):
    started.append(True)


async def shutdown(scope):
    started.clear()


app = Microdot(lifespan_startup=startup, lifespan_shutdown=shutdown)


@app.route('/')
async def index(request):
    return 'Hello, world!'


@app.route('/server')
async def server(request):
    # asgi_scope is missing when the app is served some other way (e.g. by
    # the test client, which goes through the built-in server's code)
    scope = getattr(request, 'asgi_scope', None) or {}
    return {'asgi': scope.get('asgi', {}).get('version'),
            'http_version': scope.get('http_version'),
            'started': bool(started)}

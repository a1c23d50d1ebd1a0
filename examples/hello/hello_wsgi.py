"""Hello, world as a WSGI application (CPython), for gunicorn or any WSGI
server:

    cd examples/hello && gunicorn hello_wsgi:app --bind 127.0.0.1:5000

WSGI is synchronous, but the app runs its handlers on an asyncio loop as
usual, so ``async def`` handlers are still the ones to write. The WSGI
``environ`` is ``request.environ``.
"""
from microdot.wsgi import Microdot

app = Microdot()


@app.route('/')
async def index(request):
    return 'Hello, world!'


@app.route('/server')
async def server(request):
    environ = getattr(request, 'environ', None) or {}  # None: not WSGI
    return {'server_software': environ.get('SERVER_SOFTWARE', ''),
            'wsgi_version': list(environ.get('wsgi.version', ()))}

"""A Microdot app served by an ASGI server, with lifespan hooks:

    uvicorn hello_asgi:app      (or: hypercorn hello_asgi:app)
"""
from microdot.asgi import Microdot


async def startup(scope):
    print('starting up')


async def shutdown(scope):
    print('shutting down')


app = Microdot(lifespan_startup=startup, lifespan_shutdown=shutdown)


@app.route('/')
async def index(request):
    return 'Hello from ' + request.asgi_scope['server'][0] + '!'


@app.route('/stream')
async def stream(request):
    async def lines():
        for i in range(10):
            yield 'line {}\n'.format(i)
    return lines()

"""Heap footprint of whichever `microdot` is first on MICROPYPATH (ours or
upstream's), on MicroPython. Run by bench/footprint/run.py; prints
`key value` lines:

    import      bytes in use after `import microdot` (gc.collect() before
                reading gc.mem_alloc())
    app         bytes in use after also defining a 5-route app
    serving     bytes in use once the app has served requests (lazily
                imported modules, caches and compiled router included)
    hello       bytes allocated by one GET / on a new connection
    headers     bytes allocated by one GET with a query string, a cookie and
                10 header fields, whose handler reads an argument and a cookie
    keepalive   hello, per request, on one kept-alive connection (ours only:
                upstream closes after each request)

Requests go through the framework's own connection handler,
`app.handle_request(reader, writer)`, on in-memory streams that hand out
preexisting bytes and discard what is written, so the counts are the
framework's own. The counts are taken with the collector off
(gc.mem_alloc() after minus before, over REPEAT requests after WARMUP).
asyncio, json and time are imported before the first reading, since
both frameworks need them and a board has them frozen.
"""
import gc
import sys

import asyncio  # noqa: F401
import json  # noqa: F401
import time  # noqa: F401

from workload import HELLO, HEADERS, Reader, Writer, split_lines

WARMUP = 3
REPEAT = 10


def in_use():
    gc.collect()
    return gc.mem_alloc()


async def allocated(app, data, connections, per_connection=1):
    """Bytes allocated per request over `connections` connections of
    `per_connection` requests each."""
    payload = data * per_connection
    lines = split_lines(payload)
    readers = [Reader(payload, lines) for _ in range(connections)]
    writers = [Writer() for _ in range(connections)]
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    for i in range(connections):
        await app.handle_request(readers[i], writers[i])
    after = gc.mem_alloc()
    gc.enable()
    if writers[0].written < 20:
        raise RuntimeError('no response was written')
    return (after - before) // (connections * per_connection)


def make_app():
    """The 5-route app (also attribute.py's)."""
    from microdot import Microdot
    app = Microdot()

    @app.route('/')
    async def index(req):
        return 'Hello, world!'

    @app.route('/items/<int:item_id>')
    async def item(req, item_id):
        return 'item %d q=%s theme=%s' % (item_id, req.args.get('q'),
                                          req.cookies.get('theme'))

    @app.route('/users/<name>')
    async def user(req, name):
        return name

    @app.route('/static/<path:path>')
    async def static(req, path):
        return path

    @app.post('/api/data')
    async def data(req):
        return {'ok': True}

    return app


def main():
    base = in_use()
    import microdot
    from microdot import Microdot  # noqa: F401  (part of the import reading)
    print('import', in_use() - base)
    app = make_app()
    print('app', in_use() - base)  # import + app

    async def run():
        await allocated(app, HELLO, WARMUP)
        await allocated(app, HEADERS, WARMUP)
        print('serving', in_use() - base)
        print('hello', await allocated(app, HELLO, REPEAT))
        print('headers', await allocated(app, HEADERS, REPEAT))
        if 'keep-alive' in sys.argv:
            print('keepalive', await allocated(app, HELLO, 1, REPEAT))

    asyncio.run(run())
    print('file', microdot.__file__)
    try:
        from microdot._backend import NAME
        print('backend', NAME)
    except ImportError:
        print('backend -')


if __name__ == '__main__':
    main()

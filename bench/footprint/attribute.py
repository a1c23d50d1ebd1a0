"""Where OUR server's per-request heap goes: the steps of
microdot._server._serve, taken one at a time on the same in-memory streams
and app as measure.py, each with the collector off (bytes allocated by that
step).

    MICROPYPATH=build/bundle/lib:.frozen micropython bench/footprint/attribute.py

(MICRODOT_BACKEND=pure for the pure backend). The steps restate what
_serve does, so this script must follow it when it changes; the 'total'
line is checked against a whole handle_request() to show it still does.
"""
import gc

import asyncio

from microdot import Request
from microdot._backend import NAME
from microdot._server import StreamConnection, serve_connection
from microdot._respond import write_response

import workload as data
from measure import make_app

steps = {}
order = []


def count(name, before):
    if name not in steps:
        order.append(name)
    steps[name] = steps.get(name, 0) + gc.mem_alloc() - before


async def one(app, raw):
    mark = gc.mem_alloc()
    conn = StreamConnection(data.Reader(raw, []), data.Writer())
    count('connection object', mark)
    mark = gc.mem_alloc()
    await conn.fill()
    count('fill (read into conn.buf)', mark)
    mark = gc.mem_alloc()
    head = __import__('microdot._backend')._backend.backend.parse_request(
        conn.buf, conn.pos, len(conn.buf), conn.pos, Request.max_readline,
        Request.max_head_length, Request.max_headers)
    count('parse_request (backend)', mark)
    mark = gc.mem_alloc()
    method, path, query, minor, headers, head_len, length, flags = head
    conn.pos += head_len
    req = Request(app, conn.client_addr, method,
                  path if query is None else path + '?' + query,
                  '1.1' if minor else '1.0', headers, None, None, (conn, conn),
                  scheme=conn.scheme)
    count('Request(...)', mark)
    mark = gc.mem_alloc()
    res = await app.dispatch_request(req)
    count('dispatch_request (route, handler, Response)', mark)
    mark = gc.mem_alloc()
    await write_response(conn, res, minor, True, False)
    count('write_response', mark)


async def whole(app, raw, n):
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    for _ in range(n):
        await serve_connection(app, StreamConnection(data.Reader(raw, []), data.Writer()))
    after = gc.mem_alloc()
    gc.enable()
    return (after - before) // n


async def main():
    app = make_app()
    n = 10
    for label, raw in (('hello', data.HELLO), ('headers', data.HEADERS)):
        for _ in range(3):
            await one(app, raw)  # warm up
        steps.clear()
        del order[:]
        gc.collect()
        gc.disable()
        for _ in range(n):
            await one(app, raw)
        gc.enable()
        print('%s request, backend %s: bytes per request by step' % (label, NAME))
        total = 0
        for name in order:
            print('  %-48s %6d' % (name, steps[name] // n))
            total += steps[name] // n
        print('  %-48s %6d' % ('total of the steps', total))
        print('  %-48s %6d' % ('whole serve_connection (for comparison)',
                               await whole(app, raw, n)))


asyncio.run(main())

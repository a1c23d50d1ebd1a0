"""Family 5, in process, on MicroPython (also runs on CPython): parse time
and heap allocated per request, for our microdot or upstream's (whichever
`microdot` is on MICROPYPATH).

    micropython -X heapsize=2m mpy_bench.py ours|upstream [--quick]

Prints one JSON object per line: {"name": ..., "us": ...} (median over the
rounds) or {"name": ..., "bytes": ...} (heap allocated per request, from
gc.mem_alloc() deltas with the collector off; identical every run).

A 2 MB heap, like a board with PSRAM: on a 32 MB heap MicroPython's
allocator and collector cost several times more per request, for every
framework alike, and hide the frameworks' own costs."""
import gc
import json
import sys

try:
    from time import ticks_us, ticks_diff
except ImportError:  # CPython
    from time import perf_counter

    def ticks_us():
        return int(perf_counter() * 1e6)

    def ticks_diff(a, b):
        return a - b

import asyncio

sys.path.append(__file__.rsplit('/', 1)[0] if '/' in __file__ else '.')
from browser_request import BROWSER_GET  # noqa: E402
from memstreams import MemoryReader, NullWriter, run_sync  # noqa: E402

QUICK = '--quick' in sys.argv
ROUNDS = 5 if QUICK else 9
ITERATIONS = 200 if QUICK else 1000
HELLO_GET = b'GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n'
HEAP_REQUESTS = 50


def emit(**fields):
    print(json.dumps(fields))


def median_us(fn):
    samples = []
    fn()
    for _ in range(ROUNDS):
        t0 = ticks_us()
        for _ in range(ITERATIONS):
            fn()
        samples.append(ticks_diff(ticks_us(), t0) / ITERATIONS)
    samples.sort()
    return samples[len(samples) // 2]


def heap_per_call(fn, count):
    """Bytes allocated per call of fn (run count times, collector off)."""
    fn()
    gc.collect()
    gc.disable()
    try:
        before = gc.mem_alloc()
        for _ in range(count):
            fn()
        after = gc.mem_alloc()
    finally:
        gc.enable()
    return (after - before) // count


def make_app():
    sys.path.append(__file__.rsplit('/', 1)[0] + '/apps'
                    if '/' in __file__ else 'apps')
    import app
    return app.app


def bench_ours():
    from microdot import Request
    from microdot._backend import backend, NAME
    from microdot._server import Connection, serve_connection
    app = make_app()
    parse = backend.parse_request
    size = len(BROWSER_GET)
    limits = (Request.max_readline, Request.max_head_length,
              Request.max_headers)

    def head_only():
        return parse(BROWSER_GET, 0, size, 0, limits[0], limits[1],
                     limits[2])

    def to_request():
        method, path, query, minor, headers, head_len, length, flags = \
            parse(BROWSER_GET, 0, size, 0, limits[0], limits[1], limits[2])
        req = Request(app, None, method,
                      path if query is None else path + '?' + query,
                      '1.1' if minor else '1.0', headers, None, None, None)
        req.headers, req.args, req.cookies  # what upstream builds eagerly
        return req

    class Preloaded(Connection):
        """Every request already buffered; writes dropped."""

        def __init__(self, data):
            super().__init__()
            self.buf = bytearray(data)
            self.client_addr = ('127.0.0.1', 1234)

        async def fill(self):
            return False

        def write(self, data):
            pass

        async def drain(self):
            pass

        def close(self):
            pass

        async def wait_closed(self):
            pass

    def serve(raw, count):
        conn = Preloaded(raw * count)
        gc.collect()
        gc.disable()
        before = gc.mem_alloc()
        asyncio.run(serve_connection(app, conn))
        after = gc.mem_alloc()
        gc.enable()
        assert conn.pos == len(raw) * count, 'not every request was served'
        return after - before

    tag = 'ours-' + NAME
    emit(name=tag + ': parse head', us=median_us(head_only))
    emit(name=tag + ': parse -> Request', us=median_us(to_request))
    emit(name=tag + ': heap parse -> Request', bytes=heap_per_call(
        to_request, HEAP_REQUESTS))
    for label, raw in (('hello', HELLO_GET), ('browser GET', BROWSER_GET)):
        # the cost of one connection, then the cost per keep-alive request
        one = serve(raw, 1)
        many = serve(raw, HEAP_REQUESTS + 1)
        emit(name=tag + ': heap per request, ' + label,
             bytes=(many - one) // HEAP_REQUESTS, first=one)


def bench_upstream():
    from microdot import Request
    app = make_app()
    writer = NullWriter()

    def to_request():
        return run_sync(Request.create(app, MemoryReader(BROWSER_GET), writer,
                                       ('127.0.0.1', 1234)))

    req = to_request()
    assert req.args['color'] == 'blue'

    async def serve(raw, count):
        gc.collect()
        gc.disable()
        before = gc.mem_alloc()
        for _ in range(count):
            await app.handle_request(MemoryReader(raw), writer)
        after = gc.mem_alloc()
        gc.enable()
        return after - before

    emit(name='upstream: parse -> Request', us=median_us(to_request))
    emit(name='upstream: heap parse -> Request', bytes=heap_per_call(
        to_request, HEAP_REQUESTS))
    for label, raw in (('hello', HELLO_GET), ('browser GET', BROWSER_GET)):
        # upstream serves one request per connection
        total = asyncio.run(serve(raw, HEAP_REQUESTS))
        emit(name='upstream: heap per request, ' + label,
             bytes=total // HEAP_REQUESTS)


if __name__ == '__main__':
    if sys.argv[1] == 'ours':
        bench_ours()
    else:
        bench_upstream()

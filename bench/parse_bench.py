"""Family 3 (parsing) and family 4 (routing), in process, on CPython.

    python parse_bench.py ours|httptools|upstream [--quick]

`ours` uses whichever backend microdot picks (MICRODOT_BACKEND=pure forces the
pure one); `upstream` needs upstream's microdot on the path instead of ours.
Prints one JSON object per line: {"name": ..., "ns": ...} where ns is the
median, over the rounds, of the time per operation."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_request import BROWSER_GET  # noqa: E402
from memstreams import MemoryReader, run_sync  # noqa: E402

QUICK = '--quick' in sys.argv
ROUNDS = 5 if QUICK else 9
ROUND_SECONDS = 0.05 if QUICK else 0.2
ROUTE_COUNTS = (1, 10, 100, 1000)


def measure(fn):
    """Median ns per call of fn over ROUNDS rounds of ~ROUND_SECONDS."""
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt > ROUND_SECONDS / 4:
            break
        n *= 2
    n = max(1, int(n * ROUND_SECONDS / dt))
    samples = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) * 1e9 / n)
    samples.sort()
    return samples[len(samples) // 2]


def emit(name, ns, **extra):
    extra.update(name=name, ns=round(ns, 1))
    print(json.dumps(extra), flush=True)


def route_patterns(count):
    return ['/api/r{}/items/<int:id>'.format(i) for i in range(count)]


def route_paths(count):
    return '/api/r0/items/42', '/api/r{}/items/42'.format(count - 1)


# ours ------------------------------------------------------------------------

def bench_ours():
    from microdot import Microdot, Request
    from microdot._backend import backend, NAME
    buf = BROWSER_GET
    size = len(buf)
    parse = backend.parse_request
    limits = (Request.max_readline, Request.max_head_length,
              Request.max_headers)

    def head_only():
        return parse(buf, 0, size, 0, *limits)

    app = Microdot()

    def lazy_request():
        method, path, query, minor, headers, head_len, length, flags = \
            parse(buf, 0, size, 0, *limits)
        return Request(app, None, method,
                       path if query is None else path + '?' + query,
                       '1.1' if minor else '1.0', headers, None, None, None)

    def to_request():
        method, path, query, minor, headers, head_len, length, flags = \
            parse(buf, 0, size, 0, *limits)
        req = Request(app, None, method,
                      path if query is None else path + '?' + query,
                      '1.1' if minor else '1.0', headers, None, None, None)
        req.headers, req.args, req.cookies  # what upstream builds eagerly
        return req

    req = to_request()
    assert req.args['color'] == 'blue' and req.cookies['cart'] == '1703'
    assert req.headers['accept-language'] == 'en-GB,en;q=0.9'
    emit('ours-{}: head -> str objects'.format(NAME), measure(head_only),
         size=size)
    emit('ours-{}: -> Request (lazy, as the server makes it)'.format(NAME),
         measure(lazy_request), size=size)
    emit('ours-{}: -> Request (headers, args, cookies)'.format(NAME),
         measure(to_request), size=size)

    for count in ROUTE_COUNTS:
        app = Microdot()
        for pattern in route_patterns(count):
            app.route(pattern)(_handler)
        first, last = route_paths(count)
        app._find_route('GET', first)  # compiles the router
        route, args = app._find_route('GET', last)
        assert args == {'id': 42} and route is app.url_map[-1]
        emit('ours-{}: route first n={}'.format(NAME, count),
             measure(lambda: app._find_route('GET', first)), routes=count)
        emit('ours-{}: route last n={}'.format(NAME, count),
             measure(lambda: app._find_route('GET', last)), routes=count)


def _handler(request, id):
    pass


# httptools -------------------------------------------------------------------

def bench_httptools():
    import httptools

    class Head:
        """Callbacks building the same objects as ours: str method, path,
        query and a flat list of str header names and values."""

        def __init__(self):
            self.headers = []
            self.url = b''
            self.done = False

        def on_url(self, url):
            self.url += url

        def on_header(self, name, value):
            self.headers.append(name.decode())
            self.headers.append(value.decode())

        def on_headers_complete(self):
            self.done = True

    head = Head()
    parser = httptools.HttpRequestParser(head)
    parse_url = httptools.parse_url

    def parse():
        head.headers = []
        head.url = b''
        parser.feed_data(BROWSER_GET)
        method = parser.get_method().decode()
        url = parse_url(head.url)
        path = url.path.decode()
        query = url.query.decode() if url.query is not None else None
        return method, path, query, head.headers

    method, path, query, headers = parse()
    assert (method, path, query) == ('GET', '/catalog/items/421',
                                     'color=blue&size=m')
    assert len(headers) == 20
    emit('httptools: head -> str objects', measure(parse),
         size=len(BROWSER_GET))


# upstream --------------------------------------------------------------------

def bench_upstream():
    from microdot import Microdot, Request
    app = Microdot()

    def create():
        return run_sync(Request.create(app, MemoryReader(BROWSER_GET), None,
                                       ('127.0.0.1', 1234)))

    req = create()
    assert req.args['color'] == 'blue' and req.cookies['cart'] == '1703'
    emit('upstream: Request.create (headers, args, cookies)',
         measure(create), size=len(BROWSER_GET))

    class Req:
        method = 'GET'

    for count in ROUTE_COUNTS:
        app = Microdot()
        for pattern in route_patterns(count):
            app.route(pattern)(_handler)
        first, last = Req(), Req()
        first.path, last.path = route_paths(count)
        assert app.find_route(last)[0] is _handler
        assert last.url_args == {'id': 42}
        emit('upstream: route first n={}'.format(count),
             measure(lambda: app.find_route(first)), routes=count)
        emit('upstream: route last n={}'.format(count),
             measure(lambda: app.find_route(last)), routes=count)


if __name__ == '__main__':
    {'ours': bench_ours, 'httptools': bench_httptools,
     'upstream': bench_upstream}[sys.argv[1]]()

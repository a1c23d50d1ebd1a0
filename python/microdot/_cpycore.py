"""The CPython halves of microdot.py and microdot._server (not in the
MicroPython bundle): microdot.py imports this module at its end, and it puts
the CPython versions in place (coroutine detection by inspect, JSON bodies
and handler calls from microdot._cpython, Request's lazy attributes as
descriptors, MultiDict loaded at once). Kept apart so that the names these
lines use are not in the bytecode a board loads."""
import asyncio
import sys
from inspect import iscoroutinefunction
from time import monotonic as _now  # noqa: F401  (microdot._server's clock)

from microdot._multidict import MultiDict

core = sys.modules['microdot.microdot']  # (still being imported)
core._is_async = iscoroutinefunction
core.MultiDict = MultiDict

from microdot._cpython import call, install_lazy, install_late, \
    install_properties, json_dumps  # noqa: E402

install_lazy(core.Request, ['headers', 'args', 'cookies', 'json', 'form',
                            'g', 'url', 'url_args'])
install_properties(core.Request)
core._json_dumps = json_dumps
core._call = call
install_late(core.Microdot, core.Response)
# (the Content-Type of JSON responses, which microdot.asgi sends and looks
# for: read from one, not written a second time)
core._JSON_TYPE = core.Response({}).headers['Content-Type']


async def listen(app, registry, scheme, host, port, ssl):
    """microdot._server.serve_forever's CPython server (asyncio Protocol
    connections, microdot._aioserver), and what waits until app._stop (what
    shutdown() calls) was called."""
    from microdot._aioserver import start_server
    event = asyncio.Event()
    app._stop = event.set
    server = await start_server(app, registry, scheme, host, port, ssl)
    return server, event.wait

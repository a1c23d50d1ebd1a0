"""Microdot, the impossibly small web framework, for CPython and MicroPython.

Import the application class and the helpers from the package itself::

    from microdot import Microdot

    app = Microdot()

    @app.get('/')
    async def index(request):
        return 'Hello, world!'

    app.run(port=5000)

The same application runs on the built-in server (CPython or MicroPython),
or under an ASGI or WSGI server through :mod:`microdot.asgi` and
:mod:`microdot.wsgi`. HTTP parsing and routing are done by a C core when one
is available, with a pure-Python fallback that behaves the same.

Extensions live in submodules: :mod:`microdot.websocket`,
:mod:`microdot.sse`, :mod:`microdot.session`, :mod:`microdot.login`,
:mod:`microdot.auth`, :mod:`microdot.cors`, :mod:`microdot.csrf`,
:mod:`microdot.multipart`, templates with :mod:`microdot.jinja` or
:mod:`microdot.utemplate`, and :mod:`microdot.test_client` for tests.
"""
from microdot.microdot import Microdot, Request, Response, URLPattern, \
    NoCaseDict, HTTPException, abort, redirect, send_file, \
    _MICROPYTHON  # noqa: F401


if _MICROPYTHON:
    def __getattr__(name):
        # AsyncBytesIO and MultiDict are imported on first use, to keep a
        # board's heap small. MicroPython also asks this function before it
        # imports a submodule for `from microdot import websocket`: import
        # it here (ImportError when it is missing).
        if name == 'AsyncBytesIO' or name == 'MultiDict':
            from microdot import microdot
            return getattr(microdot, name)
        if name.startswith('__'):
            raise AttributeError(name)
        __import__('microdot.' + name)
        return globals()[name]
else:
    from microdot.microdot import MultiDict  # noqa: F401
    from microdot._bytesio import AsyncBytesIO  # noqa: F401


__all__ = ['Microdot', 'Request', 'Response', 'URLPattern', 'MultiDict',
           'NoCaseDict', 'HTTPException', 'AsyncBytesIO', 'abort', 'redirect',
           'send_file']

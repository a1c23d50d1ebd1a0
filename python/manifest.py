# Freezes the façade into firmware, next to the _microdot C module:
#   make BOARD=... FROZEN_MANIFEST=/path/to/microdot-c/python/manifest.py \
#        USER_C_MODULES=/path/to/dir-containing-microdot-c
# or, from a board's own manifest:
#   include("/path/to/microdot-c/python/manifest.py", extensions=True, compat=True)
# Frozen modules run from flash: their bytecode takes no heap.
# Options: extensions (websocket, sse, session, ...: default True), compat
# (the 1.x module names and the microdot.asyncio package: default False), pure (the pure-Python backend, for
# firmware without the C module: default True).
options.defaults(extensions=True, compat=False, pure=True)  # noqa: F821

core = ["__init__.py", "microdot.py", "_backend.py", "_server.py", "helpers.py",
        "_files.py", "_errors.py", "_urlre.py", "_re_counts.py", "_cookies.py", "_bodyiter.py", "_mount.py",
        "_reasons.py", "_forms.py", "_bytesio.py", "_multidict.py", "_reqbody.py",
        "_respond.py", "_serve_stream.py", "_pure_chunked.py", "_pure_ws.py"]  # (the last two: imported by _pure only)
core += ["_pure_utf8.py", "_pure_route.py", "_pure_fill.py",
         "_pure_args.py"]  # (imported by _pure and _backend only)
if options.pure:  # noqa: F821
    core.append("_pure.py")
extensions = ["auth.py", "cors.py", "csrf.py", "login.py", "multipart.py", "session.py",
              "_jwt.py", "sse.py", "ssl.py", "test_client.py", "utemplate.py", "websocket.py",
              "_ws_client.py", "_ws_frames.py", "_ws_close.py", "_ws_stream.py"]
files = core + (extensions if options.extensions else [])  # noqa: F821
package("microdot", files=files, opt=2)  # noqa: F821
if options.compat:  # noqa: F821
    package("microdot", files=["asyncio/__init__.py", "asyncio/test_client.py",
                               "asyncio/websocket.py"], opt=2)  # noqa: F821
    for name in ("asyncio", "asyncio_test_client", "asyncio_websocket", "cors", "session",
                 "ssl", "test_client", "utemplate", "websocket"):
        module("microdot_%s.py" % name, opt=2)  # noqa: F821

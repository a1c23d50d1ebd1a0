"""Run by tests/mpy/deploy_frozen.py on the host port built with the façade
frozen in (MICROPYPATH=.frozen, no python/): prints where each module came
from (a frozen module's __file__ is its path inside the firmware, e.g.
microdot/cors.py), sys.path, the backend, and the heap the import took.
MicroPython only."""
import gc

gc.collect()
base = gc.mem_alloc()
import microdot  # noqa: E402
gc.collect()
print('import-heap', gc.mem_alloc() - base)

import sys  # noqa: E402

import _microdot  # noqa: E402
# (session, login, auth, multipart and websocket need binascii/hashlib,
# which this port lacks)
from microdot import _backend, _server, helpers, test_client, sse, cors, csrf  # noqa: E402

print('path', ':'.join(sys.path))
for module in (microdot, _backend, _server, helpers, test_client, sse, cors, csrf):
    print('file', module.__name__, module.__file__)
print('backend', _backend.NAME)
print('c-ws', hasattr(_microdot, 'ws_mask'))

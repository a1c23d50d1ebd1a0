"""The cffi backend from several threads at once (WSGI worker threads, sync
handlers): cffi releases the GIL during C calls, so the backend's shared C
scratch structs must not be used by two threads at the same time."""
import os
import sys
import threading

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'python'))

try:
    from microdot import _cffi
except ImportError:
    _cffi = None

pytestmark = pytest.mark.skipif(_cffi is None,
                                reason='the cffi extension is not built')


def hammer(thread, rounds, router, errors):
    for k in range(rounds):
        found = _cffi.match_route(router, '/a/%d/v%d' % (thread, k), 0)
        if found != (0, [thread, 'v%d' % k]):
            errors.append(('route', thread, k, found))
            return
        head = b'GET /t%d HTTP/1.1\r\nHost: h%d\r\n\r\n' % (thread, k)
        parsed = _cffi.parse_request(head, 0, len(head), 0, 2048, 16384, 64)
        if parsed[1] != '/t%d' % thread or parsed[4] != ['Host', 'h%d' % k]:
            errors.append(('head', thread, k, parsed))
            return


def test_threads_get_their_own_results():
    router = _cffi.compile_router(['/a/<int:x>/<y>', '/b/<path:p>'])
    errors = []
    threads = [threading.Thread(target=hammer, args=(i, 5000, router, errors))
               for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]

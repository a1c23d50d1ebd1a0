"""The soak app: tests/apps/server_app.py plus a /mem route reporting the
heap (gc.mem_alloc() after a collection on MicroPython, the gc object count
on CPython). Runs on CPython and MicroPython like server_app.py does."""
import gc
import sys

from microdot import Microdot

APP = sys.argv[0].rsplit('/', 2)[0] + '/apps/server_app.py' \
    if '/' in sys.argv[0] else '../apps/server_app.py'

_run = Microdot.run


def run(self, *args, **kwargs):
    @self.get('/mem')
    async def mem(request):
        gc.collect()
        if hasattr(gc, 'mem_alloc'):
            return {'alloc': gc.mem_alloc(), 'free': gc.mem_free()}
        return {'alloc': len(gc.get_objects())}
    return _run(self, *args, **kwargs)


Microdot.run = run
exec(open(APP).read())

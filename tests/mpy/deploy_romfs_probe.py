"""The MicroPython side of deploy_romfs.py: imports the façade from a ROMFS
image (mounted here from romfs_flash, as ports/romfs/boot.py does) or, for
comparison, from .mpy files, and prints `key value` lines:

    image_heap      heap taken by importing romfs_flash and mounting /rom
    image_size      the image's size (rom)
    file            where microdot was imported from
    in_image NAME   1 if the function's bytecode lies inside the image
    heap STEP       heap in use after each import step, from before the
                    first import of the façade
    qstr pool: ...  micropython.qstr_info() after each step (the pools of
                    interned names live in the heap)
    modules STEP    the modules that step imported

    micropython deploy_romfs_probe.py rom          # MICROPYPATH: romfs_flash.mpy
    micropython deploy_romfs_probe.py files LIB    # the same .mpy files from LIB
"""
import gc
import micropython
import struct
import sys
import uctypes

import asyncio  # noqa: F401  (frozen in the port; both frameworks import it)
import json  # noqa: F401

mode = sys.argv[1]


def in_use():
    gc.collect()
    return gc.mem_alloc()


start = in_use()
if mode == 'rom':
    import vfs
    import romfs_flash
    low = romfs_flash.address()
    high = low + romfs_flash.size()
    vfs.mount(vfs.VfsRom(uctypes.bytearray_at(low, high - low)), '/rom')
    sys.path[:0] = ['/rom', '/rom/lib']
    print('image_size', high - low)
    print('image_heap', in_use() - start)
else:
    low = high = 0
    sys.path.insert(0, sys.argv[2])


def bytecode_address(function):
    # mp_obj_fun_bc_t: type, context, child_table, then the bytecode pointer
    size = struct.calcsize('P')
    return struct.unpack('P', uctypes.bytes_at(id(function) + 3 * size, size))[0]


base = in_use()
seen = set(sys.modules)


def step(name):
    print('heap', name, in_use() - base)
    new = sorted(m for m in sys.modules if m not in seen)
    seen.update(new)
    print('modules', name, ' '.join(new) or '-')
    micropython.qstr_info()  # "qstr pool: ... n_total_bytes=N": interned names in the heap


step('base')
import microdot  # noqa: E402
step('import_microdot')
print('file', microdot.__file__)
from microdot.websocket import with_websocket, WebSocket  # noqa: E402
step('import_websocket')

app = microdot.Microdot()


@app.route('/')
async def index(request):
    return 'Hello, world!'


@app.route('/echo')
@with_websocket
async def echo(request, ws):
    while True:
        await ws.send(await ws.receive())


step('app')
for name, function in (('Microdot.route', microdot.Microdot.route),
                       ('WebSocket.receive', WebSocket.receive)):
    print('in_image', name, int(low <= bytecode_address(function) < high))

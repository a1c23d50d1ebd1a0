"""What a board with a ROMFS partition does at boot, for MicroPython's unix
port: mounts the image that romfs_flash (ports/romfs) holds outside the heap
at /rom, puts /rom and /rom/lib first on sys.path, then imports the module
named by the first argument (an app in the image), which sees the remaining
arguments in sys.argv[1:].

    MICROPYPATH=build/romfs:.frozen micropython -X heapsize=64k ports/romfs/boot.py APP [ARGS]
"""
import sys
import uctypes
import vfs

import romfs_flash

vfs.mount(vfs.VfsRom(uctypes.bytearray_at(romfs_flash.address(), romfs_flash.size())), '/rom')
sys.path[:0] = ['/rom', '/rom/lib']
__import__(sys.argv.pop(1))

# The host port's frozen modules: the façade, as a board freezes it
# (python/manifest.py), and stand-ins for the two modules of MicroPython's
# extmod/ that the façade imports and the sdist lacks (asyncio, json, time).
#   make -C ports/hostport BUILD=.../hostport-frozen \
#       FROZEN_MANIFEST=$PWD/ports/hostport/frozen/manifest.py \
#       MPY_LIB_DIR=$PWD/ports/hostport/frozen
# (MPY_LIB_DIR: py/mkrules.mk insists on a micropython-lib checkout, found
# by its README.md, even when nothing is required from it.)
include("../../../python/manifest.py", extensions=True)  # noqa: F821
module("asyncio.py", opt=2)  # noqa: F821
module("json.py", opt=2)  # noqa: F821
module("time.py", opt=2)  # noqa: F821

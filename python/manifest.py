# Freezes the façade into firmware, next to the _microdot C module:
#   make BOARD=... FROZEN_MANIFEST=/path/to/microdot-c/python/manifest.py \
#        USER_C_MODULES=/path/to/dir-containing-microdot-c
# or, from a board's own manifest:
#   include("/path/to/microdot-c/python/manifest.py")
package("microdot", opt=2)  # noqa: F821 - a manifest builtin

"""The ``microdot.asyncio`` package of the Microdot guides written between
1.x and 2.x: ``from microdot.asyncio import Microdot``.

In 2.x every application is asynchronous, so this is the ``microdot``
package under that name."""
from microdot import Microdot, Request, Response, URLPattern, MultiDict, \
    NoCaseDict, HTTPException, abort, redirect, send_file  # noqa: F401

"""Microdot 1.x name: ``from microdot_asyncio import Microdot``.

In 2.x every application is asynchronous, so this is the ``microdot``
package under its old name."""
from microdot import Microdot, Request, Response, URLPattern, MultiDict, \
    NoCaseDict, HTTPException, abort, redirect, send_file  # noqa: F401

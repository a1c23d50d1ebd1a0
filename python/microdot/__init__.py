from microdot.microdot import Microdot, Request, Response, URLPattern, \
    MultiDict, NoCaseDict, HTTPException, AsyncBytesIO, abort, redirect, \
    send_file  # noqa: F401

__all__ = ['Microdot', 'Request', 'Response', 'URLPattern', 'MultiDict',
           'NoCaseDict', 'HTTPException', 'AsyncBytesIO', 'abort', 'redirect',
           'send_file']

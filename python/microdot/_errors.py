"""Error responses of an app: the route-less answers (404, 405, OPTIONS)
and the Response for an exception, through the app's error handlers.
Imported by microdot.microdot on the first error."""
import sys

from microdot.helpers import print_exception
from microdot.microdot import Response, HTTPException, _make_response, \
    _call
from microdot._reasons import REASONS


class BodyIncomplete(EOFError):
    """Raised by ``request.stream`` when the client closes the connection
    before the end of the request body. It is an EOFError; one that no
    error handler of the app takes is answered with 400, not with a 500 and
    a traceback (the client, not the app, is at fault)."""


def tuple_error(item=None):
    """The TypeError of a handler's response tuple with a wrong ``item`` (or,
    without one, with more than 3 items). (The messages of microdot.microdot
    live here, loaded when raised: each is a str in a board's RAM.)"""
    if item is None:
        return TypeError('a response tuple has at most 3 items')
    return TypeError('a response tuple is (body, status code, headers): '
                     'got {!r}'.format(item))


def component_error(problem, segment, type_):
    """URLPattern's ValueError for the bad component ``segment``:
    ``problem`` is 're' (no pattern), the exception compiling its pattern,
    'name' (no name) or 'type' (``type_`` is not a known type)."""
    if problem == 're':
        return ValueError('invalid re component ' + segment)
    if problem == 'name':
        return ValueError('component without a name: ' + segment)
    if problem == 'type':
        return ValueError('unknown URL component type ' + type_)
    return ValueError('invalid re component {}: {}'.format(segment, problem))


def body_incomplete():
    """The exception for a request body cut short (see BodyIncomplete)."""
    return BodyIncomplete('connection closed in the request body')


async def no_route(app, req, allowed):
    """The answer when no route serves ``req``: 404, or 405 (or the 204 of
    OPTIONS) when other methods would."""
    if allowed is None:
        raise HTTPException(404)
    if 'GET' in allowed and 'HEAD' not in allowed:
        allowed.append('HEAD')
    if req.method == 'OPTIONS':
        allowed.append('OPTIONS')
        # No before-request handler ran, so neither do the after-request
        # ones (they may expect what a before-request handler stored in
        # request.g): like the 404 and the 405, the answer goes through the
        # after-error-request handlers only.
        res = Response('', 204)
    else:
        res = await _error_response(app, req, HTTPException(405), None)
    res.headers['Allow'] = ', '.join(allowed)
    return await app._after(req, res, app.after_error_request_handlers)


async def error_response(self, req, status_code):
    """The response to send for an error status detected outside of the
    app (e.g. 413 from the server), through the error handlers."""
    return await handle_exception(self, req, HTTPException(status_code),
                                  (self,))


async def handle_exception(app, req, exc, apps):
    """The Response for ``exc``, after the after-error handlers of
    ``apps``; a failing error handler gives a plain 500."""
    try:
        res = await _error_response(app, req, exc, apps)
        for each in apps:
            res = await app._after(req, res, each.after_error_request_handlers)
        return res
    except Exception as exc2:
        print_exception(exc2)
        return _default_error(app, 500, exc2)


async def _error_response(app, req, exc, apps):
    apps = apps or (app,)
    if isinstance(exc, HTTPException):
        for each in apps:
            handler = each.error_handlers.get(exc.status_code)
            if handler is not None:
                return _make_response(await _call(handler, req))
        return Response(exc.reason, exc.status_code, reason=exc.reason)
    for each in apps:
        handler = _find_exception_handler(each.error_handlers, type(exc))
        if handler is not None:
            return _make_response(await _call(handler, req, exc))
    if isinstance(exc, BodyIncomplete):
        return await _error_response(app, req, HTTPException(400), apps)
    print_exception(exc)
    for each in apps:
        handler = each.error_handlers.get(500)
        if handler is not None:
            return _make_response(await _call(handler, req))
    return _default_error(app, 500, exc)


def _default_error(app, status_code, exc=None):
    body = REASONS.get(status_code, 'N/A')
    if app.debug and exc is not None:
        body += '\n\n' + format_exception(exc)
    return Response(body, status_code)


def _find_exception_handler(handlers, cls):
    """The handler of the first class of ``cls``'s method resolution order
    that has one, or None."""
    if not handlers:
        return None
    for klass in getattr(cls, '__mro__', None) or _resolution_order(cls):
        if klass in handlers:
            return handlers[klass]
    return None


def _resolution_order(cls):
    # MicroPython has no __mro__: depth first, left to right, each class
    # kept at its last place, which is CPython's order for the single and
    # mixin inheritance exception classes use.
    seen = []
    stack = [cls]
    while stack:
        klass = stack.pop()
        if klass in seen:
            seen.remove(klass)
        seen.append(klass)
        stack += reversed(getattr(klass, '__bases__', ()))
    return seen


def format_exception(exc):
    """The traceback of ``exc`` as text."""
    if hasattr(sys, 'print_exception'):  # MicroPython
        import io
        out = io.StringIO()
        sys.print_exception(exc, out)
        return out.getvalue()
    import traceback
    return ''.join(traceback.format_exception(type(exc), exc,
                                              exc.__traceback__))

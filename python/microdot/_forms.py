"""Request.json and Request.form: the body as JSON or as an urlencoded
form. Imported on the first access to either."""
import json
import sys

from microdot._backend import backend
from microdot.microdot import HTTPException, MultiDict, _http_error


if sys.implementation.name == 'micropython':
    _loads = json.loads  # (which refuses NaN and Infinity itself)
else:
    def _no_constant(name):
        raise ValueError(name + ' is not JSON')

    def _loads(data):
        # NaN and Infinity are not JSON (RFC 8259), though CPython's json
        # reads them by default (and would write them back out)
        return json.loads(data, parse_constant=_no_constant)


def parse_body(req, name):
    """``req.json`` (name 'json') or ``req.form`` ('form'); None when the
    body is not of that type."""
    media_type = req.content_type
    if media_type:
        media_type = media_type.split(';', 1)[0].strip().lower()
    if name == 'json':
        if media_type != 'application/json' or not req.body:
            return None
        try:
            return _loads(req.body)
        except (ValueError, UnicodeError, RuntimeError):
            # (RuntimeError: CPython's RecursionError, for deeply nested
            # arrays and objects)
            raise HTTPException(400, 'Invalid JSON')
    if media_type != 'application/x-www-form-urlencoded':
        return None
    try:
        flat = backend.parse_query(req.body)
    except ValueError as exc:
        raise _http_error(exc)
    return MultiDict._from_flat(flat)

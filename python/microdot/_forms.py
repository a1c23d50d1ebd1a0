"""Request.json and Request.form: the body as JSON or as an urlencoded
form; Request.content_type and Request.content_length. Imported on the
first access to any of them (on MicroPython, the two properties are added
to Request from here: see microdot.microdot._late)."""
import json

from microdot._backend import backend
from microdot.microdot import HTTPException, MultiDict, _http_error


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
            return json.loads(req.body)
        except (ValueError, UnicodeError):
            raise HTTPException(400, 'Invalid JSON')
    if media_type != 'application/x-www-form-urlencoded':
        return None
    try:
        flat = backend.parse_query(req.body)
    except ValueError as exc:
        raise _http_error(exc)
    return MultiDict._from_flat(flat)


@property
def content_type(self):
    """The value of the ``Content-Type`` header as sent, parameters
    included (such as ``'application/json; charset=utf-8'``), or None
    when the request has none."""
    return self._header('content-type')


@property
def content_length(self):
    """The value of the ``Content-Length`` header as an int; 0 when the
    request has none (a chunked body, or no body at all)."""
    length = self._header('content-length')
    return int(length) if length and length.isdigit() else 0

"""The members of Microdot, Request and Response that most apps use once or
never: shutdown, error responses from the server, mounting, cookies,
request-local after_request handlers, streamed bodies.

Each class below holds the members of one core class. On CPython they are
added to their classes when microdot.microdot is imported; on MicroPython,
where a board keeps every method's bytecode in RAM, a member is added on
its first use (see microdot.microdot._late)."""
from microdot.microdot import HTTPException


class App:
    """Members of :class:`microdot.Microdot`."""

    def mount(self, subapp, url_prefix='', local=False):
        """Adds the routes of ``subapp`` under ``url_prefix``. Its request
        and error handlers apply to the whole app, or only to its own
        routes with ``local=True``."""
        from microdot._mount import mount
        mount(self, subapp, url_prefix, local)

    async def error_response(self, req, status_code):
        """The response to send for an error status detected outside of the
        app (e.g. 413 from the server), through the error handlers."""
        from microdot._errors import handle_exception
        return await handle_exception(self, req, HTTPException(status_code),
                                      (self,))

    def shutdown(self):
        """Stops the server once the requests in progress complete."""
        self._shutdown_requested = True
        if self._stop is not None:
            self._stop.set()


class Req:
    """Members of :class:`microdot.Request`."""

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

    def after_request(self, f):
        """Registers a handler called after this request only (decorator)."""
        if not isinstance(self.after_request_handlers, list):
            self.after_request_handlers = []
        self.after_request_handlers.append(f)
        return f


class Res:
    """Members of :class:`microdot.Response`."""

    def set_cookie(self, cookie, value, path=None, domain=None, expires=None,
                   max_age=None, secure=False, http_only=False,
                   partitioned=False, samesite=None):
        """Adds a Set-Cookie header to the response."""
        from microdot._cookies import set_cookie
        set_cookie(self, cookie, value, path, domain, expires, max_age,
                   secure, http_only, partitioned, samesite)

    def delete_cookie(self, cookie, **kwargs):
        """Asks the client to delete a cookie."""
        kwargs.pop('expires', None)
        kwargs.pop('max_age', None)
        self.set_cookie(cookie, '', expires='Thu, 01 Jan 1970 00:00:01 GMT',
                        max_age=0, **kwargs)

    def _add_header(self, name, value):
        current = self.headers.get(name)
        if current is None:
            self.headers[name] = [value]
        elif isinstance(current, list):
            current.append(value)
        else:
            self.headers[name] = [current, value]

    def body_iter(self):
        """An async iterator over the body as bytes chunks."""
        from microdot._bodyiter import BodyIter
        return BodyIter(self.body, self.send_file_buffer_size)

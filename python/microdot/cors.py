"""Cross-Origin Resource Sharing (CORS).

Usage::

    from microdot.cors import CORS

    CORS(app, allowed_origins=['https://example.com'], allow_credentials=True)

Preflight requests (``OPTIONS`` with ``Access-Control-Request-Method``) are
answered by the extension itself, before any route runs. Other requests get
the CORS response headers added when their ``Origin`` is allowed.
"""
from microdot.microdot import Response


def _as_list(value):
    if value is None or value == '*':
        return value
    if isinstance(value, str):
        return [value]
    return list(value)


class CORS:
    """The CORS extension.

    :param app: the application, or ``None`` to call :meth:`initialize`
                later.
    :param allowed_origins: a list of the origins allowed to make
                            cross-origin requests, such as
                            ``'https://example.com'``, or ``'*'`` for any
                            origin. ``None`` allows none.
    :param allow_credentials: allow cookies and HTTP authentication. With
                              ``'*'`` the request's origin is echoed back,
                              since browsers refuse ``*`` with credentials.
    :param allowed_methods: methods allowed in preflight requests; by
                            default the method the browser asks for.
    :param allowed_headers: request headers allowed in preflight requests;
                            by default the headers the browser asks for.
    :param expose_headers: response headers the browser may show to the
                           page.
    :param max_age: seconds the browser may cache a preflight answer.
    :param handle_cors: set to ``False`` to add no headers at all: the
                        application adds those of :meth:`get_cors_headers`
                        where it wants them (the allowed origins are also
                        used by the CSRF extension).
    """

    def __init__(self, app=None, allowed_origins=None, allow_credentials=False,
                 allowed_methods=None, expose_headers=None,
                 allowed_headers=None, max_age=None, handle_cors=True):
        self.allowed_origins = _as_list(allowed_origins)
        self.allow_credentials = allow_credentials
        self.allowed_methods = _as_list(allowed_methods)
        self.expose_headers = _as_list(expose_headers)
        self.allowed_headers = _as_list(allowed_headers)
        self.max_age = max_age
        self.handle_cors = handle_cors
        if app is not None:
            self.initialize(app)

    def initialize(self, app, **options):
        """Attaches the extension to ``app``, for applications created in a
        factory function. Keyword arguments (the constructor's option names)
        override the options given to the constructor.

        Example::

            cors = CORS(allowed_origins=['https://example.com'])

            def create_app():
                app = Microdot()
                cors.initialize(app)
                return app
        """
        for name, value in options.items():
            if name not in ('allow_credentials', 'max_age', 'handle_cors'):
                value = _as_list(value)
            setattr(self, name, value)
        app._cors = self
        if self.handle_cors:
            app.before_request(self._before_request)
            app.after_request(self._after_request)
            app.after_error_request(self._after_request)

    def origin_allowed(self, origin):
        """True when ``origin`` (the value of an ``Origin`` header) may
        access the application: ``allowed_origins`` is ``'*'`` or lists
        it."""
        if not origin or self.allowed_origins is None:
            return False
        return self.allowed_origins == '*' or origin in self.allowed_origins

    def _allow_origin_headers(self, origin):
        headers = {}
        if self.allowed_origins == '*' and not self.allow_credentials:
            headers['Access-Control-Allow-Origin'] = '*'
        else:
            headers['Access-Control-Allow-Origin'] = origin
            headers['Vary'] = 'Origin'
        if self.allow_credentials:
            headers['Access-Control-Allow-Credentials'] = 'true'
        return headers

    def preflight_headers(self, request):
        """The headers that answer the preflight ``request`` as a dict:
        the allowed origin, methods and headers, credentials and max age.
        Empty when the request's origin is not allowed."""
        origin = request.headers.get('Origin')
        if not self.origin_allowed(origin):
            return {}
        headers = self._allow_origin_headers(origin)
        if self.allowed_methods:
            headers['Access-Control-Allow-Methods'] = \
                ', '.join(self.allowed_methods)
        else:
            headers['Access-Control-Allow-Methods'] = \
                request.headers.get('Access-Control-Request-Method')
        if self.allowed_headers:
            headers['Access-Control-Allow-Headers'] = \
                ', '.join(self.allowed_headers)
        elif request.headers.get('Access-Control-Request-Headers'):
            headers['Access-Control-Allow-Headers'] = \
                request.headers['Access-Control-Request-Headers']
        if self.max_age is not None:
            headers['Access-Control-Max-Age'] = str(self.max_age)
        return headers

    def response_headers(self, request):
        """The headers added to the response to an ordinary (not
        preflight) ``request``, as a dict; empty when its origin is not
        allowed."""
        origin = request.headers.get('Origin')
        if not self.origin_allowed(origin):
            return {}
        headers = self._allow_origin_headers(origin)
        if self.expose_headers:
            headers['Access-Control-Expose-Headers'] = \
                ', '.join(self.expose_headers)
        return headers

    def get_cors_headers(self, request):
        """The CORS headers for ``request`` as a dict: those of
        :meth:`preflight_headers` for a preflight request, else those of
        :meth:`response_headers`. For an application that adds the headers
        itself (``handle_cors=False``)::

            cors = CORS(app, allowed_origins=['https://example.com'],
                        handle_cors=False)

            async def add_cors(request, response):
                if request.path.startswith('/api/'):
                    response.headers.update(cors.get_cors_headers(request))
                return response

            app.after_request(add_cors)
            app.after_error_request(add_cors)  # (errors, OPTIONS answers)
        """
        if self.is_preflight(request):
            return self.preflight_headers(request)
        return self.response_headers(request)

    @staticmethod
    def is_preflight(request):
        """True when ``request`` is a CORS preflight request: an ``OPTIONS``
        request with an ``Access-Control-Request-Method`` header."""
        return request.method == 'OPTIONS' and \
            'Access-Control-Request-Method' in request.headers

    async def _before_request(self, request):
        if self.is_preflight(request):
            request._cors_preflight = True
            return Response('', 204, self.preflight_headers(request))

    async def _after_request(self, request, response):
        if getattr(request, '_cors_preflight', False):
            return response
        if self.is_preflight(request):
            # A preflight that the router answered first (404, 405...).
            response = Response('', 204)
            response.headers.update(self.preflight_headers(request))
            return response
        headers = self.response_headers(request)
        if not headers and self.allowed_origins is not None and \
                (self.allowed_origins != '*' or self.allow_credentials):
            # the answer depends on the Origin even when it allows none: a
            # cache must not give this response to an allowed origin
            headers = {'Vary': 'Origin'}
        for name, value in headers.items():
            if name == 'Vary' and response.headers.get('Vary'):
                if 'origin' not in response.headers['Vary'].lower():
                    response.headers['Vary'] += ', Origin'
            else:
                response.headers[name] = value
        return response

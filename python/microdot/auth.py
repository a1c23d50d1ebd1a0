"""HTTP authentication: Basic and token (Bearer) schemes.

Usage::

    from microdot.auth import BasicAuth

    auth = BasicAuth()

    @auth.authenticate
    async def verify_user(request, username, password):
        user = await load_user(username)
        if user and user.check_password(password):
            return user          # any value but None means authenticated

    @app.route('/')
    @auth
    async def index(request):
        return 'Hello, {}!'.format(request.g.current_user.name)

``@auth.optional`` lets unauthenticated requests through with
``request.g.current_user`` set to ``None``.
"""
import binascii

from microdot.helpers import wraps
from microdot.microdot import HTTPException, Response

# Until the core exports it (see the Requests of the façade contract), the
# extensions take the handler-calling helper from here.
try:
    from microdot.microdot import invoke_handler
except ImportError:
    from microdot.microdot import _call as invoke_handler


class BaseAuth:
    """What the authentication schemes share: the verification callback,
    the error callback and the decorators."""
    error_status = 401

    def __init__(self):
        self.auth_callback = None
        self.error_callback = None

    def authenticate(self, f):
        """Decorator that registers the function that verifies credentials.
        It receives the request and the credentials (see each scheme) and
        returns the user, or ``None`` to refuse. It may be sync or async.
        Returns ``f`` unchanged."""
        self.auth_callback = f
        return f

    def error(self, f):
        """Decorator that registers a function that builds the response to
        an unauthenticated request, in place of :meth:`error_response`. It
        receives the request, may be sync or async, and returns anything a
        route may return. Returns ``f`` unchanged.

        Example::

            @auth.error
            def auth_error(request):
                return {'error': 'not logged in'}, 401
        """
        self.error_callback = f
        return f

    #: the name upstream Microdot gives :meth:`error`
    errorhandler = error

    def credentials(self, request):
        """The credentials found in ``request`` as a tuple (the arguments
        given to the verification callback after the request), or ``None``
        when the request carries none in this scheme. Each scheme defines
        it."""
        raise NotImplementedError

    def error_response(self, request):
        """The default response to an unauthenticated request (used when no
        :meth:`error` callback is registered): ``Unauthorized`` with
        ``error_status``."""
        return Response('Unauthorized', self.error_status)

    async def current_user(self, request):
        """The user that ``request`` authenticates as: the verification
        callback's result, or ``None`` when the request has no credentials
        for this scheme.

        :raises RuntimeError: no verification callback was registered with
            :meth:`authenticate`.
        """
        if self.auth_callback is None:
            raise RuntimeError('No authentication callback: decorate one '
                               'with @auth.authenticate')
        credentials = self.credentials(request)
        if credentials is None:
            return None
        return await invoke_handler(self.auth_callback, request, *credentials)

    async def _refuse(self, request):
        if self.error_callback is not None:
            return await invoke_handler(self.error_callback, request)
        return self.error_response(request)

    def __call__(self, f):
        """Decorator for routes that require authentication: the handler
        runs with the user in ``request.g.current_user``; other requests get
        the error response. Put it under the route decorator."""
        async def wrapper(request, *args, **kwargs):
            user = await self.current_user(request)
            if user is None:
                return await self._refuse(request)
            request.g.current_user = user
            return await invoke_handler(f, request, *args, **kwargs)
        return wraps(f)(wrapper)

    def optional(self, f):
        """Decorator for routes where authentication is optional: the
        handler always runs, with ``request.g.current_user`` set to the user
        or to ``None``. A user set by another authentication decorator
        above this one is kept when this scheme finds none, so that two
        optional decorators accept either scheme."""
        async def wrapper(request, *args, **kwargs):
            user = await self.current_user(request)
            if user is not None or \
                    getattr(request.g, 'current_user', None) is None:
                request.g.current_user = user
            return await invoke_handler(f, request, *args, **kwargs)
        return wraps(f)(wrapper)


class BasicAuth(BaseAuth):
    """HTTP Basic authentication (RFC 7617). The verification callback
    receives ``(request, username, password)``.

    :param realm: the realm announced in ``WWW-Authenticate``.
    :param charset: the charset announced, used to decode the credentials.
    :param scheme: the scheme name; change it (for example to
                   ``'xBasic'``) to stop browsers from showing their login
                   dialog.
    :param error_status: the status code of the error response.
    """

    def __init__(self, realm='Please login', charset='UTF-8', scheme='Basic',
                 error_status=401):
        super().__init__()
        self.realm = realm
        self.charset = charset
        self.scheme = scheme
        self.error_status = error_status

    def credentials(self, request):
        """``(username, password)`` from the ``Authorization`` header, or
        ``None`` when it is missing, uses another scheme, or does not decode
        (bad base64, bad text in ``charset``, no colon)."""
        value = request.headers.get('Authorization', '')
        fields = value.split(None, 1)
        if len(fields) != 2 or fields[0].lower() != self.scheme.lower():
            return None
        try:
            decoded = binascii.a2b_base64(fields[1].strip()).decode(
                self.charset)
        except (ValueError, UnicodeError, LookupError):
            return None
        colon = decoded.find(':')
        if colon < 0:
            return None
        return decoded[:colon], decoded[colon + 1:]

    def error_response(self, request):
        """``Unauthorized`` with ``error_status`` and a ``WWW-Authenticate``
        challenge naming the scheme, realm and charset (with the ``Basic``
        scheme, browsers then show their login dialog)."""
        challenge = '{} realm="{}", charset="{}"'.format(
            self.scheme, self.realm, self.charset)
        return Response('Unauthorized', self.error_status,
                        {'WWW-Authenticate': challenge})


class TokenAuth(BaseAuth):
    """Token authentication, by default ``Authorization: Bearer <token>``
    (RFC 6750). The verification callback receives ``(request, token)``.

    Example::

        auth = TokenAuth()

        @auth.authenticate
        async def verify_token(request, token):
            return await User.from_token(token)   # None if unknown

        @app.get('/api/me')
        @auth
        async def me(request):
            return {'name': request.g.current_user.name}

    :param header: the request header that carries the token. A header
                   other than ``Authorization`` (``X-API-Key``...) holds the
                   bare token, whatever ``scheme`` says.
    :param scheme: the scheme before the token in ``Authorization``, or
                   ``None`` when it holds the bare token.
    :param error_status: the status code of the error response. When the
                   application has an error handler for this status
                   (``@app.errorhandler(401)``), that handler answers.
    """

    def __init__(self, header='Authorization', scheme='Bearer',
                 error_status=401):
        super().__init__()
        self.header = header
        self.scheme = scheme
        self.error_status = error_status

    def credentials(self, request):
        """``(token,)`` from the token header, or ``None`` when the header is
        missing, empty, or uses another scheme."""
        value = request.headers.get(self.header)
        if not value:
            return None
        if self.scheme is None or self.header.lower() != 'authorization':
            return (value.strip(),)
        fields = value.split(None, 1)
        if len(fields) != 2 or fields[0].lower() != self.scheme.lower():
            return None
        return (fields[1].strip(),)

    def error_response(self, request):
        """``Unauthorized`` with ``error_status``; a ``WWW-Authenticate``
        header naming the scheme is added when the token travels in
        ``Authorization``. An error handler of the application for
        ``error_status`` answers instead (as ``abort(error_status)``)."""
        for app in (getattr(request, 'subapp', None), request.app):
            if app is not None and self.error_status in app.error_handlers:
                raise HTTPException(self.error_status)
        headers = {}
        if self.header.lower() == 'authorization' and self.scheme:
            headers['WWW-Authenticate'] = self.scheme
        return Response('Unauthorized', self.error_status, headers)

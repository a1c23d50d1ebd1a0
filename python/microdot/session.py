"""Signed-cookie user sessions.

The session is a dict stored in the client as a JSON Web Token signed with
HMAC-SHA256 (PyJWT on CPython, ``microdot._jwt`` where PyJWT is missing). A
cookie that was tampered with, signed with another key or algorithm, or has
expired reads as an empty session.

Usage::

    from microdot.session import Session, with_session

    Session(app, secret_key='top-secret!')

    @app.route('/')
    @with_session
    async def index(request, session):
        session['visits'] = session.get('visits', 0) + 1
        session.save()
        return 'visit #{}'.format(session['visits'])
"""
try:
    import jwt
except ImportError:  # MicroPython
    jwt = None
if jwt is None or not hasattr(jwt, 'encode'):
    from microdot import _jwt as jwt

import time

from microdot.helpers import iscoroutinefunction, wraps

COOKIE_DEFAULTS = {
    'path': '/',
    'domain': None,
    'secure': False,
    'http_only': True,
    'samesite': 'Lax',
    'max_age': None,
    'partitioned': False,
}
_EXPIRY_CLAIM = 'exp'


class SessionDict(dict):
    """The session of one request: a dict with :meth:`save` and
    :meth:`delete`. The cookie is written when the response is sent, from
    the session's content at that time."""

    def __init__(self, request, session_dict):
        super().__init__(session_dict)
        self.request = request

    def save(self):
        """Sends the session back to the client in the response."""
        _session_for(self.request)._schedule(self.request, self, False)

    def delete(self):
        """Empties the session and removes its cookie from the client."""
        self.clear()
        _session_for(self.request)._schedule(self.request, self, True)


class Session:
    """The session extension.

    :param app: the application, or ``None`` to call :meth:`initialize`
                later (application factories).
    :param secret_key: the key that signs the session cookies.
    :param cookie_options: a dict of cookie settings, merged over
                           ``COOKIE_DEFAULTS``: ``path``, ``domain``,
                           ``secure``, ``http_only`` (default ``True``),
                           ``samesite`` (default ``'Lax'``), ``max_age``
                           (seconds; also sets the token's expiry) and
                           ``partitioned``.
    :param cookie_name: the name of the session cookie.

    When the application is created in a factory function, create the
    extension first and attach it later::

        session = Session(secret_key='top-secret!')

        def create_app():
            app = Microdot()
            session.initialize(app)
            return app

    Anyone who knows the secret key can forge sessions: keep it out of the
    source code in production.
    """
    cookie_name = 'session'

    def __init__(self, app=None, secret_key=None, cookie_options=None,
                 cookie_name=None):
        self.secret_key = secret_key
        self.cookie_options = dict(COOKIE_DEFAULTS)
        if cookie_options:
            self.cookie_options.update(cookie_options)
        if cookie_name:
            self.cookie_name = cookie_name
        if app is not None:
            self.initialize(app)

    def initialize(self, app, secret_key=None, cookie_options=None):
        """Attaches the extension to ``app``; ``secret_key`` and
        ``cookie_options`` (merged over the current ones) override those
        given to the constructor."""
        if secret_key is not None:
            self.secret_key = secret_key
        if cookie_options:
            self.cookie_options.update(cookie_options)
        app._session = self

    # -- reading and writing the session of a request ----------------------
    def get(self, request):
        """Returns the session of ``request`` as a :class:`SessionDict`
        (the same object for every call during one request)."""
        session = getattr(request, '_session', None)
        if session is None:
            data = self.decode(request.cookies.get(self.cookie_name))
            session = SessionDict(request, _unescape(data) if data else {})
            request._session = session
        return session

    def update(self, request, session):
        """Merges the dict ``session`` into the request's session, saves it,
        and returns the resulting :class:`SessionDict`."""
        current = self.get(request)
        current.update(session)
        current.save()
        return current

    def delete(self, request):
        """Deletes the request's session (see :meth:`SessionDict.delete`)."""
        self.get(request).delete()

    # -- tokens -------------------------------------------------------------
    def encode(self, payload, secret_key=None, max_age=None):
        """Signs ``payload`` (a dict of JSON-serializable values) into a
        token string.

        :param secret_key: the key to sign with instead of the extension's.
        :param max_age: seconds until the token expires; by default the
            ``max_age`` cookie option (no expiry when it is ``None``).
        :raises ValueError: no secret key is set.
        """
        key = self._key(secret_key)
        max_age = self.cookie_options.get('max_age') if max_age is None \
            else max_age
        payload = _plain_dict(payload)
        if max_age:
            payload[_EXPIRY_CLAIM] = int(time.time()) + int(max_age)
        token = jwt.encode(payload, key, algorithm='HS256')
        return token.decode() if isinstance(token, bytes) else token

    def decode(self, token, secret_key=None):
        """The payload of ``token``, or ``None`` when the token is missing,
        malformed, expired, or not signed with this key using HS256.

        :param secret_key: the key to verify with instead of the
            extension's.
        :raises ValueError: a token is given but no secret key is set.
        """
        if not token:
            return None
        key = self._key(secret_key)
        try:
            payload = jwt.decode(token, key, algorithms=['HS256'])
        except Exception:  # every way a token can be bad reads as no session
            return None
        if not isinstance(payload, dict):
            return None
        payload.pop(_EXPIRY_CLAIM, None)
        return payload

    def _key(self, secret_key):
        key = secret_key or self.secret_key
        if not key:
            raise ValueError('The session secret key is not set')
        return key

    # -- the cookie -----------------------------------------------------------
    def _schedule(self, request, session, deleted):
        """Arranges for the cookie to be written (or deleted) when the
        response is sent; registers one after-request handler per request."""
        request._session_deleted = deleted
        if getattr(request, '_session_hooked', False):
            return
        request._session_hooked = True

        @request.after_request
        async def write_session_cookie(req, response):
            self._write_cookie(req, response, session)
            return response

    def _write_cookie(self, request, response, session):
        options = self.cookie_options
        common = {'path': options.get('path'), 'domain': options.get('domain')}
        if getattr(request, '_session_deleted', False) and not session:
            response.delete_cookie(self.cookie_name, **common)
            return
        token = self.encode(_escape(session))
        _check_cookie_size(request, self.cookie_name, token)
        response.set_cookie(
            self.cookie_name, token,
            max_age=options.get('max_age'), secure=options.get('secure'),
            http_only=options.get('http_only'),
            samesite=options.get('samesite'),
            partitioned=options.get('partitioned', False), **common)


# Browsers keep cookies of up to 4096 bytes (name, value and attributes)
_BROWSER_LIMIT = 4096


def _check_cookie_size(request, name, token):
    """Raises ValueError when the session cookie would not come back: over
    what browsers store, or, on the built-in server (the only one with a
    socket pair here), over its longest header line, which would answer
    every later request of the client with 431 until its cookies are
    cleared."""
    from microdot.microdot import Request
    size = len(name) + 1 + len(token)
    limit = _BROWSER_LIMIT - 128  # (room for the attributes)
    if isinstance(request.sock, tuple):
        limit = min(limit, Request.max_readline - len('Cookie: '))
    if size > limit:
        raise ValueError(
            'The session cookie would be {} bytes, over the {} the client '
            'can send back (store less in the session, or raise '
            'Request.max_readline)'.format(size, limit))


# Claims the JWT decoders check (a number for exp, nbf and iat; aud only with
# an audience given): an application key of one of these names made the
# whole session read as empty. Such keys are stored with a '~' before them,
# and so are keys starting with '~', so that reading takes one off.
_CHECKED_CLAIMS = ('exp', 'nbf', 'iat', 'aud')


def _escape(session):
    payload = {}
    for key, value in session.items():
        if key in _CHECKED_CLAIMS or (type(key) is str and key[:1] == '~'):
            key = '~' + key
        payload[key] = value
    return payload


def _unescape(payload):
    for key in [k for k in payload if type(k) is str and k[:1] == '~']:
        payload[key[1:]] = payload.pop(key)
    return payload


def _plain_dict(d):
    # dict(subclass_instance) does not copy it on MicroPython.
    return {key: value for key, value in d.items()}


_default_session = None  # used by applications that never created a Session


def _session_for(request):
    for app in (getattr(request, 'subapp', None), request.app):
        session = getattr(app, '_session', None)
        if session is not None:
            return session
    global _default_session
    if _default_session is None:
        _default_session = Session()
    return _default_session


def get_session(request):
    """The :class:`SessionDict` of ``request``, from the
    :class:`Session` of its application (or of the 1.x default session when
    the application has none).

    :raises ValueError: the session has a cookie to decode but no secret
        key is set.
    """
    return _session_for(request).get(request)


def with_session(f):
    """Decorator that passes the session to the route handler as the
    argument after the request. Sync handlers stay sync, so the server still
    runs them as it runs any ``def`` handler.

    Example::

        @app.post('/logout')
        @with_session
        async def logout(request, session):
            session.delete()
            return redirect('/')
    """
    if iscoroutinefunction(f):
        async def wrapper(request, *args, **kwargs):
            return await f(request, get_session(request), *args, **kwargs)
    else:
        def wrapper(request, *args, **kwargs):
            return f(request, get_session(request), *args, **kwargs)
    return wraps(f)(wrapper)

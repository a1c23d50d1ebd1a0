"""User logins on top of the session extension, in the manner of
Flask-Login.

Usage::

    from microdot.session import Session
    from microdot.login import Login

    Session(app, secret_key='top-secret!')
    login = Login()

    @login.user_loader
    async def load_user(user_id):
        return await User.get(user_id)

    @app.post('/login')
    async def do_login(request):
        user = await User.check(request.form['username'],
                                request.form['password'])
        if user is None:
            return redirect('/login')
        return await login.login_user(request, user, remember=True)

    @app.get('/')
    @login
    async def index(request):
        return 'Hello, {}!'.format(request.g.current_user.name)

A user is any object with an ``id`` attribute (or a ``get_id()`` method)
whose value is JSON-serializable; the user loader maps that value back to
the object. "Remember me" keeps a separately signed cookie that logs the
user back in, as a non-fresh login, when the session is gone.
"""
from microdot.auth import invoke_handler
from microdot.helpers import wraps
from microdot.microdot import redirect
from microdot.session import get_session, _session_for

_USER_ID = '_user_id'
_FRESH = '_fresh'
_NO_USER = object()


def _quote(text):
    """Percent-encodes ``text`` for use as a query string value."""
    out = []
    for byte in text.encode():
        if (48 <= byte <= 57 or 65 <= byte <= 90 or 97 <= byte <= 122 or
                (byte in b'-._~/')):
            out.append(chr(byte))
        else:
            out.append('%{:02X}'.format(byte))
    return ''.join(out)


def _is_local_url(url):
    """True for a path on this site ("/x"), never for "//host", "/\\host" or
    "/\t/host", which browsers treat as another site."""
    if not isinstance(url, str) or not url.startswith('/') or \
            url.startswith('//') or '\\' in url:
        return False
    # browsers drop tabs and newlines from URLs ("/\t/host" is "//host"):
    # no control characters at all
    for ch in url:
        if ch < ' ' or ch == '\x7f':
            return False
    return True


def user_id_of(user):
    """The id that identifies ``user`` in the session: the result of its
    ``get_id()`` method when it has one, else its ``id`` attribute."""
    get_id = getattr(user, 'get_id', None)
    return get_id() if get_id is not None else user.id


class Login:
    """The login extension. It needs a
    :class:`~microdot.session.Session` on the application, which stores the
    logged in user's id.

    :param login_url: where unauthenticated users are redirected, with the
                      page they asked for in the ``next`` query argument.
    :param remember_cookie: the name of the "remember me" cookie.
    :param remember_days: how long "remember me" lasts by default.
    """

    def __init__(self, login_url='/login', remember_cookie='_remember',
                 remember_days=30):
        self.login_url = login_url
        self.remember_cookie = remember_cookie
        self.remember_days = remember_days
        self.user_loader_callback = None

    def user_loader(self, f):
        """Decorator that registers the function that returns the user with
        a given id, or ``None`` when there is no such user (the login is then
        forgotten). It may be sync or async. Returns ``f`` unchanged."""
        self.user_loader_callback = f
        return f

    # -- logging in and out -------------------------------------------------
    async def login_user(self, request, user, remember=False,
                         redirect_url='/'):
        """Logs ``user`` in and returns the response for the login route.

        :param request: the request being handled.
        :param user: the user object (see :func:`user_id_of`).
        :param remember: ``False``, ``True`` (keep the user logged in for
            ``remember_days`` with a "remember me" cookie) or a number of
            days.
        :param redirect_url: where to go when the request has no usable
            ``next`` query argument.
        :return: a redirect to the ``next`` query argument of the request
            when it is a local URL (a path on this site), else to
            ``redirect_url``.
        """
        session = get_session(request)
        session[_USER_ID] = user_id_of(user)
        session[_FRESH] = True
        session.save()
        request._login_user = user
        request.g.current_user = user
        if remember:
            days = self.remember_days if remember is True else remember
            self._set_remember_cookie(request, session[_USER_ID], days)
        next_url = request.args.get('next')
        return redirect(next_url if _is_local_url(next_url) else redirect_url)

    async def logout_user(self, request):
        """Logs the current user out and forgets "remember me". Returns
        ``None``: the route returns the response it wants.

        Example::

            @app.post('/logout')
            @login
            async def logout(request):
                await login.logout_user(request)
                return redirect('/')
        """
        session = get_session(request)
        session.pop(_USER_ID, None)
        session.pop(_FRESH, None)
        session.save()
        request._login_user = None
        request.g.current_user = None
        self._set_remember_cookie(request, None, 0)

    # -- the current user ----------------------------------------------------
    async def get_current_user(self, request):
        """The logged in user of ``request``, or ``None``. Loads the user
        with the user loader (once per request), logging the user back in
        from the "remember me" cookie when the session has no user.

        :raises RuntimeError: no user loader was registered with
            :meth:`user_loader`.
        """
        user = getattr(request, '_login_user', _NO_USER)
        if user is not _NO_USER:
            return user
        if self.user_loader_callback is None:
            raise RuntimeError('No user loader: decorate one with '
                               '@login.user_loader')
        session = get_session(request)
        user_id = session.get(_USER_ID)
        if user_id is None:
            user_id = self._remembered_user_id(request)
            if user_id is not None:
                session[_USER_ID] = user_id
                session[_FRESH] = False
                session.save()
        user = None
        if user_id is not None:
            user = await invoke_handler(self.user_loader_callback, user_id)
            if user is None:  # the user is gone: forget the login
                await self.logout_user(request)
        request._login_user = user
        return user

    def is_fresh(self, request):
        """True when the user logged in with credentials in this session,
        rather than through "remember me"."""
        return bool(get_session(request).get(_FRESH))

    # -- decorators ----------------------------------------------------------
    def login_required(self, f):
        """Decorator for routes that need a logged in user, who is then in
        ``request.g.current_user``. Others are redirected to the login
        URL."""
        return self._protect(f, fresh=False)

    def __call__(self, f):
        """Using the extension itself as a decorator (``@login``) is the
        same as :meth:`login_required`."""
        return self._protect(f, fresh=False)

    def fresh(self, f):
        """Like :meth:`login_required`, but a user logged in through
        "remember me" is sent to the login URL to enter credentials."""
        return self._protect(f, fresh=True)

    fresh_login_required = fresh

    def _protect(self, f, fresh):
        async def wrapper(request, *args, **kwargs):
            user = await self.get_current_user(request)
            if user is None or (fresh and not self.is_fresh(request)):
                return redirect(self.login_url + '?next=' +
                                _quote(request.url))
            request.g.current_user = user
            return await invoke_handler(f, request, *args, **kwargs)
        return wraps(f)(wrapper)

    # -- "remember me" ----------------------------------------------------
    @staticmethod
    def _remember_key(sessions):
        # A key of its own, so that no session cookie can pass for a
        # "remember me" cookie, whatever the application stores in it.
        key = sessions._key(None)
        return key + (b':remember-me' if isinstance(key, bytes)
                      else ':remember-me')

    def _remembered_user_id(self, request):
        token = request.cookies.get(self.remember_cookie)
        if not token:
            return None
        sessions = _session_for(request)
        payload = sessions.decode(token,
                                  secret_key=self._remember_key(sessions))
        return payload.get('user_id') if payload else None

    def _set_remember_cookie(self, request, user_id, days):
        sessions = _session_for(request)

        @request.after_request
        async def write_remember_cookie(req, response):
            options = sessions.cookie_options
            if not days:
                response.delete_cookie(self.remember_cookie,
                                       path=options.get('path'),
                                       domain=options.get('domain'))
                return response
            max_age = int(days * 24 * 3600)
            response.set_cookie(
                self.remember_cookie,
                sessions.encode({'user_id': user_id},
                                secret_key=self._remember_key(sessions),
                                max_age=max_age),
                path=options.get('path'), domain=options.get('domain'),
                max_age=max_age, secure=options.get('secure'),
                http_only=True, samesite=options.get('samesite'))
            return response

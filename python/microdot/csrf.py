"""Cross-Site Request Forgery (CSRF) protection without tokens.

A request with an unsafe method (anything but GET, HEAD and OPTIONS) is
refused with 403 unless the browser says it comes from this site: a
``Sec-Fetch-Site: same-origin`` header, or else an ``Origin`` (or, failing
that, ``Referer``) that is the application's own origin, one of the origins
allowed by the CORS extension, or one of ``trusted_origins``. Requests with
none of these headers do not come from a browser, so they cannot be forged
by one, and are let through.

Usage::

    from microdot.csrf import CSRF

    cors = CORS(app, allowed_origins=['https://admin.example.com'])
    csrf = CSRF(app, cors)

    @app.post('/webhook')
    @csrf.exempt
    async def webhook(request):
        ...

With ``protect_all=False`` only the routes decorated with ``@csrf.protect``
are checked. ``@csrf.protect`` also checks a route's GET and HEAD requests
(a GET that changes state, such as a board's ``/led/on``). Put
``@csrf.exempt`` and ``@csrf.protect`` right under the route decorator.
"""
from microdot.helpers import unwrap_once
from microdot.microdot import HTTPException

SAFE_METHODS = ('GET', 'HEAD', 'OPTIONS')
_DEFAULT_PORTS = {'http': '80', 'https': '443'}


def normalize_origin(url):
    """The origin of ``url``: ``scheme://host[:port]`` in lower case,
    without a default port; ``None`` for anything that is not an http(s)
    URL (or that carries user info).

    Example: ``normalize_origin('HTTPS://Example.com:443/a?b')`` gives
    ``'https://example.com'``.
    """
    if not url:
        return None
    i = url.find('://')
    if i <= 0:
        return None
    scheme = url[:i].lower()
    if scheme not in _DEFAULT_PORTS:
        return None
    rest = url[i + 3:]
    for sep in '/?#':
        j = rest.find(sep)
        if j >= 0:
            rest = rest[:j]
    if '@' in rest or not rest:
        return None
    host = rest.lower()
    if host.endswith(':' + _DEFAULT_PORTS[scheme]):
        host = host[:-len(_DEFAULT_PORTS[scheme]) - 1]
    return scheme + '://' + host


def _host_name(origin):
    host = origin[origin.find('://') + 3:]
    if host.startswith('['):  # IPv6 literal
        return host[:host.find(']') + 1]
    colon = host.find(':')
    return host if colon < 0 else host[:colon]


class CSRF:
    """The CSRF extension. Requests that fail the check are refused with
    ``403 Forbidden`` before their route runs.

    :param app: the application, or ``None`` to call :meth:`initialize`
                later.
    :param cors: a :class:`~microdot.cors.CORS` instance whose allowed
                 origins are trusted (by default the one attached to the
                 app, if any; an allowed origin of ``'*'`` is not trusted).
    :param protect_all: check every route (``True``), or only the ones
                        decorated with :meth:`protect`.
    :param allow_subdomains: also trust subdomains of the request's host.
    :param trusted_origins: more origins to trust, such as the public
                            address of a reverse proxy.
    """

    def __init__(self, app=None, cors=None, protect_all=True,
                 allow_subdomains=False, trusted_origins=None):
        self.cors = cors
        self.protect_all = protect_all
        self.allow_subdomains = allow_subdomains
        self.trusted_origins = [normalize_origin(o)
                                for o in (trusted_origins or ())]
        self._exempt = []
        self._protected = []
        if app is not None:
            self.initialize(app)

    def initialize(self, app, cors=None):
        """Attaches the extension to ``app``, for applications created in a
        factory function; ``cors`` replaces the one given to the
        constructor."""
        if cors is not None:
            self.cors = cors
        if self.cors is None:
            self.cors = getattr(app, '_cors', None)
        app.before_request(self._check_request)

    def exempt(self, f):
        """Decorator for routes never checked, such as webhooks called by
        other sites. Returns ``f`` unchanged; put it right under the route
        decorator."""
        self._exempt.append(f)
        return f

    def protect(self, f):
        """Decorator for routes always checked, whatever ``protect_all``
        says, and for their GET and HEAD requests too (a route that changes
        state on a GET); a CORS preflight (OPTIONS) is never refused.
        Returns ``f`` unchanged; put it right under the route decorator."""
        self._protected.append(f)
        return f

    # -- the check ---------------------------------------------------------
    def is_trusted(self, request):
        """True when ``request`` may change state: it does not come from a
        browser page of another site (see the module documentation for the
        headers checked). The method is not looked at."""
        headers = request.headers
        site = headers.get('Sec-Fetch-Site')
        if site in ('same-origin', 'none'):
            return True
        origin = headers.get('Origin')
        if origin is None and headers.get('Referer'):
            origin = normalize_origin(headers['Referer']) or 'null'
        if origin is not None:
            return self._origin_trusted(request, origin)
        if site is not None:  # a browser that did not say where it came from
            return False
        return True

    def _origin_trusted(self, request, origin):
        origin = normalize_origin(origin)
        if origin is None:
            return False
        own = normalize_origin(request.scheme + '://' +
                               request.headers.get('Host', ''))
        if origin == own or origin in self.trusted_origins:
            return True
        allowed = self.cors.allowed_origins if self.cors else None
        if isinstance(allowed, list) and \
                origin in [normalize_origin(o) for o in allowed]:
            return True
        if self.allow_subdomains and own is not None and \
                origin[:origin.find('://')] == own[:own.find('://')]:
            return _host_name(origin).endswith('.' + _host_name(own))
        return False

    @staticmethod
    def _listed(handler, listed):
        for _ in range(8):  # through the decorators' wrappers
            if handler is None:
                break
            if handler in listed:
                return True
            handler = unwrap_once(handler)
        return False

    def _checks(self, request):
        if self._protected and self._listed(request.route, self._protected):
            return request.method != 'OPTIONS'
        if request.method in SAFE_METHODS or not self.protect_all:
            return False
        return not self._listed(request.route, self._exempt)

    async def _check_request(self, request):
        if self._checks(request) and not self.is_trusted(request):
            raise HTTPException(403)

"""Microdot 1.x session functions, over :mod:`microdot.session`::

    set_session_secret_key('top-secret!')

    @app.route('/')
    @with_session
    def index(request, session):
        update_session(request, {'username': 'susan'})
"""
from microdot import session as _session
from microdot.session import get_session, with_session  # noqa: F401


def set_session_secret_key(key):
    """Sets the key that signs the session cookies of every application
    that has no :class:`microdot.session.Session` of its own."""
    if _session._default_session is None:
        _session._default_session = _session.Session()
    _session._default_session.secret_key = key


def update_session(request, session):
    """Merges the dict ``session`` into the request's session and sends it
    back to the client."""
    _session._session_for(request).update(request, session)


def delete_session(request):
    """Deletes the request's session."""
    _session._session_for(request).delete(request)

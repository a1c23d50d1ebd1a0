"""Response.set_cookie() and Response.delete_cookie(): the Set-Cookie header
and its attributes. Imported on the first use of either."""


def _check_header_text(text):
    if '\r' in text or '\n' in text or '\0' in text:
        raise ValueError('header text must not contain CR, LF or NUL')


def set_cookie(self, cookie, value, path=None, domain=None, expires=None,
               max_age=None, secure=False, http_only=False, partitioned=False,
               samesite=None):
    """Adds a Set-Cookie header to the response."""
    value = '' if value is None else str(value)
    for text in (cookie, value, path or '', domain or '', samesite or ''):
        _check_header_text(text)
        if ';' in text:
            raise ValueError('cookie fields must not contain ";"')
    if not cookie or '=' in cookie or ' ' in cookie or ',' in cookie:
        raise ValueError('invalid cookie name')
    parts = [cookie + '=' + value]
    if path:
        parts.append('Path=' + path)
    if domain:
        parts.append('Domain=' + domain)
    if expires:
        parts.append('Expires=' + _http_date(expires))
    if max_age is not None:
        parts.append('Max-Age=' + str(int(max_age)))
    if secure:
        parts.append('Secure')
    if http_only:
        parts.append('HttpOnly')
    if partitioned:
        parts.append('Partitioned')
    if samesite:
        parts.append('SameSite=' + samesite)
    _add_header(self, 'Set-Cookie', '; '.join(parts))


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


_DAYS = ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')
_MONTHS = ('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep',
           'Oct', 'Nov', 'Dec')


def _http_date(when):
    """An Expires value from a string, a datetime-like object or a time."""
    if isinstance(when, str):
        _check_header_text(when)
        return when
    if hasattr(when, 'strftime'):  # datetime
        if getattr(when, 'tzinfo', None) is not None and \
                hasattr(when, 'utcoffset') and when.utcoffset():
            when = when - when.utcoffset()
        return '{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT'.format(
            _DAYS[when.weekday()], when.day, _MONTHS[when.month - 1],
            when.year, when.hour, when.minute, when.second)
    import time
    t = time.gmtime(int(when))
    return '{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT'.format(
        _DAYS[t[6]], t[2], _MONTHS[t[1] - 1], t[0], t[3], t[4], t[5])

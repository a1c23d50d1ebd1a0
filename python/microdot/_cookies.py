"""Response.set_cookie(): the Set-Cookie header and its attributes.
Imported on the first set_cookie or delete_cookie."""
from microdot.microdot import _check_header_text


def set_cookie(res, cookie, value, path, domain, expires, max_age, secure,
               http_only, partitioned, samesite):
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
    res._add_header('Set-Cookie', '; '.join(parts))


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

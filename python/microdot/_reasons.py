"""The reason phrases of the standard HTTP status codes, kept as one string
(a fraction of a dict's RAM), read through phrase() or REASONS (also
microdot.microdot.REASONS), which reads like a dict. Imported on the first
status code other than 200."""

_TABLE = (
    '\n100Continue\n101Switching Protocols\n200OK\n201Created\n202Accepted'
    '\n203Non-Authoritative Information\n204No Content\n205Reset Content'
    '\n206Partial Content\n300Multiple Choices\n301Moved Permanently'
    '\n302Found\n303See Other\n304Not Modified\n307Temporary Redirect'
    '\n308Permanent Redirect\n400Bad Request\n401Unauthorized'
    '\n402Payment Required\n403Forbidden\n404Not Found'
    '\n405Method Not Allowed\n406Not Acceptable\n408Request Timeout'
    '\n409Conflict\n410Gone\n411Length Required\n412Precondition Failed'
    '\n413Payload Too Large\n414URI Too Long\n415Unsupported Media Type'
    '\n416Range Not Satisfiable\n417Expectation Failed'
    "\n418I'm a teapot\n422Unprocessable Entity\n426Upgrade Required"
    '\n428Precondition Required\n429Too Many Requests'
    '\n431Request Header Fields Too Large\n500Internal Server Error'
    '\n501Not Implemented\n502Bad Gateway\n503Service Unavailable'
    '\n504Gateway Timeout\n505HTTP Version Not Supported\n')


def phrase(status_code, default=None):
    """The reason phrase of ``status_code``, or ``default``."""
    if not isinstance(status_code, int) or not 100 <= status_code <= 999:
        return default
    i = _TABLE.find('\n%d' % status_code)
    if i < 0:
        return default
    return _TABLE[i + 4:_TABLE.find('\n', i + 4)]


class _Reasons:
    """REASONS: the standard reason phrase of each status code, read like a
    dict (``REASONS[404]``, ``REASONS.get(code, default)``)."""

    def get(self, status_code, default=None):
        """The reason phrase of ``status_code``, or ``default``."""
        return phrase(status_code, default)

    def __getitem__(self, status_code):
        reason = phrase(status_code)
        if reason is None:
            raise KeyError(status_code)
        return reason


REASONS = _Reasons()

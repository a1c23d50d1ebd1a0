// Header names and values that requests often carry and that are not C
// identifiers, as qstrs for make-based firmware builds (micropython.mk adds
// this file to QSTR_DEFS): parse_request then returns these interned strings
// instead of allocating a str per such field. The identifier-like ones are
// in md_common_words in modmicrodot.c, which every build sees.
Q(User-Agent)
Q(Accept-Encoding)
Q(Accept-Language)
Q(Cache-Control)
Q(Content-Length)
Q(Content-Type)
Q(If-Modified-Since)
Q(If-None-Match)
Q(Sec-Fetch-Dest)
Q(Sec-Fetch-Mode)
Q(Sec-Fetch-Site)
Q(Sec-Fetch-User)
Q(Sec-WebSocket-Key)
Q(Sec-WebSocket-Version)
Q(Transfer-Encoding)
Q(Upgrade-Insecure-Requests)
Q(user-agent)
Q(accept-encoding)
Q(content-length)
Q(content-type)
Q(keep-alive)
Q(*/*)
Q(gzip, deflate)
Q(application/json)

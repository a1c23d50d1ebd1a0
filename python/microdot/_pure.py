"""Pure-Python backend: the same functions, with the same results, as the C
core (``_microdot`` on MicroPython, the cffi extension on CPython).

This docstring is the backend interface. Every backend module provides the
names below; the façade imports one of them through ``microdot._backend`` and
never asks which it got. Every backend passes the vectors in
``tests/vectors/``.

Conventions
-----------
- ``buf`` is a ``bytes``, ``bytearray`` or ``memoryview``; ``start``/``end``
  select ``buf[start:end]`` without copying. Functions documented as working
  "in place" need a writable buffer (``bytearray`` or a writable
  ``memoryview``).
- Text results are ``str`` (bytes decoded as UTF-8; input that is not valid
  UTF-8 is rejected, never replaced).
- Errors are ``ValueError(code, message)``: ``code`` is the HTTP status to
  answer with (400, 413, 414, 417, 431, 501, 505) for HTTP input, or the
  WebSocket close code (1002, 1009) for WebSocket input. ``code`` is
  ``e.args[0]`` on every interpreter.

Constants
---------
``NAME``
    ``'c'`` (MicroPython native), ``'cffi'`` (CPython) or ``'pure'``.
``F_CHUNKED = 1, F_KEEP_ALIVE = 2, F_EXPECT_CONTINUE = 4, F_UPGRADE = 8``
    Bits of ``flags`` in the result of ``parse_request``.

HTTP
----
``parse_request(buf, start, end, scanned, max_line, max_head, max_headers)``
    Parses the request head at ``buf[start:end]``. ``scanned`` is the ``end``
    of a previous call on the same head that returned ``None`` (``start`` on
    the first call), so a slow client costs only its new bytes.
    Returns ``None`` while the head is incomplete, else the tuple
    ``(method, path, query_string, minor_version, headers, head_len,
    content_length, flags)``:

    - ``path``: the raw (still percent-encoded) path of the target, without
      the query; ``'/'`` for an absolute-form target with no path, ``'*'`` for
      asterisk-form.
    - ``query_string``: the raw text after ``'?'``, or ``None`` with no ``'?'``.
    - ``minor_version``: 0 or 1.
    - ``headers``: a flat list ``[name0, value0, name1, value1, ...]``, names
      as sent, values with surrounding whitespace removed.
    - ``head_len``: bytes from ``start`` to the end of the blank line.
    - ``content_length``: an int, or -1 when absent.
    - ``flags``: ``F_*`` bits; ``F_KEEP_ALIVE`` already accounts for the
      version and the Connection header.

    Rejections (``ValueError``) follow ``cmodule/md_http.h``: 400 malformed,
    414 request line over ``max_line``, 431 head over ``max_head`` or more
    than ``max_headers`` fields, 417 unknown expectation, 501 a transfer
    coding other than chunked, 505 a version other than 1.0/1.1.

``new_chunked()``
    A fresh decoder state for one chunked body (opaque).
``chunked_decode(state, buf, start, end)``
    Decodes ``buf[start:end]`` in place and returns
    ``(data_end, next, done)``: the payload found is now at
    ``buf[start:data_end]``; ``next`` is the index of the first byte not
    consumed (``end`` unless the body ended); ``done`` is true once the last
    chunk and the trailers have been read. Raises ``ValueError(400, ...)``.

Routing
-------
``compile_router(patterns)``
    Compiles a list of route pattern strings (syntax in
    ``cmodule/md_route.h``) into an opaque router. Raises ``ValueError`` for
    a malformed pattern.
``match_route(router, path, start)``
    Finds the first pattern with index ``>= start`` matching the raw
    ``path``. Returns ``None``, or ``(index, captures)`` where ``captures``
    is the list of values of the route's components in pattern order
    (``int`` for int, percent-decoded ``str`` for string and path), or
    ``None`` for a route with ``re``/custom components, which the caller must
    match itself (calling again with ``start=index + 1`` if it does not).

WebSocket
---------
``ws_parse_header(buf, start, end, masked, max_payload)``
    Returns ``None`` while incomplete, else
    ``(fin, opcode, mask, payload_len, header_len)`` with ``fin`` a bool and
    ``mask`` 4 ``bytes`` or ``None``. Raises ``ValueError(1002 | 1009, ...)``
    as ``md_ws_parse_header`` documents.
``ws_build_header(fin, opcode, length, mask)``
    The frame header as ``bytes``; ``mask`` is 4 bytes or ``None``.
``ws_mask(buf, start, end, mask, offset)``
    XORs ``buf[start:end]`` in place with ``mask``, ``offset`` being the
    position of ``buf[start]`` in the payload. Returns ``None``.
``utf8_check(state, buf, start, end)``
    Incremental UTF-8 validation: start with ``state=0``; returns 0 when all
    bytes so far form valid, complete UTF-8, 1 once anything was invalid
    (sticky), another int in the middle of a sequence.

Utilities
---------
``url_decode(s, plus)``
    Percent-decodes ``s`` (``str`` or bytes-like) to ``str``; with ``plus``,
    ``'+'`` is a space. Malformed escapes are kept as they are. Raises
    ``ValueError(400, ...)`` if the result is not valid UTF-8.
``parse_query(s)``
    Splits a query string or urlencoded form (``str`` or bytes-like) into a
    flat list ``[name0, value0, ...]`` of decoded ``str`` (plus as space).
``parse_cookies(s)``
    Splits a Cookie header into a flat ``[name0, value0, ...]`` list of
    ``str``, trimmed, values not decoded.
"""

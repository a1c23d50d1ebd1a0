"""``multipart/form-data`` request bodies (HTML forms with file uploads).

The body is read from ``request.stream`` a buffer at a time, so memory use
does not grow with the size of the upload. Two ways to use it:

``@with_form_data`` reads the whole form before the handler runs: fields go
to ``request.form`` and files to ``request.files`` (both ``MultiDict``), as
:class:`FileUpload` objects. A file larger than
``FileUpload.max_memory_size`` is spooled to a temporary file, which is
removed when the handler returns::

    @app.post('/upload')
    @with_form_data
    async def upload(request):
        file = request.files['file']
        await file.copy_to('uploads/' + safe_name(file.filename))
        return 'got ' + request.form['title']

:class:`FormDataIter` hands the parts over as they arrive, with nothing
spooled: a file is read (``read()``, ``copy_to()``, ``async for chunk in
file``) straight from the network, and must be used before the loop moves to
the next part::

    async for name, value in FormDataIter(request):
        if isinstance(value, FileUpload):
            await value.copy_to('uploads/' + safe_name(value.filename))
        else:
            fields[name] = value

``FileUpload.filename`` is what the client sent: never use it as a path
without cleaning it.
"""
import sys

from microdot.auth import invoke_handler
from microdot.helpers import wraps
from microdot.microdot import HTTPException, MultiDict, NoCaseDict

try:
    import os
except ImportError:  # pragma: no cover
    import uos as os

_MICROPYTHON = sys.implementation.name == 'micropython'


def _bad_request(reason='Malformed multipart body'):
    return HTTPException(400, reason)


def boundary_of(content_type):
    """The boundary parameter of a multipart ``Content-Type``, as bytes, or
    ``None`` when ``content_type`` is not ``multipart/form-data``.

    :raises microdot.HTTPException: (400) the boundary is missing, empty or
        longer than 70 characters.
    """
    media_type, params = parse_header_params(content_type or '')
    if media_type != 'multipart/form-data':
        return None
    boundary = params.get('boundary')
    if not boundary or len(boundary) > 70:
        raise _bad_request('Invalid multipart boundary')
    return boundary.encode()


def parse_header_params(value):
    """Splits ``'type; a=1; b="x;y"'`` into ``('type', {'a': '1', 'b':
    'x;y'})``: the first token in lower case, parameter names in lower
    case, quoted values unquoted. In a quoted value a backslash escapes
    only a quote or a backslash: browsers do not escape the backslashes of
    a Windows path (``filename="C:\\dir\\x.txt"`` keeps them)."""
    items = []
    current = []
    quoted = escaped = False
    for ch in value:
        if escaped:
            if ch != '"' and ch != '\\':
                current.append('\\')
            current.append(ch)
            escaped = False
        elif quoted and ch == '\\':
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == ';' and not quoted:
            items.append(''.join(current))
            current = []
        else:
            current.append(ch)
    items.append(''.join(current))
    params = {}
    for item in items[1:]:
        eq = item.find('=')
        if eq > 0:
            params[item[:eq].strip().lower()] = item[eq + 1:].strip()
    return items[0].strip().lower(), params


class _PartReader:
    """Splits a multipart body read from an async stream into parts. Holds
    at most about ``buffer_size`` bytes plus a boundary."""
    max_head_length = 8 * 1024

    def __init__(self, stream, boundary, buffer_size):
        self.stream = stream
        self.delimiter = b'\r\n--' + boundary
        self.buffer_size = buffer_size
        # The CRLF that the delimiter starts with is implicit before the
        # first boundary, so the preamble reads as a part that is skipped.
        self.buf = b'\r\n'
        self.eof = False
        self.in_part = True
        self.done = False
        self._ready = 0  # bytes of part data known to be at the front of buf
        self._at_delimiter = False  # whether the delimiter follows them

    async def _fill(self):
        if self.eof:
            raise _bad_request('Multipart body ends before its last boundary')
        data = await self.stream.read(self.buffer_size)
        if not data:
            self.eof = True
            raise _bad_request('Multipart body ends before its last boundary')
        self.buf = self.buf + data if self.buf else bytes(data)

    def _scan(self):
        i = self.buf.find(self.delimiter)
        if i >= 0:
            self._ready = i
            self._at_delimiter = True
        else:
            # Keep a tail that could be the start of the delimiter.
            self._ready = max(0, len(self.buf) - len(self.delimiter) + 1)
            self._at_delimiter = False

    async def read(self, n):
        """Up to ``n`` bytes (``n > 0``) of the current part; ``b''`` at its
        end."""
        if not self.in_part:
            return b''
        while self._ready == 0:
            if self._at_delimiter:
                self.buf = self.buf[len(self.delimiter):]
                self._at_delimiter = False
                self.in_part = False
                return b''
            await self._fill()
            self._scan()
        n = min(n, self._ready)
        data = self.buf[:n]
        self.buf = self.buf[n:]
        self._ready -= n
        return data

    async def _need(self, n):
        while len(self.buf) < n:
            await self._fill()

    async def next_part(self):
        """Skips the rest of the current part and returns the headers of the
        next one as a NoCaseDict, or ``None`` after the last part."""
        while self.in_part:
            await self.read(self.buffer_size)
        if self.done:
            return None
        await self._need(2)
        if self.buf[:2] == b'--':
            self.done = True
            return None
        while self.buf[:1] in (b' ', b'\t'):  # transport padding (RFC 2046)
            self.buf = self.buf[1:]
            await self._need(2)
        if self.buf[:2] != b'\r\n':
            raise _bad_request()
        self.buf = self.buf[2:]
        head = await self._read_head()
        self.in_part = True
        self._scan()
        return head

    async def _read_head(self):
        start = 0
        while True:
            if self.buf.startswith(b'\r\n'):
                end = 0
                break
            end = self.buf.find(b'\r\n\r\n', start)
            if end >= 0:
                break
            if len(self.buf) > self.max_head_length:
                raise _bad_request('Multipart part header too large')
            start = max(0, len(self.buf) - 3)
            await self._fill()
        if end > self.max_head_length:
            raise _bad_request('Multipart part header too large')
        lines = self.buf[:end].split(b'\r\n') if end else []
        self.buf = self.buf[end + (2 if end == 0 else 4):]
        headers = NoCaseDict()
        for line in lines:
            colon = line.find(b':')
            if colon <= 0:
                raise _bad_request()
            try:
                headers[line[:colon].decode().strip()] = \
                    line[colon + 1:].decode().strip()
            except UnicodeError:
                raise _bad_request()
        return headers


class FileUpload:
    """A file of a ``multipart/form-data`` body.

    Attributes: ``name`` (the form field), ``filename`` (as sent by the
    client: clean it before using it in a path), ``content_type`` and
    ``headers`` (of the part, a ``NoCaseDict``).

    It is also an async iterator of chunks of up to ``buffer_size`` bytes::

        async for chunk in upload:
            digest.update(chunk)

    The form parser creates these objects; applications do not.
    """
    #: Files up to this size stay in memory under ``@with_form_data``;
    #: larger ones are spooled to a temporary file.
    max_memory_size = 16 * 1024
    #: Where spooled files go (``None``: the system's temporary directory;
    #: on MicroPython ``/tmp``, or the current directory on a board without
    #: one).
    temp_dir = None
    #: Bytes per read when copying and iterating.
    buffer_size = 4096 if _MICROPYTHON else 64 * 1024

    def __init__(self, name, filename, content_type, headers, reader=None):
        self.name = name
        self.filename = filename
        self.content_type = content_type
        self.headers = headers
        self._reader = reader  # live: reads straight from the request body
        self._finished = False  # live data read to its end
        self._data = None  # spooled in memory
        self._pos = 0
        self._path = None  # spooled to disk
        self._file = None

    # -- reading -------------------------------------------------------------
    async def read(self, n=-1):
        """Up to ``n`` bytes of the file (all of the rest with ``n < 0``);
        ``b''`` at its end.

        :raises RuntimeError: a file from :class:`FormDataIter` is read after
            the loop moved to the next part.
        :raises microdot.HTTPException: (400) the body is malformed or ends
            early (only while reading from the network).
        """
        if n is None or n < 0:
            chunks = []
            while True:
                chunk = await self.read(self.buffer_size)
                if not chunk:
                    return b''.join(chunks)
                chunks.append(chunk)
        if self._reader is not None:
            data = await self._reader.read(n)
            if not data:
                self._finished = True
                self._reader = None
            return data
        if self._data is not None:
            data = self._data[self._pos:self._pos + n]
            self._pos += len(data)
            return data
        if self._path is not None:
            if self._file is None:
                self._file = open(self._path, 'rb')
            return self._file.read(n)
        if self._finished:
            return b''
        raise RuntimeError('The upload was skipped: read it before moving '
                           'to the next part of the form')

    def __aiter__(self):
        return self

    async def __anext__(self):
        chunk = await self.read(self.buffer_size)
        if not chunk:
            raise StopAsyncIteration
        return chunk

    async def copy_to(self, path_or_file):
        """Writes the (rest of the) file to a path or a binary file object
        and returns the number of bytes written. A spooled temporary file is
        moved to the path when it can be (same filesystem) rather than
        copied. ``save()`` is another name for it.

        Example::

            size = await upload.copy_to('/data/upload.bin')
        """
        if isinstance(path_or_file, str):
            if self._path is not None and self._file is None and \
                    self._move_to(path_or_file):
                return self._moved_size
            with open(path_or_file, 'wb') as f:
                return await self.copy_to(f)
        size = 0
        while True:
            chunk = await self.read(self.buffer_size)
            if not chunk:
                return size
            path_or_file.write(chunk)
            size += len(chunk)

    save = copy_to

    async def copy(self, max_memory_size=None):
        """Keeps the file, so that a :class:`FormDataIter` loop can move on
        to the next part and the file be read later: in memory up to
        ``max_memory_size`` bytes (by default the class attribute), else in
        a temporary file. Returns the upload, read from its start; call
        :meth:`close` when done with it (``@with_form_data`` does this for
        its files).

        Example::

            uploads = []
            async for name, value in FormDataIter(request):
                if isinstance(value, FileUpload):
                    uploads.append(await value.copy())
        """
        if self._reader is not None:  # (not kept already)
            if max_memory_size is not None:
                self.max_memory_size = max_memory_size
            await self._spool()
        return self

    def _move_to(self, path):
        try:
            size = os.stat(self._path)[6]
            os.rename(self._path, path)
        except OSError:  # another filesystem: copy instead
            return False
        self._path = None
        self._finished = True
        self._moved_size = size
        return True

    async def close(self):
        """Releases the spooled copy of the file (closes and removes the
        temporary file). ``@with_form_data`` calls it for every file when
        the handler returns."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._path is not None:
            try:
                os.remove(self._path)
            except OSError:
                pass
            self._path = None
        self._data = None

    # -- spooling (for with_form_data) ---------------------------------------
    async def _spool(self):
        chunks = []
        size = 0
        out = None
        try:
            while True:
                chunk = await self.read(self.buffer_size)
                if not chunk:
                    break
                if out is None and size + len(chunk) > self.max_memory_size:
                    out = self._open_spool()
                    for data in chunks:
                        out.write(data)
                    chunks = None
                if out is not None:
                    out.write(chunk)
                else:
                    chunks.append(chunk)
                size += len(chunk)
        except BaseException:
            if out is not None:
                out.close()
                out = None
            await self.close()
            raise
        finally:
            if out is not None:
                out.close()
        if self._path is None:
            self._data = b''.join(chunks)
        self._reader = None
        self._finished = False

    def _open_spool(self):
        # the first temporary directory that takes a new file (a board may
        # have no /tmp: its files then go to the current directory)
        error = None
        for directory in _temp_dirs(self.temp_dir):
            path = _temp_path(directory)
            try:
                out = open(path, 'wb')
            except OSError as exc:
                error = exc
                continue
            self._path = path
            return out
        raise error

    def _detach(self):
        self._reader = None


_temp_counter = 0


def _temp_dirs(directory):
    """Where to try spooling files, in order ('' is the current
    directory)."""
    if directory is not None:
        return (directory,)
    try:
        import tempfile
        return (tempfile.gettempdir(),)
    except ImportError:  # MicroPython
        return ('/tmp', '')


def _temp_path(directory):
    global _temp_counter
    _temp_counter += 1
    try:
        token = ''.join('{:02x}'.format(b) for b in os.urandom(8))
    except (AttributeError, NotImplementedError):
        import time
        token = '{}-{}'.format(time.ticks_ms(), _temp_counter)
    prefix = directory.rstrip('/') + '/' if directory else ''
    return '{}microdot-upload-{}-{}'.format(prefix, token, _temp_counter)


class FormDataIter:
    """Async iterator over the parts of a ``multipart/form-data`` request,
    as ``(name, value)`` pairs: ``value`` is a ``str`` for a field and a
    :class:`FileUpload` for a file (readable until the next iteration).
    The limits below are class attributes; change them on the class or on
    a subclass.

    A request that is not ``multipart/form-data`` (a urlencoded form,
    JSON, no body) gives no parts.

    :param request: the request, whose body is read from
        ``request.stream``.
    :raises microdot.HTTPException: (400) the multipart boundary is
        invalid or the body is malformed; (413) a field is longer than
        ``max_field_length`` or there are more than ``max_parts`` parts.
        Raised by the constructor or while iterating.
    """
    #: Bytes read from the request per call.
    buffer_size = 4096 if _MICROPYTHON else 64 * 1024
    #: Largest field value, in bytes (larger gives 413).
    max_field_length = 16 * 1024
    #: Most parts in one form (more gives 413).
    max_parts = 256

    def __init__(self, request):
        boundary = boundary_of(request.content_type)
        self._reader = None if boundary is None else \
            _PartReader(request.stream, boundary, self.buffer_size)
        self._current = None
        self._count = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self._reader is None:  # not a multipart request
            raise StopAsyncIteration
        if self._current is not None:
            self._current._detach()
            self._current = None
        headers = await self._reader.next_part()
        if headers is None:
            raise StopAsyncIteration
        self._count += 1
        if self._count > self.max_parts:
            raise HTTPException(413, 'Too many parts in the form')
        disposition, params = parse_header_params(
            headers.get('Content-Disposition', ''))
        name = params.get('name')
        if disposition != 'form-data' or name is None:
            raise _bad_request('Multipart part without a form-data name')
        if 'filename' in params:
            self._current = FileUpload(
                name, params['filename'],
                headers.get('Content-Type', 'application/octet-stream'),
                headers, self._reader)
            return name, self._current
        return name, await self._read_field()

    async def _read_field(self):
        chunks = []
        size = 0
        while True:
            chunk = await self._reader.read(self.buffer_size)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_field_length:
                raise HTTPException(413, 'Form field too large')
            chunks.append(chunk)
        try:
            return b''.join(chunks).decode()
        except UnicodeError:
            raise _bad_request('Form field is not valid UTF-8')


async def parse_form_data(request):
    """Reads a multipart form into ``(form, files)`` MultiDicts, spooling
    the files (see :class:`FileUpload`). The caller closes the files when
    done with them. Raises what :class:`FormDataIter` raises, after
    releasing the files read so far."""
    form = MultiDict()
    files = MultiDict()
    try:
        async for name, value in FormDataIter(request):
            if isinstance(value, FileUpload):
                await value._spool()
                files.add(name, value)
            else:
                form.add(name, value)
    except BaseException:
        await _close_all(files)
        raise
    return form, files


async def _close_all(files):
    for name in files:
        for upload in files.getlist(name):
            await upload.close()


def with_form_data(f):
    """Decorator that parses a ``multipart/form-data`` body into
    ``request.form`` and ``request.files`` before the handler runs. For
    other requests (a urlencoded form, JSON, no body) ``request.files`` is
    an empty ``MultiDict`` and ``request.form`` is left as the core made
    it."""
    async def wrapper(request, *args, **kwargs):
        if boundary_of(request.content_type) is None:
            # no uploads, but still a dict: `'file' in request.files` works
            request.files = MultiDict()
            return await invoke_handler(f, request, *args, **kwargs)
        request.form, request.files = await parse_form_data(request)
        try:
            return await invoke_handler(f, request, *args, **kwargs)
        finally:
            await _close_all(request.files)
    return wraps(f)(wrapper)

"""Response.send_file(): a file from disk as a streamed response, with its
content type, size and caching headers. Imported on the first send_file."""
try:
    import os
except ImportError:  # pragma: no cover
    os = None

from microdot.microdot import HTTPException

# extension -> content type, for the extensions Response.types_map lacks
_TYPES = (
    '|css text/css|gif image/gif|html text/html|htm text/html|jpg image/jpeg|'
    'jpeg image/jpeg|js application/javascript|mjs application/javascript|'
    'json application/json|png image/png|svg image/svg+xml|'
    'ico image/x-icon|txt text/plain|csv text/csv|xml application/xml|'
    'pdf application/pdf|wasm application/wasm|webp image/webp|'
    'woff font/woff|woff2 font/woff2|mp3 audio/mpeg|mp4 video/mp4|'
    'zip application/zip|gz application/gzip|')


def content_type_of(cls, ext):
    """The content type for a file extension (lower case)."""
    content_type = cls.types_map.get(ext)
    if content_type is None:
        i = _TYPES.find('|' + ext + ' ') if ext and '|' not in ext else -1
        if i < 0:
            return 'application/octet-stream'
        i += len(ext) + 2
        content_type = _TYPES[i:_TYPES.find('|', i)]
    return content_type


def file_response(cls, filename, status_code=200, content_type=None,
                  stream=None, max_age=None, compressed=False,
                  file_extension='', root=None):
    """Response.send_file()."""
    if root is not None:
        filename = _inside_root(root, filename)
    if content_type is None:
        if compressed and filename.endswith('.gz'):
            ext = filename[:-3].split('.')[-1]
        else:
            ext = filename.split('.')[-1]
        content_type = content_type_of(cls, ext.lower())
    headers = {'Content-Type': content_type}
    if max_age is None:
        max_age = cls.default_send_file_max_age
    if max_age is not None:
        headers['Cache-Control'] = 'max-age=' + str(int(max_age))
    if compressed:
        headers['Content-Encoding'] = compressed \
            if isinstance(compressed, str) else 'gzip'
    if stream is None:
        stream, size = _open_file(filename + file_extension)
        if size is not None:
            headers['Content-Length'] = str(size)
    return cls(body=stream, status_code=status_code, headers=headers)


def _inside_root(root, name):
    """The path of ``name`` under ``root``; HTTPException(404) when it would
    leave ``root``."""
    if '\x00' in name:
        raise HTTPException(400)
    parts = name.split('/')
    if name.startswith('/') or '\\' in name or '..' in parts:
        raise HTTPException(404)
    path = root.rstrip('/') + '/' + name
    realpath = getattr(getattr(os, 'path', None), 'realpath', None)
    if realpath is not None:  # CPython: follow symlinks (boards have none)
        real_root = realpath(root)
        if not realpath(path).startswith(real_root.rstrip('/') + '/'):
            raise HTTPException(404)
    return path


def _open_file(path):
    """Opens a file for send_file() and returns it with its size (None when
    unknown). Raises HTTPException 400 for a NUL in the name (which C would
    cut the name at), 404 for a missing or unreadable file or a directory."""
    if '\x00' in path:
        raise HTTPException(400)
    try:
        st = os.stat(path)
    except AttributeError:  # pragma: no cover - no os.stat on this port
        st = None
    except OSError:
        raise HTTPException(404)
    if st is not None and st[0] & 0o170000 == 0o040000:
        raise HTTPException(404)  # a directory
    try:
        stream = open(path, 'rb')
    except OSError:
        raise HTTPException(404)
    return stream, None if st is None else st[6]

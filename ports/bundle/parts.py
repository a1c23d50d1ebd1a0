"""Which modules of python/ run on MicroPython, and how they split into
installable parts: the core façade, and one part per extension, each listing
the files it needs beyond the core (found by reading its imports).

Shared by the .mpy bundle (build.py), the mip package files (gen_mip.py),
the freezing manifest's check and the tests.
"""
import ast
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, 'python')

# Modules that only make sense on CPython (paths relative to python/).
CPYTHON_ONLY = {
    'microdot/_cffi.py', 'microdot/_cpython.py', 'microdot/_cpycore.py', 'microdot/_aioserver.py',
    'microdot/asgi.py',
    'microdot/wsgi.py', 'microdot/_ws_sync.py', 'microdot/_pure_fast.py',
    'microdot/jinja.py',
    'microdot_asgi.py', 'microdot_asgi_websocket.py', 'microdot_wsgi.py', 'microdot_jinja.py',
}
# Files of python/ that are not modules of the framework.
NOT_MODULES = {'manifest.py'}

# `import microdot` needs these; _server is the built-in server. The
# modules after helpers.py are parts of the core imported on first use:
# by microdot.microdot (send_file, errors, re/custom URL components,
# Set-Cookie, streamed bodies, mount, reason phrases, JSON/form bodies,
# AsyncBytesIO, MultiDict) and by _server (request bodies read as streams,
# responses beyond the plain ones, the request loop over streams).
CORE = ['microdot/__init__.py', 'microdot/microdot.py', 'microdot/_backend.py',
        'microdot/_pure.py', 'microdot/_pure_chunked.py', 'microdot/_pure_ws.py',
        'microdot/_pure_utf8.py', 'microdot/_pure_route.py', 'microdot/_pure_fill.py',
        'microdot/_pure_args.py',
        'microdot/_server.py', 'microdot/helpers.py',
        'microdot/_files.py', 'microdot/_errors.py', 'microdot/_urlre.py', 'microdot/_re_counts.py',
        'microdot/_cookies.py', 'microdot/_bodyiter.py', 'microdot/_mount.py',
        'microdot/_reasons.py', 'microdot/_forms.py', 'microdot/_bytesio.py',
        'microdot/_multidict.py', 'microdot/_reqbody.py', 'microdot/_respond.py',
        'microdot/_serve_stream.py']

# Private modules another part imports on first use, shipped with the part
# whose feature they serve: the test client's WebSocket side needs websocket.
_WS_LAZY = ['microdot/_ws_frames.py', 'microdot/_ws_close.py',
            'microdot/_ws_stream.py']  # (imported by websocket.py)
CARRIED = {'websocket': ['microdot/_ws_client.py'] + _WS_LAZY,
           'microdot_websocket': _WS_LAZY, 'microdot_asyncio_websocket': _WS_LAZY,
           'asyncio': ['microdot/_ws_client.py'] + _WS_LAZY}

# Packages from micropython-lib's index an extension needs (mip deps).
INDEX_DEPS = {'utemplate': [['utemplate', 'latest']]}


def micropython_modules():
    """Every module of python/ that runs on MicroPython, relative paths with '/'."""
    found = []
    for dirpath, _, files in os.walk(SRC):
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), SRC).replace(os.sep, '/')
            if name.endswith('.py') and rel not in CPYTHON_ONLY and rel not in NOT_MODULES \
                    and '.egg-info' not in rel:
                found.append(rel)
    return sorted(found)


def _module_file(dotted):
    """python/-relative file of a dotted module name, or None if not ours."""
    base = dotted.replace('.', '/')
    for rel in (base + '.py', base + '/__init__.py'):
        if os.path.exists(os.path.join(SRC, rel)):
            return rel
    return None


def _module_level(body):
    """Statements run at import: the module's own, and those inside its
    try/except and if blocks (not function or class bodies, whose imports
    are lazy)."""
    for node in body:
        yield node
        for field in ('body', 'orelse', 'finalbody'):
            if isinstance(node, (ast.Try, ast.If)):
                yield from _module_level(getattr(node, field, []))
        if isinstance(node, ast.Try):
            for handler in node.handlers:
                yield from _module_level(handler.body)


def imports(rel):
    """Files of python/ that the module ``rel`` imports when it is imported."""
    with open(os.path.join(SRC, rel)) as f:
        tree = ast.parse(f.read())
    names = []
    for node in _module_level(tree.body):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            # `from microdot import session` names a submodule
            names.extend(node.module + '.' + alias.name for alias in node.names)
    found = set()
    for name in names:
        target = _module_file(name)
        if target and target != rel:
            found.add(target)
    return found


def closure(rel):
    """``rel`` and every file of python/ it needs, transitively."""
    seen = set()
    todo = [rel]
    while todo:
        item = todo.pop()
        if item in seen:
            continue
        seen.add(item)
        todo.extend(imports(item))
    return seen


def part_name(rel):
    """'microdot/websocket.py' -> 'websocket'; 'microdot_cors.py' -> 'microdot_cors';
    a subpackage is one part: 'microdot/asyncio/websocket.py' -> 'asyncio'."""
    pieces = rel.split('/')
    if len(pieces) > 2:
        return pieces[1]
    return pieces[-1][:-3]


def extension_parts():
    """{part name: sorted files beyond the core} for every public extension
    module (private helpers such as _jwt come with the parts that need them)."""
    parts = {}
    for rel in micropython_modules():
        name = part_name(rel)
        if rel in CORE or name.startswith('_'):
            continue
        files = set(closure(rel)) | set(CARRIED.get(name, []))
        parts.setdefault(name, set()).update(
            f for f in files if f not in CORE and f not in CPYTHON_ONLY)
    return {name: sorted(files) for name, files in parts.items()}

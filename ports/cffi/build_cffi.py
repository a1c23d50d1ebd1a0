"""cffi build of the C core for CPython: compiles cmodule/md_*.c, and the glue
next to this file (md_pack.c: a request head packed for cheap unpacking in
Python), into the extension module ``microdot._cmicrodot`` (out-of-line, API
mode).

Used by setup.py through ``cffi_modules`` (``pip install .`` or, for a
development tree, ``pip install -e .``). To rebuild only the extension into
the source tree after changing cmodule/:

    python ports/cffi/build_cffi.py

which also builds ``microdot._cbuild`` there (md_pybuild.c, see
cbuild_extension()), the CPython C-API builders of Request.headers, args and
cookies; without it microdot._cpython builds them in Python.

The cdef mirrors cmodule/md_*.h. Structs end in ``...;`` so the compiler, not
this file, decides their layout; ``microdot._cffi`` checks the few layout facts
it relies on at import."""
import glob
import os

from cffi import FFI

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CMODULE = os.path.join(ROOT, 'cmodule')
GLUE = os.path.dirname(os.path.abspath(__file__))

CDEF = """
#define MD_INCOMPLETE ...
#define MD_MAX_CAPTURES ...
#define MD_WS_MAX_HEADER ...

typedef struct { size_t off; size_t len; } md_slice;
typedef struct { md_slice name; md_slice value; } md_header;

typedef struct {
    size_t max_line;
    size_t max_head;
    size_t max_headers;
    ...;
} md_limits;

typedef struct {
    md_slice method;
    md_slice target;
    md_slice path;
    md_slice query;
    int minor_version;
    md_header *headers;
    size_t num_headers;
    int64_t content_length;
    unsigned flags;
    const char *error;
    ...;
} md_request;

int md_parse_request(const uint8_t *buf, size_t len, size_t scanned,
    const md_limits *limits, md_request *req);

typedef struct {
    md_header *headers;
    size_t headers_cap;
    char *text;
    size_t text_cap;
    size_t need_headers;
    size_t need_text;
    int64_t content_length;
    const char *error;
    ...;
} md_pack;
#define MD_PACK_MINOR ...
#define MD_PACK_LENGTH ...
#define MD_PACK_DISTINCT ...
#define MD_PACK_SLOTS ...
#define MD_PACK_SLOT_SHIFT ...
#define MD_PACK_SLOT_MIN_FIELDS ...
#define MD_PACK_SEEN ...
#define MD_PACK_KEPT ...
#define MD_PACK_COOKIE_SHIFT ...
#define MD_PACK_SHIFT ...
#define MD_PACK_RANGE ...
#define MD_PACK_GROW ...
void md_pack_forget(md_pack *p);
void md_pack_limits(md_pack *p, size_t max_line, size_t max_head,
    size_t max_headers);
int64_t md_pack_request(md_pack *p, const char *buf, int64_t buf_len,
    int64_t start, int64_t end, int64_t scanned);

typedef struct { ...; } md_chunked;
void md_chunked_init(md_chunked *c);
int md_chunked_decode(md_chunked *c, uint8_t *buf, size_t len,
    size_t *out_len, size_t *consumed);

long md_url_decode(const uint8_t *src, size_t len, uint8_t *dst, int plus);
long md_split_query(const uint8_t *s, size_t len, md_slice *pairs, size_t cap);
long md_split_cookies(const uint8_t *s, size_t len, md_slice *pairs, size_t cap);

#define MD_CAP_STRING ...
#define MD_CAP_INT ...
#define MD_CAP_PATH ...
typedef struct {
    uint8_t type;
    md_slice text;
    int64_t value;
    ...;
} md_capture;
long md_router_build(const uint8_t *text, const md_slice *patterns, size_t n,
    uint8_t *blob, size_t cap, size_t *bad_index);
long md_router_match(const uint8_t *blob, const uint8_t *path, size_t len,
    size_t start, md_capture *caps, size_t *ncaps, int *verify);

typedef struct {
    uint8_t fin;
    uint8_t opcode;
    uint8_t masked;
    uint8_t mask[4];
    uint64_t payload_len;
    ...;
} md_ws_frame;
int md_ws_parse_header(const uint8_t *buf, size_t len, int masked,
    uint64_t max_payload, md_ws_frame *f);
size_t md_ws_build_header(uint8_t *out, int fin, int opcode, uint64_t len,
    const uint8_t *mask);
void md_ws_mask(uint8_t *buf, size_t len, const uint8_t mask[4], uint64_t offset);
uint32_t md_utf8_check(uint32_t state, const uint8_t *buf, size_t len);

#define MD_PACK_COUNT ...
#define MD_PACK_INTS ...
#define MD_PACK_VERIFY ...
int64_t md_pack_route(const uint8_t *blob, const char *path, int64_t len,
    int64_t start, md_capture *caps, int64_t *values);
int64_t md_pack_chunked(md_chunked *c, char *buf, int64_t buf_len,
    int64_t start, int64_t end, int64_t *next);
#define MD_PACK_FIN ...
#define MD_PACK_MASKED ...
int64_t md_pack_ws_header(const char *buf, int64_t buf_len, int64_t start,
    int64_t end, int masked, uint64_t max_payload, md_ws_frame *f);
int md_pack_ws_mask(char *buf, int64_t buf_len, int64_t start, int64_t end,
    const char *mask, int64_t mask_len, uint64_t offset);
int64_t md_pack_utf8_check(uint32_t state, const char *buf, int64_t buf_len,
    int64_t start, int64_t end);
#define MD_PACK_NEWLINE ...
int64_t md_pack_pairs(const char *s, int64_t len, int cookies,
    md_slice *pairs, int64_t cap, char *out, int64_t out_cap);
"""


def make_builder(absolute=False):
    sources = sorted(glob.glob(os.path.join(CMODULE, 'md_*.c')))
    sources.append(os.path.join(GLUE, 'md_pack.c'))
    if not absolute:
        # setuptools wants source paths relative to setup.py's directory
        sources = [os.path.relpath(p) for p in sources]
    builder = FFI()
    builder.cdef(CDEF)
    builder.set_source(
        'microdot._cmicrodot',
        '#include "md_http.h"\n#include "md_util.h"\n'
        '#include "md_route.h"\n#include "md_ws.h"\n'
        '#include "md_pack.h"\n',
        sources=sources,
        include_dirs=[CMODULE, GLUE],
        extra_compile_args=['-O2'] if os.name != 'nt' else [],
    )
    return builder


ffibuilder = make_builder()


def cbuild_extension(absolute=False):
    """The setuptools Extension of ``microdot._cbuild`` (md_pybuild.c): the
    CPython C-API builders of Request.headers, args and cookies that
    microdot._cpython uses when present. Not cffi: cffi cannot make Python
    objects in C. For setup.py: ``ext_modules=[cbuild_extension()]``."""
    from setuptools import Extension
    # (with the C core and md_pack.c: parse_request parses in this module)
    sources = [os.path.join(GLUE, 'md_pybuild.c'),
               os.path.join(GLUE, 'md_pack.c')]
    sources += sorted(glob.glob(os.path.join(CMODULE, 'md_*.c')))
    include_dirs = [CMODULE, GLUE]
    if not absolute:
        sources = [os.path.relpath(p) for p in sources]
        include_dirs = [os.path.relpath(p) for p in include_dirs]
    return Extension(
        'microdot._cbuild', sources, include_dirs=include_dirs,
        extra_compile_args=['-O2'] if os.name != 'nt' else [])


def _build_cbuild():
    # build_ext in build/cbuild; returns the path of the built module
    from setuptools import Distribution
    dist = Distribution({'ext_modules': [cbuild_extension(absolute=True)]})
    cmd = dist.get_command_obj('build_ext')
    cmd.build_lib = os.path.join('build', 'cbuild', 'lib')
    cmd.build_temp = os.path.join('build', 'cbuild', 'temp')
    cmd.ensure_finalized()
    cmd.run()
    return cmd.get_ext_fullpath('microdot._cbuild')


if __name__ == '__main__':
    # Build in build/cffi (and build/cbuild), then copy the extensions next
    # to _pure.py.
    import shutil

    def install(built, name):
        # drop builds under other names (e.g. pip install -e's .abi3.so),
        # which Python might load instead of this one
        package = os.path.join('python', 'microdot')
        for old in glob.glob(os.path.join(package, name + '*.so')):
            os.remove(old)
        shutil.copy(built, os.path.join(package, os.path.basename(built)))
        print(os.path.join(package, os.path.basename(built)))

    os.chdir(ROOT)
    install(make_builder(absolute=True).compile(
        tmpdir=os.path.join('build', 'cffi')), '_cmicrodot')
    install(_build_cbuild(), '_cbuild')

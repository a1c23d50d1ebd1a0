"""Emits the C arrays of tests/vectors/routes.json for test_route.c.

Each group becomes a vr_group: its patterns, then either the expected
rejection (status 400 and the bad index) or its cases. A case's expected
captures are vr_cap entries: an int with its value, or a str with its UTF-8
bytes (the percent-decoded text the test must get back)."""
import json
import os

from gen_vectors import c_bytes

TYPES = '''
typedef struct { const char *s; size_t len; } vr_bytes;
typedef struct { int is_int; int64_t value; vr_bytes text; } vr_cap;
typedef struct {
    const char *name; vr_bytes path; size_t start;
    long index;             // -1: no match
    int verify;             // captures are null
    const vr_cap *caps; size_t ncaps;
} vr_case;
typedef struct {
    const char *name; const vr_bytes *patterns; size_t npatterns;
    long status; size_t bad_index;      // status 0: the group compiles
    const vr_case *cases; size_t ncases;
} vr_group;
'''


def c_text(s):
    """A C literal and length for text (UTF-8) or a vector byte string."""
    return '{%s, %d}' % (c_bytes(s), len(s))


def utf8(s):
    return s.encode('utf-8').decode('latin-1')


def emit(vectors_dir):
    with open(os.path.join(vectors_dir, 'routes.json')) as f:
        groups = json.load(f)['groups']
    out = [TYPES]
    rows = []
    for g, group in enumerate(groups):
        out.append('static const vr_bytes vr_pats_%d[] = {%s};\n' % (
            g, ', '.join(c_text(utf8(p)) for p in group['patterns'])))
        status, bad, cases = 0, 0, 'NULL'
        if 'cases' in group:
            items = []
            for c, case in enumerate(group['cases']):
                expect = case['expect']
                index, verify, ncaps, caps = -1, 0, 0, 'NULL'
                if expect is not None:
                    index = expect[0]
                    verify = expect[1] is None
                    if expect[1]:
                        caps = 'vr_caps_%d_%d' % (g, c)
                        ncaps = len(expect[1])
                        out.append('static const vr_cap %s[] = {%s};\n' % (caps, ', '.join(
                            '{1, %dLL, {NULL, 0}}' % v if isinstance(v, int)
                            else '{0, 0, %s}' % c_text(utf8(v)) for v in expect[1])))
                items.append('    {%s, %s, %d, %d, %d, %s, %d},\n' % (
                    c_bytes(case['name']), c_text(case['path']), case.get('start', 0),
                    index, verify, caps, ncaps))
            cases = 'vr_cases_%d' % g
            out.append('static const vr_case %s[] = {\n%s};\n' % (cases, ''.join(items)))
        else:
            status, bad = group['expect']['status'], group['expect']['bad_index']
        rows.append('    {%s, vr_pats_%d, %d, %d, %d, %s, %d},\n' % (
            c_bytes(group['name']), g, len(group['patterns']), status, bad, cases,
            len(group.get('cases', []))))
    out.append('static const vr_group vr_groups[] = {\n%s};\n' % ''.join(rows))
    # referenced from an inline function so that tests not using them stay warning-free
    out.append('static inline const vr_group *vr_all(size_t *n) {\n'
               '    *n = sizeof(vr_groups) / sizeof(vr_groups[0]);\n    return vr_groups;\n}\n')
    return ''.join(out)

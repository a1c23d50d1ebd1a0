"""Emits the C arrays of tests/vectors/ws.json for test_ws.c: parse, build,
mask and utf8 cases (see the "format" entry of ws.json)."""
import json
import os

from gen_vectors import c_bytes

TYPES = '''
typedef struct { const char *s; size_t len; } vw_bytes;
typedef struct {
    const char *name; vw_bytes in; int masked; uint64_t max_payload;
    int result;             // header length, -1 (MD_INCOMPLETE) or -status
    int fin, opcode; const char *mask; uint64_t payload_len;
} vw_parse;
typedef struct {
    const char *name; int fin, opcode; uint64_t length; const char *mask; vw_bytes expect;
} vw_build;
typedef struct {
    const char *name; vw_bytes data; const char *mask; uint64_t offset;
    const size_t *pieces; size_t npieces; vw_bytes expect;
} vw_mask;
#define VW_MID (-1)         // any state but 0 and 1
typedef struct {
    const char *name; const vw_bytes *pieces; const int *expect; size_t n;
} vw_utf8;
'''


def b(s):
    return '{%s, %d}' % (c_bytes(s), len(s))


def emit(vectors_dir):
    with open(os.path.join(vectors_dir, 'ws.json')) as f:
        v = json.load(f)
    out = [TYPES, 'static const vw_parse vw_parse_cases[] = {\n']
    for c in v['parse']:
        e = c['expect']
        fin = op = 0
        mask, plen = 'NULL', 0
        if e == 'incomplete':
            result = '-1'  # MD_INCOMPLETE
        elif isinstance(e, dict):
            result = str(-e['status'])
        else:
            fin, op, mask, plen, result = int(e[0]), e[1], e[2], e[3], str(e[4])
            mask = 'NULL' if mask is None else c_bytes(mask)
        out.append('    {%s, %s, %d, %dULL, %s, %d, %d, %s, %dULL},\n' % (
            c_bytes(c['name']), b(c['bytes']), c['masked'], c.get('max_payload', 2**63 - 1),
            result, fin, op, mask, plen))
    out.append('};\n')
    out.append('static const vw_build vw_build_cases[] = {\n')
    for c in v['build']:
        out.append('    {%s, %d, %d, %dULL, %s, %s},\n' % (
            c_bytes(c['name']), c['fin'], c['opcode'], c['length'],
            'NULL' if c['mask'] is None else c_bytes(c['mask']), b(c['expect'])))
    out.append('};\n')
    for i, c in enumerate(v['mask']):
        out.append('static const size_t vw_pieces_%d[] = {%s};\n' % (
            i, ', '.join(str(p) for p in c['pieces']) or '0'))
    out.append('static const vw_mask vw_mask_cases[] = {\n')
    for i, c in enumerate(v['mask']):
        out.append('    {%s, %s, %s, %dULL, vw_pieces_%d, %d, %s},\n' % (
            c_bytes(c['name']), b(c['data']), c_bytes(c['mask']), c['offset'], i,
            len(c['pieces']), b(c['expect'])))
    out.append('};\n')
    for i, c in enumerate(v['utf8']):
        out.append('static const vw_bytes vw_u_pieces_%d[] = {%s};\n' % (
            i, ', '.join(b(p) for p in c['pieces']) or '{"", 0}'))
        out.append('static const int vw_u_expect_%d[] = {%s};\n' % (
            i, ', '.join('VW_MID' if s == 'mid' else str(s) for s in c['expect']) or '0'))
    out.append('static const vw_utf8 vw_utf8_cases[] = {\n')
    for i, c in enumerate(v['utf8']):
        out.append('    {%s, vw_u_pieces_%d, vw_u_expect_%d, %d},\n' % (
            c_bytes(c['name']), i, i, len(c['pieces'])))
    out.append('};\n')
    out.append('#define VW_COUNT(a) (sizeof(a) / sizeof((a)[0]))\n')
    # referenced from an inline function so that tests not using them stay warning-free
    out.append('static inline void vw_all(const vw_parse **p, size_t *np, const vw_build **b,\n'
               '    size_t *nb, const vw_mask **m, size_t *nm, const vw_utf8 **u, size_t *nu) {\n'
               '    *p = vw_parse_cases; *np = VW_COUNT(vw_parse_cases);\n'
               '    *b = vw_build_cases; *nb = VW_COUNT(vw_build_cases);\n'
               '    *m = vw_mask_cases; *nm = VW_COUNT(vw_mask_cases);\n'
               '    *u = vw_utf8_cases; *nu = VW_COUNT(vw_utf8_cases);\n}\n')
    return ''.join(out)

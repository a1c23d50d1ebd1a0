"""Emits util_vectors[] for test_util.c from tests/vectors/util.json."""
import json
import os

from c_data import c_data
from gen_vectors import c_bytes


FUNCS = {'url_decode': 'UTIL_URL_DECODE', 'parse_query': 'UTIL_PARSE_QUERY',
         'parse_cookies': 'UTIL_PARSE_COOKIES'}


def text(s):
    """{literal, length} of the UTF-8 bytes of a text result (it may hold NUL)."""
    b = s.encode('utf-8')
    return '{%s, %d}' % (c_bytes(b.decode('latin-1')), len(b))


def emit(vectors_dir):
    with open(os.path.join(vectors_dir, 'util.json')) as f:
        cases = json.load(f)['cases']
    out = ['enum { UTIL_URL_DECODE, UTIL_PARSE_QUERY, UTIL_PARSE_COOKIES };\n'
           'typedef struct {\n'
           '    const char *s;\n'
           '    size_t len;\n'
           '} util_str;\n'
           'typedef struct {\n'
           '    const char *name;\n'
           '    int func;\n'
           '    const char *input;\n'
           '    size_t input_len;\n'
           '    int plus;\n'
           '    int status;            // 0 or 400\n'
           '    size_t count;          // strings in `expect`\n'
           '    const util_str *expect;    // the str, or name0, value0, ...\n'
           '} util_vector;\n\n']
    rows = []
    for i, case in enumerate(cases):
        e = case['expect']
        head = '{%s, %s, %s, %d, %d, ' % (c_bytes(case['name']), FUNCS[case['func']],
                                          c_data(out, 'util_input_%d' % i, case['input']), len(case['input']),
                                          1 if case.get('plus') else 0)
        if isinstance(e, dict):
            rows.append(head + '%d, 0, 0}' % e['status'])
            continue
        strings = [e] if isinstance(e, str) else e
        out.append('static const util_str util_expect_%d[] = {%s};\n'
                   % (i, ', '.join(text(s) for s in strings) if strings else '{0, 0}'))
        rows.append(head + '0, %d, util_expect_%d}' % (len(strings), i))
    out.append('\nstatic const util_vector util_vectors[] = {\n    ')
    out.append(',\n    '.join(rows))
    out.append('\n};\n#define UTIL_VECTOR_COUNT %d\n' % len(rows))
    return ''.join(out)

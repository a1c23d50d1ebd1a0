"""Emits chunked_vectors[] for test_chunked.c from tests/vectors/chunked.json."""
import json
import os

from c_data import c_data
from gen_vectors import c_bytes


def emit(vectors_dir):
    with open(os.path.join(vectors_dir, 'chunked.json')) as f:
        cases = json.load(f)['cases']
    out = ['typedef struct {\n'
           '    const char *name;\n'
           '    const char *input;\n'
           '    size_t input_len;\n'
           '    int status;            // 0 or 400\n'
           '    const char *data;\n'
           '    size_t data_len;\n'
           '    size_t next;\n'
           '    int done;\n'
           '} chunked_vector;\n\n']
    rows = []
    for i, case in enumerate(cases):
        e = case['expect']
        head = '{%s, %s, %d, ' % (c_bytes(case['name']), c_data(out, 'chunked_input_%d' % i, case['input']),
                                  len(case['input']))
        if 'status' in e:
            rows.append(head + '%d, 0, 0, 0, 0}' % e['status'])
        else:
            rows.append(head + '0, %s, %d, %d, %d}' % (
                c_data(out, 'chunked_data_%d' % i, e['data']), len(e['data']), e['next'], 1 if e['done'] else 0))
    out.append('static const chunked_vector chunked_vectors[] = {\n    ')
    out.append(',\n    '.join(rows))
    out.append('\n};\n#define CHUNKED_VECTOR_COUNT %d\n' % len(rows))
    return ''.join(out)

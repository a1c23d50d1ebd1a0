"""Emits http_vectors[] for test_http.c from tests/vectors/http.json."""
import json
import os

from c_data import c_data
from gen_vectors import c_bytes


DEFAULTS = {'max_line': 2048, 'max_head': 16384, 'max_headers': 100}


def text(s):
    """A C literal of the UTF-8 bytes of a text result."""
    return c_bytes(s.encode('utf-8').decode('latin-1'))


def emit(vectors_dir):
    with open(os.path.join(vectors_dir, 'http.json')) as f:
        cases = json.load(f)['cases']
    out = ['typedef struct {\n'
           '    const char *name;\n'
           '    const char *input;\n'
           '    size_t input_len;\n'
           '    size_t max_line, max_head, max_headers;\n'
           '    int status;            // 0 parsed, -1 incomplete, else the HTTP status\n'
           '    const char *method, *path, *query;  // query NULL when absent\n'
           '    int minor;\n'
           '    size_t num_headers;\n'
           '    const char *const *headers;         // name0, value0, name1, ...\n'
           '    size_t head_len;\n'
           '    int64_t content_length;\n'
           '    unsigned flags;\n'
           '} http_vector;\n\n']
    rows = []
    for i, case in enumerate(cases):
        lim = dict(DEFAULTS, **case.get('limits', {}))
        head = '{%s, %s, %d, %d, %d, %d, ' % (
            c_bytes(case['name']), c_data(out, 'http_input_%d' % i, case['input']), len(case['input']),
            lim['max_line'], lim['max_head'], lim['max_headers'])
        e = case['expect']
        if e == 'incomplete':
            rows.append(head + '-1, 0, 0, 0, 0, 0, 0, 0, 0, 0}')
        elif 'status' in e:
            rows.append(head + '%d, 0, 0, 0, 0, 0, 0, 0, 0, 0}' % e['status'])
        else:
            flat = [text(s) for h in e['headers'] for s in h]
            out.append('static const char *const http_headers_%d[] = {%s};\n'
                       % (i, ', '.join(flat) if flat else '0'))
            rows.append(head + '0, %s, %s, %s, %d, %d, http_headers_%d, %d, %dLL, %du}' % (
                text(e['method']), text(e['path']),
                'NULL' if e['query'] is None else text(e['query']), e['minor'],
                len(e['headers']), i, e['head_len'], e['content_length'], e['flags']))
    out.append('\nstatic const http_vector http_vectors[] = {\n    ')
    out.append(',\n    '.join(rows))
    out.append('\n};\n#define HTTP_VECTOR_COUNT %d\n' % len(rows))
    return ''.join(out)

"""Seeds of fuzz_urldecode: the inputs of tests/vectors/util.json, plus
Cookie and query values taken from the HTTP vectors."""
import json
import os


def seeds(vectors_dir):
    with open(os.path.join(vectors_dir, 'util.json')) as f:
        for case in json.load(f)['cases']:
            yield case['input'].encode('latin-1')
    with open(os.path.join(vectors_dir, 'http.json')) as f:
        for case in json.load(f)['cases']:
            e = case['expect']
            if isinstance(e, dict) and 'headers' in e:
                if e['query']:
                    yield e['query'].encode('utf-8')
                for name, value in e['headers']:
                    if name.lower() == 'cookie':
                        yield value.encode('utf-8')

"""Seeds of fuzz_http: the inputs of tests/vectors/http.json."""
import json
import os


def seeds(vectors_dir):
    with open(os.path.join(vectors_dir, 'http.json')) as f:
        for case in json.load(f)['cases']:
            yield case['input'].encode('latin-1')

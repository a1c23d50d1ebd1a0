"""Seeds of fuzz_chunked: the inputs of tests/vectors/chunked.json."""
import json
import os


def seeds(vectors_dir):
    with open(os.path.join(vectors_dir, 'chunked.json')) as f:
        for case in json.load(f)['cases']:
            yield case['input'].encode('latin-1')

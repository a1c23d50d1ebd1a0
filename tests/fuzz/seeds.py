"""Writes the seed corpus of harness NAME into DIR: python3 seeds.py NAME DIR.

Harness fuzz_NAME.c takes its seeds from tests/fuzz/seed_NAME.py, whose
seeds(vectors_dir) yields byte strings (usually the inputs of a vector file)."""
import hashlib
import importlib
import os
import sys


def main(name, out_dir):
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    module = importlib.import_module('seed_' + name)
    vectors = os.path.join(here, '..', 'vectors')
    for data in module.seeds(vectors):
        digest = hashlib.sha1(data).hexdigest()
        with open(os.path.join(out_dir, 'seed-' + digest), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])

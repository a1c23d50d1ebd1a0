"""Seeds of fuzz_route: every routes.json case as fuzz_route.c reads its
input (a start byte, the group's patterns each ending in '\\n', the path)."""
import json
import os


def seeds(vectors_dir):
    with open(os.path.join(vectors_dir, 'routes.json')) as f:
        groups = json.load(f)['groups']
    for group in groups:
        text = b''.join(p.encode() + b'\n' for p in group['patterns'][:8])
        cases = group.get('cases') or [{'path': '/', 'start': 0}]
        for case in cases:
            yield bytes([case.get('start', 0) & 15]) + text + case['path'].encode('latin-1')

"""Seeds of fuzz_ws: a flags byte (bit 0: masked, bit 1: no payload limit)
followed by each ws.json input: frame headers, built headers, mask data and
UTF-8 text."""
import json
import os


def seeds(vectors_dir):
    with open(os.path.join(vectors_dir, 'ws.json')) as f:
        v = json.load(f)
    for c in v['parse']:
        yield bytes([2 | int(c['masked'])]) + c['bytes'].encode('latin-1')
    for c in v['build']:
        yield bytes([2 | (c['mask'] is not None)]) + c['expect'].encode('latin-1')
    for c in v['mask']:
        yield bytes([c['offset'] & 0xff]) + (c['mask'] + c['data']).encode('latin-1')
    for c in v['utf8']:
        yield b'\x03' + ''.join(c['pieces']).encode('latin-1')

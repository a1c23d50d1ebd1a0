"""Writes the mip package files: package.json at the root of the repository
(the core façade) and python/<part>.json for each extension (its files
beyond the core), from ports/bundle/parts.py.

    python ports/bundle/gen_mip.py            # (re)write the files
    python ports/bundle/gen_mip.py --check    # exit 1 if any is out of date

Source URLs are relative to the JSON file, which mip (0.3 and later)
resolves against the URL the JSON came from, so the same files work from
any host or fork:

    mip.install('github:OWNER/REPO')                        # core
    mip.install('github:OWNER/REPO/python/websocket.json')  # an extension
    mpremote mip install github:OWNER/REPO/python/session.json

mip cannot resolve a relative dependency, so an extension's file lists the
extension modules it needs itself (e.g. login brings session and auth) and
does not list the core: install package.json first.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parts import ROOT, SRC, CORE, INDEX_DEPS, extension_parts  # noqa: E402

VERSION = '2.0.0'


def package_files():
    """{path relative to ROOT: JSON text} of every mip package file."""
    files = {}
    core = {'urls': [[rel, 'python/' + rel] for rel in CORE], 'version': VERSION}
    files['package.json'] = core
    for name, rels in sorted(extension_parts().items()):
        spec = {'urls': [[rel, rel] for rel in rels], 'version': VERSION}
        if name in INDEX_DEPS:
            spec['deps'] = INDEX_DEPS[name]
        files[os.path.relpath(os.path.join(SRC, name + '.json'), ROOT)] = spec
    return {path: to_json(spec) for path, spec in files.items()}


def to_json(spec):
    """JSON with one [target, source] pair a line."""
    lines = []
    for key, value in spec.items():
        if isinstance(value, list):
            items = ',\n'.join('    ' + json.dumps(item) for item in value)
            lines.append('  %s: [\n%s\n  ]' % (json.dumps(key), items))
        else:
            lines.append('  %s: %s' % (json.dumps(key), json.dumps(value)))
    return '{\n' + ',\n'.join(lines) + '\n}\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='only compare: exit 1 if a file differs or is missing')
    args = parser.parse_args()
    stale = []
    for rel, text in package_files().items():
        path = os.path.join(ROOT, rel)
        current = None
        if os.path.exists(path):
            with open(path) as f:
                current = f.read()
        if current == text:
            continue
        stale.append(rel)
        if not args.check:
            with open(path, 'w') as f:
                f.write(text)
    # JSON files of parts that no longer exist
    wanted = set(package_files())
    for name in os.listdir(SRC):
        rel = os.path.relpath(os.path.join(SRC, name), ROOT)
        if name.endswith('.json') and rel not in wanted:
            stale.append(rel + ' (no such part)')
    for rel in stale:
        print(('out of date: ' if args.check else 'wrote: ') + rel)
    if args.check and stale:
        print('run: python ports/bundle/gen_mip.py')
        sys.exit(1)


if __name__ == '__main__':
    main()

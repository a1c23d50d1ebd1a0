"""python/manifest.py (freezing the façade into firmware) names exactly the
modules that run on MicroPython (ports/bundle/parts.py), and its options
leave out what they say. Read with MicroPython's own manifest reader
(tools/manifestfile.py from the sdist; skipped when it was not fetched).
tests/mpy/deploy_frozen.py builds firmware with it."""
import os
import sys

import pytest

from test_deploy_bundle import REPO

sys.path.insert(0, os.path.join(REPO, 'ports', 'bundle'))
import parts  # noqa: E402

MANIFEST = os.path.join(REPO, 'python', 'manifest.py')
MPY_DIR = os.environ.get('MPY_DIR') or os.path.expanduser('~/.cache/microdot-mp/micropython')


def read_manifest(**options):
    """The manifest as MicroPython's own reader (tools/manifestfile.py of
    the sdist) sees it."""
    tools = os.path.join(MPY_DIR, 'tools')
    if not os.path.exists(os.path.join(tools, 'manifestfile.py')):
        pytest.skip('no MicroPython sources (ports/fetch_micropython.sh .venv)')
    sys.path.insert(0, tools)
    try:
        import manifestfile
    finally:
        sys.path.remove(tools)
    variables = {'MPY_DIR': MPY_DIR, 'MPY_LIB_DIR': None, 'PORT_DIR': None, 'BOARD_DIR': None}
    m = manifestfile.ManifestFile(manifestfile.MODE_FREEZE, variables)
    m.include(MANIFEST, **options)
    return m.files()


def frozen_files(**options):
    """python/-relative paths the manifest freezes with these options."""
    return sorted(os.path.relpath(f.full_path, parts.SRC).replace(os.sep, '/')
                  for f in read_manifest(**options))


def test_freezes_every_micropython_module_with_compat():
    assert frozen_files(compat=True) == parts.micropython_modules()


def test_default_leaves_out_the_1x_names():
    files = frozen_files()
    assert files == [f for f in parts.micropython_modules()
                     if '/' in f and not f.startswith('microdot/asyncio/')]
    assert 'microdot/asyncio/__init__.py' in frozen_files(compat=True)


def test_core_only_without_pure():
    files = frozen_files(extensions=False, pure=False)
    assert files == sorted(f for f in parts.CORE if f != 'microdot/_pure.py')


def test_frozen_with_optimisation():
    assert {f.opt for f in read_manifest(compat=True)} == {2}

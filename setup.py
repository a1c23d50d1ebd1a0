"""Installs the `microdot` package from python/microdot, builds the C core
(cmodule/) into `microdot._cmicrodot` with cffi, and builds
`microdot._cbuild` (ports/cffi/md_pybuild.c), the C-API builders of
Request.headers, args and cookies. Metadata is in pyproject.toml.

Without a working C compiler the install still succeeds, with a warning, and
microdot uses its pure-Python backend (same behaviour, slower)."""
import os
import sys

from setuptools import find_packages, setup
from setuptools.command.build_ext import build_ext

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                'ports', 'cffi'))
from build_cffi import cbuild_extension  # noqa: E402


class optional_build_ext(build_ext):
    """build_ext that turns a failed compile into a warning."""

    def run(self):
        try:
            super().run()
        except Exception as e:
            self._warn(e)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as e:
            self._warn(e)

    def copy_extensions_to_source(self):
        # In-place (editable) builds copy what was built; skip what was not.
        try:
            super().copy_extensions_to_source()
        except Exception as e:
            self._warn(e)

    def get_outputs(self):
        import os
        return [p for p in super().get_outputs() if os.path.exists(p)]

    def _warn(self, error):
        sys.stderr.write(
            '\n*** WARNING: microdot: could not compile the C core (%s).\n'
            '*** Installing without it: microdot will use its pure-Python '
            'backend.\n\n' % (error,))


# The Microdot 1.x module names (microdot_asyncio, microdot_session, ...),
# thin modules over the 2.x package, installed beside it.
COMPAT_MODULES = sorted(name[:-3] for name in os.listdir('python')
                        if name.startswith('microdot_') and name.endswith('.py'))

setup(
    package_dir={'': 'python'},
    py_modules=COMPAT_MODULES,
    packages=['microdot'] + ['microdot.' + p for p in find_packages('python/microdot')],
    cffi_modules=['ports/cffi/build_cffi.py:ffibuilder'],
    ext_modules=([cbuild_extension()]
                 if sys.implementation.name == 'cpython' else []),
    cmdclass={'build_ext': optional_build_ext},
    zip_safe=False,
)

"""What the tests of the cffi backend's C glue share: the cffi backend, the
pure backend they compare it with, and the mark that skips them when the
extension is not built (`pytestmark = needs_cffi`)."""
import os
import sys

import pytest

try:
    import microdot  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..',
                                    'python'))

from microdot import _pure  # noqa: E402,F401

try:
    from microdot import _cffi
except ImportError:
    _cffi = None

needs_cffi = pytest.mark.skipif(_cffi is None,
                                reason='the cffi extension is not built')

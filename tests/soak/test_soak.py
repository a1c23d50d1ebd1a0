"""CI mode of the soak: 30 s in all (SOAK_SECONDS to change), on CPython with
the cffi backend and on MicroPython with the .mpy backend. No request may
fail, the server must survive, and its memory must level off: RSS may grow by
at most 8 MiB on CPython, the MicroPython heap by at most 32 KiB (measured
after a warm-up, so first-use caches do not count)."""
import os

import pytest

from soak import soak

SECONDS = float(os.environ.get('SOAK_SECONDS', '30'))
RUNS = [('cpython-cffi', 2 / 3, 8 * 1024), ('micropython-c', 1 / 3, 32 * 1024)]


@pytest.mark.parametrize('target,share,max_growth', RUNS,
                         ids=[r[0] for r in RUNS])
def test_soak(target, share, max_growth):
    report = soak(target, SECONDS * share, connections=8, client='python')
    assert report['server_alive'], report
    assert report['requests'] > 0, report
    assert report['errors'] == 0, report
    growth = report['memory_at_end'] - report['memory_at_start']
    assert growth <= max_growth, report

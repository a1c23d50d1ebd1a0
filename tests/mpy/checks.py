"""Counted checks for the deployment scripts, on CPython (the drivers) and
on MicroPython (deploy_mip.py): one `ok   WHAT` or `FAIL: WHAT` line per
check, then `finish()` prints 'N passed, N failed', the line
tests/mpy/run.sh adds up, and exits 1 on any failure."""
import sys

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print('%s %s' % ('ok  ' if ok else 'FAIL:', what))
    flush = getattr(sys.stdout, 'flush', None)  # MicroPython's may have none
    if flush:
        flush()
    return ok


def finish():
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)

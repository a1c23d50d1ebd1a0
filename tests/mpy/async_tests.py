"""The registry the async MicroPython runners share (core_runner.py,
core_fastpath_runner.py): `@test` collects a coroutine function, `run()`
awaits each, prints one FAIL line per failure and 'N passed, N failed'
(the line tests/mpy/run.sh adds up), and exits 1 on any failure. Runs on
MicroPython and CPython."""
import sys

import asyncio

TESTS = []


def test(f):
    TESTS.append(f)
    return f


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def equal(got, expected):
    if got != expected:
        raise AssertionError('{!r} != {!r}'.format(got, expected))


async def _run_all(backend_name):
    passed = failed = 0
    for f in TESTS:
        try:
            await f()
            passed += 1
        except Exception as exc:
            failed += 1
            print('FAIL', f.__name__, type(exc).__name__, exc)
    print('backend:', backend_name)
    print('{} passed, {} failed'.format(passed, failed))
    return failed


def run(backend_name):
    if asyncio.run(_run_all(backend_name)):
        sys.exit(1)

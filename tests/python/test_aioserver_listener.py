"""app.server on CPython is the built-in server's listener: an
asyncio.AbstractServer that forwards to the asyncio server and also ends
the spare task its fresh connections run in."""
import asyncio
import socket

from microdot import Microdot


def make_app():
    app = Microdot()

    @app.get('/')
    async def index(req):
        return 'hi'

    return app


def get(port):
    with socket.create_connection(('127.0.0.1', port), timeout=10) as sock:
        sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        data = b''
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                return data
            data += chunk


def test_app_server_is_an_abstract_server_usable_with_async_with():
    app = make_app()
    seen = {}

    async def main():
        serving = asyncio.ensure_future(app.start_server(host='127.0.0.1',
                                                         port=0))
        while app.server is None:
            await asyncio.sleep(0.01)
        server = app.server
        loop = asyncio.get_running_loop()
        port = server.sockets[0].getsockname()[1]
        seen['answer'] = await loop.run_in_executor(None, get, port)
        seen['abstract'] = isinstance(server, asyncio.AbstractServer)
        seen['loop'] = server.get_loop() is loop
        seen['serving'] = server.is_serving()
        async with server:
            pass
        seen['serving after'] = server.is_serving()
        app.shutdown()
        await asyncio.wait_for(serving, 10)
        await asyncio.sleep(0)
        seen['tasks left'] = [t for t in asyncio.all_tasks()
                              if t is not asyncio.current_task()]

    asyncio.run(main())
    assert seen['answer'].startswith(b'HTTP/1.1 200 ')
    assert seen['answer'].endswith(b'hi')
    assert seen['abstract'] and seen['loop'] and seen['serving']
    assert seen['serving after'] is False
    assert seen['tasks left'] == []

"""Fresh connections on the built-in CPython server (3.11+) run their first
handlers in a task made ahead, the server's spare, which the next fresh
connection reuses when a handler ended without waiting and left no trace on
it (microdot._aioserver._Spare). A handler must not be able to tell: the
task it sees is its connection's own as soon as it keeps it, cancels it,
adds a done callback or waits; context variables never cross connections;
and the spare ends with the server."""
import asyncio
import contextvars
import socket
import sys
import threading
import weakref

import pytest

from microdot import Microdot
from servers import serve_in_thread

pytestmark = pytest.mark.skipif(
    sys.implementation.name != 'cpython' or sys.version_info < (3, 11),
    reason='the CPython 3.11+ server')

IO_TIMEOUT = 10
var = contextvars.ContextVar('var', default='unset')


def make_app():
    app = Microdot()
    app.kept = []
    app.callbacks = 0

    @app.get('/name')
    async def name(req):
        task = asyncio.current_task()
        return '{} {}'.format(task.get_name(), task.done())

    @app.get('/keep')
    async def keep(req):
        app.kept.append(asyncio.current_task())
        return 'kept'

    @app.get('/keep-weak')
    async def keep_weak(req):
        app.kept.append(weakref.ref(asyncio.current_task()))
        return 'kept'

    @app.get('/kept-weak')
    async def kept_weak(req):
        tasks = [ref() for ref in app.kept]
        alive = [task for task in tasks if task is not None]
        return '{} {}'.format(len(set(map(id, alive))),
                              sum(1 for task in alive if task.done()))

    @app.get('/kept')
    async def kept(req):
        tasks = app.kept
        return '{} {}'.format(len(set(map(id, tasks))),
                              sum(1 for task in tasks if task.done()))

    @app.get('/set')
    async def set_var(req):
        old = var.get()
        var.set('set by ' + req.args.get('by', '?'))
        return old

    @app.get('/callback')
    async def callback(req):
        def count(task):
            app.callbacks += 1
        asyncio.current_task().add_done_callback(count)
        return 'added'

    @app.get('/callbacks')
    async def callbacks(req):
        return str(app.callbacks)

    @app.get('/cancel-and-return')
    async def cancel_and_return(req):
        asyncio.current_task().cancel()
        return 'returned'

    @app.get('/sleep')
    async def sleep(req):
        task = asyncio.current_task()
        await asyncio.sleep(0.01)
        return 'slept {}'.format(asyncio.current_task() is task)

    @app.get('/sleep-name')
    async def sleep_name(req):
        # (keeps only the name: the task itself is left alone)
        before = asyncio.current_task().get_name()
        await asyncio.sleep(0.01)
        return str(asyncio.current_task().get_name() == before)

    @app.get('/timeout')
    async def timeout(req):
        async with asyncio.timeout(0.05):
            await asyncio.sleep(0)
        await asyncio.sleep(0.1)  # (the old deadline must not fire)
        return 'not cancelled'

    return app


@pytest.fixture
def server():
    yield from serve_in_thread(make_app(), IO_TIMEOUT)


def exchange(port, request):
    """Sends ``request`` on a new connection; returns all the server sent
    until it closed the connection (a socket timeout if it never does)."""
    with socket.create_connection(('127.0.0.1', port),
                                  timeout=IO_TIMEOUT) as sock:
        sock.sendall(request)
        data = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk


def get(path):
    return ('GET {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'.format(
        path)).encode()


def body(port, path):
    data = exchange(port, get(path))
    head, _, rest = data.partition(b'\r\n\r\n')
    assert head.startswith(b'HTTP/1.1 200 OK\r\n'), data
    return rest.decode()


def test_closing_response_bytes(server):
    assert exchange(server, get('/set')) == (
        b'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\n'
        b'Connection: close\r\nContent-Length: 5\r\n\r\nunset')


def test_handlers_that_keep_nothing_share_the_spare(server):
    # (the point of the spare: a closing connection makes no task)
    names = set()
    for _ in range(5):
        name, done = body(server, '/name').split()
        assert done == 'False'
        names.add(name)
    assert len(names) == 1


def test_kept_task_is_the_connections_own(server):
    for _ in range(5):
        assert body(server, '/keep') == 'kept'
    # five tasks, each ended with its connection
    assert body(server, '/kept') == '5 5'
    assert body(server, '/name').split()[1] == 'False'


def test_weakly_kept_task_is_the_connections_own(server):
    for _ in range(4):
        assert body(server, '/keep-weak') == 'kept'
        assert body(server, '/name').split()[1] == 'False'
    # (tasks that ended may be gone; none alive is the spare still
    # pending, and none is shared)
    distinct, done = body(server, '/kept-weak').split()
    assert distinct == done


def test_context_variables_stay_in_their_connection(server):
    for i in range(3):
        assert body(server, '/set?by={}'.format(i)) == 'unset'
        assert body(server, '/name').split()[1] == 'False'


def test_done_callback_runs_when_the_connection_ends(server):
    assert body(server, '/callback') == 'added'
    for _ in range(50):  # (the task ends on the loop's next turn)
        if body(server, '/callbacks') == '1':
            break
    assert body(server, '/callbacks') == '1'


def test_cancellation_stays_with_its_connection(server):
    assert body(server, '/cancel-and-return') == 'returned'
    assert body(server, '/sleep') == 'slept True'
    assert body(server, '/cancel-and-return') == 'returned'
    assert body(server, '/name').split()[1] == 'False'
    assert body(server, '/timeout') == 'not cancelled'


def test_waiting_handler_keeps_its_task(server):
    for _ in range(3):
        assert body(server, '/sleep') == 'slept True'
        assert body(server, '/sleep-name') == 'True'
        assert body(server, '/timeout') == 'not cancelled'


def test_concurrent_fresh_connections(server):
    paths = ['/sleep', '/name', '/set', '/keep', '/timeout',
             '/sleep-name'] * 8
    expected = {'/sleep': 'slept True', '/set': 'unset', '/keep': 'kept',
                '/timeout': 'not cancelled', '/sleep-name': 'True'}
    results = {}

    def client(i, path):
        results[i] = body(server, path)

    threads = [threading.Thread(target=client, args=(i, path))
               for i, path in enumerate(paths)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(IO_TIMEOUT * 2)
    assert len(results) == len(paths)
    for i, path in enumerate(paths):
        if path == '/name':
            assert results[i].split()[1] == 'False'
        else:
            assert results[i] == expected[path]


def test_spare_ends_with_the_server():
    app = make_app()
    left = []

    async def main():
        serving = asyncio.ensure_future(app.start_server(host='127.0.0.1',
                                                         port=0))
        while app.server is None:
            await asyncio.sleep(0.01)
        port = app.server.sockets[0].getsockname()[1]
        loop = asyncio.get_running_loop()
        for path in ('/set', '/name', '/name'):  # (the last leave a spare)
            await loop.run_in_executor(None, body, port, path)
        app.shutdown()
        await serving
        await asyncio.sleep(0)
        left.extend(task for task in asyncio.all_tasks()
                    if task is not asyncio.current_task())

    asyncio.run(main())
    assert left == []


def test_no_spare_left_after_the_listener_closes():
    # a connection accepted before app.server.close() and served after it
    # must not leave a spare task behind
    app = make_app()
    left = []
    answers = []

    async def main():
        serving = asyncio.ensure_future(app.start_server(host='127.0.0.1',
                                                         port=0))
        while app.server is None:
            await asyncio.sleep(0.01)
        port = app.server.sockets[0].getsockname()[1]
        loop = asyncio.get_running_loop()
        sock = socket.create_connection(('127.0.0.1', port),
                                        timeout=IO_TIMEOUT)
        await asyncio.sleep(0.1)  # (accepted)
        app.server.close()
        sock.sendall(get('/name'))
        answers.append(await loop.run_in_executor(None, sock.recv, 65536))
        sock.close()
        app.shutdown()
        await serving
        await asyncio.sleep(0)
        left.extend(task for task in asyncio.all_tasks()
                    if task is not asyncio.current_task())

    asyncio.run(main())
    assert answers[0].startswith(b'HTTP/1.1 200 OK\r\n')
    assert left == []

"""The examples meant for boards, on MicroPython: each is imported from its
own directory and driven through microdot.test_client.

    MICROPYPATH=python:.frozen micropython tests/python/examples_mpy.py

(run by test_examples.py). Closes with "N passed, N failed"; exits 1 on a
failure.
"""
import asyncio
import os
import sys

REPO = os.getcwd()
EXAMPLES = REPO + '/examples/'
# MICROPYPATH may be relative, and the examples run from their directories:
# make it absolute before the first import of microdot.
sys.path[:] = [p if p.startswith('/') or p.startswith('.frozen') or not p
               else REPO + '/' + p for p in sys.path]

from microdot.test_client import MemoryConnection, TestClient  # noqa: E402

results = [0, 0]
BASE_MODULES = set(sys.modules)


def load(relative):
    """Imports examples/<relative> with its directory as working directory
    and first on sys.path, after forgetting the previous example's
    modules."""
    directory, name = relative.rsplit('/', 1)
    for key in list(sys.modules):
        if key not in BASE_MODULES:
            del sys.modules[key]
    os.chdir(EXAMPLES + directory)
    while sys.path and sys.path[0].startswith(EXAMPLES):
        sys.path.pop(0)
    sys.path.insert(0, EXAMPLES + directory)
    return __import__(name[:-3])


def check(name, condition, detail=''):
    if condition:
        results[0] += 1
        print('ok  ', name)
    else:
        results[1] += 1
        print('FAIL', name, detail)


async def read_stream(client, path, needle, count):
    conn = MemoryConnection(client.build_request('GET', path), eof=False)
    task = asyncio.create_task(client.run(None, conn))
    for _ in range(200):
        if bytes(conn.output).count(needle) >= count:
            break
        await asyncio.sleep(0.05)
    output = bytes(conn.output)
    conn.close()
    conn.feed_eof()
    task.cancel()
    try:
        await task
    except BaseException:
        pass
    return output


async def hello():
    app = load('hello/hello.py').app
    res = await TestClient(app).get('/')
    check('hello', res.text == 'Hello, world!', res.text)


async def gpio():
    module = load('gpio/gpio.py')
    client = TestClient(module.app)
    check('gpio simulated', module.SIMULATED)
    res = await client.post('/api/led', json={'on': True})
    check('gpio led on', res.json == {'led': 1, 'button': 1}, res.text)
    res = await client.post('/led/toggle')
    check('gpio toggle', res.status_code == 303 and module.led.value() == 0)
    res = await client.get('/')
    check('gpio page', 'id="led">off' in res.text, res.text)


async def subapps():
    client = TestClient(load('subapps/main.py').app)
    res = await client.get('/customers/2')
    check('subapps customers', res.json == {'id': 2, 'name': 'Grace'},
          res.text)
    res = await client.get('/orders/')
    check('subapps local guard', res.status_code == 401)
    res = await client.get('/orders/1', headers={
        'Authorization': 'Bearer orders-secret'})
    check('subapps orders', res.json['item'] == 'loom cards', res.text)


async def streaming():
    module = load('streaming/stream.py')
    client = TestClient(module.app)
    res = await client.get('/stream?frames=2&fps=25')
    parts = res.body.split(b'--frame\r\n')
    check('streaming parts', len(parts) == 3 and
          parts[1].split(b'\r\n\r\n', 1)[1][:8] == b'\x89PNG\r\n\x1a\n')
    check('streaming frames', parts[1] != parts[2])
    output = await read_stream(client, '/stream', b'--frame', 2)
    check('streaming endless', output.count(b'--frame') >= 2)


async def static():
    client = TestClient(load('static/static_files.py').app)
    res = await client.get('/static/style.css', headers={
        'Accept-Encoding': 'gzip'})
    with open('static/style.css.gz', 'rb') as f:
        gz = f.read()
    check('static gzip', res.headers.get('Content-Encoding') == 'gzip' and
          res.body == gz)
    res = await client.get('/static/style.css')
    with open('static/style.css', 'rb') as f:
        check('static plain', res.body == f.read() and
              'Content-Encoding' not in res.headers)
    res = await client.get('/static/../static_files.py')
    check('static traversal', res.status_code == 404)


async def async_sensor():
    module = load('async/sensor.py')
    client = TestClient(module.app)
    module.sample()
    res = await client.get('/readings')
    check('async readings', len(res.json) == 1, res.text)
    res = await client.get('/together')
    check('async gather', res.json == {'finished': ['a', 'b', 'c']}, res.text)


async def demo():
    module = load('demo/app.py')
    client = TestClient(module.app)
    res = await client.get('/')
    check('demo index (plain pages)', 'id="engine">plain<' in res.text and
          'id="counter"' in res.text, res.text[-300:])
    res = await client.post('/api/items', json={'name': 'led'})
    check('demo api', res.status_code == 201 and res.json['name'] == 'led')
    res = await client.post('/login?next=/account', data={
        'username': 'susan', 'password': 'hello'})
    check('demo login', res.headers.get('Location') == '/account')
    res = await client.get('/account')
    check('demo session', 'id="account-user">susan<' in res.text)
    body = (b'--b\r\nContent-Disposition: form-data; name="file"; '
            b'filename="x.txt"\r\nContent-Type: text/plain\r\n\r\nhello'
            b'\r\n--b--\r\n')
    res = await client.post('/uploads', body=body, headers={
        'Content-Type': 'multipart/form-data; boundary=b'})
    check('demo upload', res.status_code == 302 and
          module.uploads[0]['size'] == 5)
    res = await client.get('/uploads/' + str(module.uploads[0]['id']))
    check('demo download', res.body == b'hello')
    output = await read_stream(client, '/events', b'event: counter', 1)
    check('demo events', b'data: {"value": 0}' in output, output)


async def main():
    for example in (hello, gpio, subapps, streaming, static, async_sensor,
                    demo):
        try:
            await example()
        except Exception as exc:
            results[1] += 1
            print('FAIL', example.__name__, 'raised')
            sys.print_exception(exc)
        os.chdir(REPO)
    print('{} passed, {} failed'.format(results[0], results[1]))


asyncio.run(main())
sys.exit(1 if results[1] else 0)

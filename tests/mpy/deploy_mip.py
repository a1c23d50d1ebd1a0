"""Installs the façade with mip from BASE_URL (package.json, then the
test_client and session extensions from python/<part>.json) into TARGET,
imports it from there and runs requests through the test client.

    MICROPYPATH=.frozen micropython tests/mpy/deploy_mip.py BASE_URL TARGET

Prints one line per check and 'N passed, N failed'; exits 1 on failure.
"""
import sys

import asyncio
import mip

from checks import check, finish

base, target = sys.argv[1], sys.argv[2]

mip.install(base + '/package.json', target=target)
mip.install(base + '/python/test_client.json', target=target)
mip.install(base + '/python/session.json', target=target)
sys.path.insert(0, target)

import microdot  # noqa: E402
from microdot import Microdot  # noqa: E402
from microdot.session import Session, with_session  # noqa: E402
from microdot.test_client import TestClient  # noqa: E402

check(microdot.__file__.startswith(target + '/'), 'microdot imported from ' + microdot.__file__)

app = Microdot()
Session(app, secret_key='deploy-test')


@app.route('/')
async def index(req):
    return 'Hello, world!'


@app.route('/users/<int:uid>')
async def user(req, uid):
    return {'uid': uid, 'q': req.args.get('q')}


@app.route('/count')
@with_session
async def count(req, session):
    session['n'] = session.get('n', 0) + 1
    session.save()
    return str(session['n'])


async def main():
    client = TestClient(app)
    res = await client.get('/')
    check(res.status_code == 200 and res.text == 'Hello, world!', 'GET / %r' % res.body)
    res = await client.get('/users/42?q=x')
    check(res.json == {'uid': 42, 'q': 'x'}, 'GET /users/42 %r' % res.body)
    res = await client.get('/users/abc')
    check(res.status_code == 404, 'GET /users/abc %d' % res.status_code)
    res = await client.get('/count')
    res = await client.get('/count')
    check(res.text == '2', 'session counter %r' % res.body)


asyncio.run(main())
finish()

"""Subclasses of Response, Request and Microdot reach the rarely used
members (whose code is imported on first use) through super() and through
the class, the same on CPython and on MicroPython's unix port."""
import os
import subprocess
import sys

import pytest

from servers import micropython_command as micropython

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))

SCRIPT = r'''
import asyncio
from microdot import Microdot, Response, Request


class SecureResponse(Response):
    def set_cookie(self, cookie, value, **kwargs):
        kwargs['secure'] = True
        super().set_cookie(cookie, value, **kwargs)


class PrefixApp(Microdot):
    def mount(self, subapp, url_prefix='', local=False):
        super().mount(subapp, '/v1' + url_prefix, local)


sub = Microdot()


@sub.get('/ping')
def ping(req):
    return 'pong'


app = PrefixApp()
app.mount(sub, '/sub')

res = SecureResponse('x')
res.set_cookie('a', 'b')
print('cookie', res.headers['Set-Cookie'])
print('members', callable(Response.set_cookie), callable(Response.delete_cookie),
      callable(Response.body_iter), callable(Microdot.mount),
      callable(Microdot.error_response))
print('route', app._find_route('GET', '/v1/sub/ping') is not None)


class ContentRequest(Request):
    pass


req = ContentRequest(app, None, 'POST', '/', '1.1',
                     {'Content-Type': 'text/plain', 'Content-Length': '12'})
print('content', req.content_type, req.content_length)
'''

EXPECTED = ["cookie ['a=b; Secure']", 'members True True True True True',
            'route True', 'content text/plain 12']


def run(command):
    env = dict(os.environ, MICROPYPATH=os.path.join(REPO, 'python') + ':.frozen',
               MICRODOT_BACKEND='pure',
               PYTHONPATH=os.path.join(REPO, 'python'))
    result = subprocess.run(command + ['-c', SCRIPT], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.split('\n')[:len(EXPECTED)]


def test_subclass_members_on_cpython():
    assert run([sys.executable]) == EXPECTED


def test_subclass_members_on_micropython():
    assert run([micropython()]) == EXPECTED

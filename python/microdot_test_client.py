"""Microdot 1.x synchronous test client: ``client.get('/')`` returns the
response directly. Each request runs the (asynchronous) 2.x test client on
an event loop of its own, so it must not be called from a running loop."""
import asyncio

from microdot.test_client import TestClient as _AsyncTestClient, \
    TestResponse  # noqa: F401


class TestClient:
    __test__ = False  # not a pytest test class

    def __init__(self, app, cookies=None):
        self._client = _AsyncTestClient(app, cookies=cookies)

    @property
    def app(self):
        return self._client.app

    @property
    def cookies(self):
        return self._client.cookies

    def request(self, method, path, headers=None, body=None, json=None,
                data=None):
        return asyncio.run(self._client.request(method, path, headers, body,
                                                json, data))

    def get(self, path, headers=None):
        return self.request('GET', path, headers)

    def post(self, path, headers=None, body=None, json=None, data=None):
        return self.request('POST', path, headers, body, json, data)

    def put(self, path, headers=None, body=None, json=None, data=None):
        return self.request('PUT', path, headers, body, json, data)

    def patch(self, path, headers=None, body=None, json=None, data=None):
        return self.request('PATCH', path, headers, body, json, data)

    def delete(self, path, headers=None, body=None, json=None, data=None):
        return self.request('DELETE', path, headers, body, json, data)

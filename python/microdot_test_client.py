"""Microdot 1.x synchronous test client: ``client.get('/')`` returns the
response directly. Each request runs the (asynchronous) 2.x test client on
an event loop of its own, so it must not be called from a running loop.

Usage::

    from microdot_test_client import TestClient

    def test_index():
        client = TestClient(app)
        response = client.get('/')
        assert response.status_code == 200
        assert response.text == 'Hello, World!'
"""
import asyncio

from microdot.test_client import TestClient as _AsyncTestClient, \
    TestResponse  # noqa: F401


class TestClient:
    """Sends requests to ``app`` in memory and waits for the responses.
    Cookies set by the app are kept and sent with the next requests.

    :param app: the application to test.
    :param cookies: a dict of cookies to send from the first request on.

    Every request method returns a
    :class:`microdot.test_client.TestResponse` (``status_code``,
    ``headers``, ``body``, ``text``, ``json``).
    """
    __test__ = False  # not a pytest test class

    def __init__(self, app, cookies=None):
        self._client = _AsyncTestClient(app, cookies=cookies)

    @property
    def app(self):
        """The application under test."""
        return self._client.app

    @property
    def cookies(self):
        """The dict of cookies the client sends (the app's ``Set-Cookie``
        headers update it)."""
        return self._client.cookies

    def request(self, method, path, headers=None, body=None, json=None,
                data=None):
        """Sends a request and returns the response.

        :param method: the HTTP method, such as ``'GET'``.
        :param path: the path, with the query string if any.
        :param headers: a dict of request headers.
        :param body: the body, as ``str`` or bytes (a ``dict`` or ``list``
            is sent as JSON).
        :param json: a value sent as a JSON body, with
            ``Content-Type: application/json``.
        :param data: a dict sent as an ``application/x-www-form-urlencoded``
            form.
        :return: a :class:`microdot.test_client.TestResponse`, or ``None``
            when the app took the connection over (a WebSocket).
        :raises RuntimeError: called while an event loop runs in this
            thread.
        """
        return asyncio.run(self._client.request(method, path, headers, body,
                                                json, data))

    def get(self, path, headers=None):
        """Sends a ``GET`` request (see :meth:`request`)."""
        return self.request('GET', path, headers)

    def post(self, path, headers=None, body=None, json=None, data=None):
        """Sends a ``POST`` request (see :meth:`request`).

        Example: ``client.post('/login', data={'user': 'susan'})``.
        """
        return self.request('POST', path, headers, body, json, data)

    def put(self, path, headers=None, body=None, json=None, data=None):
        """Sends a ``PUT`` request (see :meth:`request`)."""
        return self.request('PUT', path, headers, body, json, data)

    def patch(self, path, headers=None, body=None, json=None, data=None):
        """Sends a ``PATCH`` request (see :meth:`request`)."""
        return self.request('PATCH', path, headers, body, json, data)

    def delete(self, path, headers=None, body=None, json=None, data=None):
        """Sends a ``DELETE`` request (see :meth:`request`)."""
        return self.request('DELETE', path, headers, body, json, data)

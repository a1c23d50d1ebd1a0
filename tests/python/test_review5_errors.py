"""review5, the guide's error handlers for exception classes: "When the
raised exception class does not have an error handler defined, but one or
more of its parent classes do, Microdot makes an attempt to invoke the most
specific handler." Run on CPython and MicroPython's unix port."""
import pytest

from test_review5_support import run_script

# An exception class with a mixin (MicroPython refuses two exception
# bases, but takes a plain class as the second base). CPython looks the
# handlers up in the class's MRO (DiskFullRetry, DiskFull, StorageError,
# Exception, BaseException, Retryable, object): StorageError's handler.
# MicroPython has no __mro__; a breadth-first walk of the bases (DiskFull
# and Retryable, then StorageError) answered with Retryable's handler
# there: 503 on the board, 507 on the laptop.
MIXIN_SCRIPT = '''
    import asyncio
    from microdot import Microdot
    from microdot.test_client import TestClient

    class StorageError(Exception):
        pass

    class DiskFull(StorageError):
        pass

    class Retryable:
        pass

    class DiskFullRetry(DiskFull, Retryable):
        pass

    class Timeout(Exception, Retryable):
        pass

    app = Microdot()

    @app.errorhandler(StorageError)
    async def storage_error(request, exc):
        return 'storage: ' + type(exc).__name__, 507

    @app.errorhandler(Retryable)
    async def retry_later(request, exc):
        return 'retry: ' + type(exc).__name__, 503

    @app.errorhandler(Exception)
    async def any_error(request, exc):
        return 'error: ' + type(exc).__name__, 500

    @app.get('/<kind>')
    async def fail(request, kind):
        raise {'full': DiskFull, 'retry': DiskFullRetry,
               'timeout': Timeout, 'value': ValueError}[kind]()

    async def main():
        client = TestClient(app)
        for kind in ('full', 'retry', 'timeout', 'value'):
            res = await client.get('/' + kind)
            print(res.status_code, res.text)

    asyncio.run(main())
'''


@pytest.mark.parametrize('interpreter', ['cpython', 'micropython'])
def test_most_specific_handler_follows_the_mro(interpreter, tmp_path):
    assert run_script(interpreter, MIXIN_SCRIPT, tmp_path) == [
        '507 storage: DiskFull',
        '507 storage: DiskFullRetry',
        '500 error: Timeout',
        '500 error: ValueError']

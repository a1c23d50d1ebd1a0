"""Response.body_iter(): a body that is not in memory (a file, an iterator
or an async generator) as an async iterator of bytes chunks. Imported on
the first such response. On MicroPython, which has no async generators, an
``async def`` generator that awaits also works (a generator that yields
None there waits for a wake-up that never comes: yield text or bytes)."""
import sys

_MICROPYTHON = sys.implementation.name == 'micropython'


class _Suspend:
    """(MicroPython) awaited: yields once to the scheduler."""

    def __await__(self):
        yield

    __iter__ = __await__


def body_iter(self):
    """An async iterator over the body as bytes chunks."""
    return BodyIter(self.body, self.send_file_buffer_size)


class BodyIter:
    """Async iterator over the body of a Response, as bytes chunks."""

    def __init__(self, body, buffer_size):
        self.body = body
        self.buffer_size = buffer_size
        self.done = False

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.done:
            raise StopAsyncIteration
        body = self.body
        try:
            if isinstance(body, (bytes, bytearray, memoryview)):
                self.done = True
                if len(body):
                    return bytes(body)
                raise StopAsyncIteration
            if hasattr(body, 'read'):  # a file
                data = body.read(self.buffer_size)
                if isinstance(data, str):
                    data = data.encode()
                if data:
                    return data
            elif hasattr(body, '__anext__'):
                try:
                    data = await body.__anext__()
                except StopAsyncIteration:
                    data = None
                if data is not None:
                    return data.encode() if isinstance(data, str) else data
            else:
                while True:
                    try:
                        data = next(body)
                    except StopIteration:
                        data = None
                        break
                    if data is not None or not _MICROPYTHON:
                        break
                    # MicroPython has no async generators: an ``async def``
                    # generator is a plain one, and an await in it yields
                    # None from next() with this task already registered
                    # to be woken (by a sleep, a socket, an event): wait
                    # here as that await would have
                    await _Suspend()
                if data is not None:
                    return data.encode() if isinstance(data, str) else data
        except BaseException:
            await self.aclose()
            raise
        await self.aclose()
        raise StopAsyncIteration

    async def aclose(self):
        """Closes the file or generator behind the body (once)."""
        self.done = True
        body = self.body
        self.body = b''
        if hasattr(body, 'aclose'):
            await body.aclose()
        elif hasattr(body, 'close'):
            body.close()

"""Response.body_iter(): a body that is not in memory (a file, an iterator
or an async generator) as an async iterator of bytes chunks. Imported on
the first such response."""


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
                try:
                    data = next(body)
                except StopIteration:
                    data = None
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

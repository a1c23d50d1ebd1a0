"""AsyncBytesIO: an in-memory body read like a stream (``Request.stream``
of a body already loaded). Imported on first use."""


class AsyncBytesIO:
    """An in-memory body with the reading interface of ``Request.stream``."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    async def read(self, n=-1):
        """Reads up to ``n`` bytes, or all the rest when ``n`` is negative.

        :param n: the most bytes to return.
        :return: the bytes read; empty at the end of the data.
        """
        if n < 0:
            n = len(self.data) - self.pos
        data = self.data[self.pos:self.pos + n]
        self.pos += len(data)
        return data

    async def readexactly(self, n):
        """Reads exactly ``n`` bytes.

        :param n: the number of bytes to return.
        :return: the bytes read.
        :raises EOFError: fewer than ``n`` bytes were left (they are
                          consumed all the same).
        """
        data = await self.read(n)
        if len(data) < n:
            raise EOFError()
        return data

    async def readline(self):
        """Reads one line, up to and including ``b'\\n'``; the last line
        may come without it. Returns empty bytes at the end of the data.

        Example::

            while True:
                line = await request.stream.readline()
                if not line:
                    break
        """
        end = self.data.find(b'\n', self.pos)
        end = len(self.data) if end < 0 else end + 1
        return await self.read(end - self.pos)

    async def readuntil(self, separator=b'\n'):
        """Reads up to and including the next ``separator``.

        :param separator: the bytes that end the read.
        :return: the bytes read, ``separator`` included.
        :raises EOFError: the separator does not occur in the rest of the
                          data (which is then left unread).
        """
        end = self.data.find(separator, self.pos)
        if end < 0:
            raise EOFError()
        return await self.read(end + len(separator) - self.pos)

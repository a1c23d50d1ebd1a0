"""In-memory streams for the in-process benchmarks (parse_bench.py on
CPython, mpy_bench.py on MicroPython too): a request stream over bytes whose
coroutines never suspend, a writer that drops what it is given, and a way to
run such a coroutine without an event loop."""


class MemoryReader:
    """Upstream's request stream over bytes; never suspends."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    async def readline(self):
        end = self.data.find(b'\n', self.pos)
        end = len(self.data) if end < 0 else end + 1
        line = self.data[self.pos:end]
        self.pos = end
        return line

    async def readexactly(self, n):
        data = self.data[self.pos:self.pos + n]
        self.pos += n
        return data

    async def read(self, n=-1):
        return await self.readexactly(len(self.data) - self.pos
                                      if n < 0 else n)


class NullWriter:
    """A stream writer that drops what it is given."""

    async def awrite(self, data):
        pass

    def write(self, data):
        pass

    async def drain(self):
        pass

    async def aclose(self):
        pass

    def close(self):
        pass

    async def wait_closed(self):
        pass

    def get_extra_info(self, name):
        return ('127.0.0.1', 1234)


def run_sync(coro):
    """The coroutine's result; it must finish without suspending."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise RuntimeError('the coroutine suspended')

"""The requests and the in-memory streams the footprint scripts share."""

HELLO = b'GET / HTTP/1.1\r\nHost: board.local\r\n\r\n'
HEADERS = (b'GET /items/42?q=sensor&page=2&sort=asc HTTP/1.1\r\n'
           b'Host: board.local\r\n'
           b'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n'
           b'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n'
           b'Accept-Language: en-US,en;q=0.5\r\n'
           b'Accept-Encoding: gzip, deflate\r\n'
           b'Referer: http://board.local/items\r\n'
           b'Cookie: session=eyJ1c2VyIjoic3VzYW4ifQ; theme=dark\r\n'
           b'Cache-Control: no-cache\r\n'
           b'X-Request-Id: 7f9c2ba4-e88f-11ee\r\n'
           b'DNT: 1\r\n\r\n')


class Reader:
    """Hands out one request's bytes (read(n) or line by line), then EOF."""

    def __init__(self, data, lines):
        self.data = data
        self.lines = lines
        self.i = 0
        self.done = False

    async def read(self, n=-1):
        if self.done:
            return b''
        self.done = True
        return self.data

    async def readline(self):
        if self.i >= len(self.lines):
            return b''
        self.i += 1
        return self.lines[self.i - 1]

    async def readexactly(self, n):
        return b''


class Writer:
    """Counts what is written and keeps nothing."""

    def __init__(self):
        self.written = 0

    def write(self, data):
        self.written += len(data)

    async def awrite(self, data):
        self.written += len(data)

    async def drain(self):
        pass

    def close(self):
        pass

    async def aclose(self):
        pass

    async def wait_closed(self):
        pass

    def get_extra_info(self, name, default=None):
        return ('127.0.0.1', 40000)


def split_lines(data):
    lines = []
    start = 0
    while start < len(data):
        end = data.index(b'\n', start) + 1
        lines.append(data[start:end])
        start = end
    return lines

"""The request every in-process benchmark parses: the 526-byte browser GET
with 10 header fields that bench/c/bench_http.c and wrk/realistic.lua use.
Importable on CPython and MicroPython."""

BROWSER_GET = (
    b'GET /catalog/items/421?color=blue&size=m HTTP/1.1\r\n'
    b'Host: shop.example.org\r\n'
    b'User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36'
    b' Chrome/120.0 Safari/537.36\r\n'
    b'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,'
    b'image/avif,image/webp,*/*;q=0.8\r\n'
    b'Accept-Language: en-GB,en;q=0.9\r\n'
    b'Accept-Encoding: gzip, deflate, br\r\n'
    b'Referer: https://shop.example.org/catalog?page=12\r\n'
    b'Connection: keep-alive\r\n'
    b'Cookie: session=4f2a9c0e7b1d; cart=1703; theme=dark\r\n'
    b'Upgrade-Insecure-Requests: 1\r\n'
    b'Cache-Control: max-age=0\r\n'
    b'\r\n')

assert len(BROWSER_GET) == 526, len(BROWSER_GET)

-- The realistic request of family 2: the same 526-byte, 10-field browser GET
-- as bench/c/bench_http.c and bench/requests.py (query string, cookie).
wrk.method = "GET"
wrk.path = "/catalog/items/421?color=blue&size=m"
wrk.headers["Host"] = "shop.example.org"
wrk.headers["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
wrk.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
wrk.headers["Accept-Language"] = "en-GB,en;q=0.9"
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
wrk.headers["Referer"] = "https://shop.example.org/catalog?page=12"
wrk.headers["Connection"] = "keep-alive"
wrk.headers["Cookie"] = "session=4f2a9c0e7b1d; cart=1703; theme=dark"
wrk.headers["Upgrade-Insecure-Requests"] = "1"
wrk.headers["Cache-Control"] = "max-age=0"

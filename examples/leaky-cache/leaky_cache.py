"""A small request loop with one real leak beside cache churn (the program behind examples/leaky-cache-*.log).

Each request renders a page into a bounded cache (old pages are evicted and freed: churn, no leak) and keeps a copy
of the request body in a log that nothing ever trims (the leak: it grows by 2 KiB per request and is never freed).
Buffers are larger than 512 bytes, so CPython asks the C library's malloc() for them (smaller ones come from pymalloc).
"""

CACHE_PAGES = 16
cache = {}          # page key -> rendered page: bounded, the oldest page is evicted
request_log = []    # the body of every request, kept forever: the leak


def render(key, size):
    page = bytearray(size)
    page[:len(key)] = key.encode()
    return page


def cached_page(i):
    key = f"page-{i % 40}"
    if key not in cache:
        if len(cache) >= CACHE_PAGES:
            del cache[next(iter(cache))]
        cache[key] = render(key, 4096 + (i % 5) * 1024)
    return cache[key]


def remember(body):
    request_log.append(bytes(body))


def handle(i):
    body = bytearray(2048)
    body[0:4] = i.to_bytes(4, "little")
    page = cached_page(i)
    remember(body)
    return len(page)


def main():
    served = 0
    for i in range(200):
        served += handle(i)
    return served


if __name__ == "__main__":
    main()

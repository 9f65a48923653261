"""Workloads for record's overhead figures (bench/record/overhead.sh): prints the seconds the workload took.

    python busy.py alloc N    N malloc/free pairs through ctypes (2 N probe hits that print a line each)
    python busy.py python N   N iterations of plain Python (line probes only: a few hits per iteration, no lines printed)
    python busy.py json N     json round trips of a small document N times (a realistic mix)
"""
import ctypes
import json
import sys
import time

kind, n = sys.argv[1], int(sys.argv[2])
libc = ctypes.CDLL("libc.so.6")
malloc, free = libc.malloc, libc.free
malloc.restype, malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
free.argtypes = [ctypes.c_void_p]
doc = {"name": "x" * 40, "values": list(range(50)), "nested": {"a": [1.5, 2.5], "b": None}}
start = time.perf_counter()
if kind == "alloc":
    for _ in range(n):
        free(malloc(700))
elif kind == "python":
    total = 0
    for i in range(n):
        total += i * i % 7
elif kind == "json":
    for _ in range(n):
        json.loads(json.dumps(doc))
print("%.4f" % (time.perf_counter() - start))

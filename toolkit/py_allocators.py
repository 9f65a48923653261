"""Where this interpreter's allocator debug hooks are, for py_object.bt and py_raw.bt.

Run with the Python to trace, started as the traced process is (PYTHONMALLOC=debug):

    PYTHONMALLOC=debug /usr/bin/python3.11 toolkit/py_allocators.py obj
    /usr/bin/python3.11 0x4fdf80 0x230a30 0x231a20 0x106550 0x95a020

prints the file that holds the hooks, the file offsets of the domain's malloc, calloc, realloc and free hooks (what
bpftrace's uprobe:FILE:OFFSET takes) and the address of the domain's context (a static variable, the same in every
process of that file). Domains: obj (PyObject_Malloc, and PyMem_Malloc, which uses the same hooks) and raw.
Part of the pmanalyze toolkit; `pmanalyze record` runs it.
"""
import ctypes
import os
import sys

DOMAINS = {"raw": 0, "mem": 1, "obj": 2}


class Allocator(ctypes.Structure):
    _fields_ = [("ctx", ctypes.c_void_p), ("malloc", ctypes.c_void_p), ("calloc", ctypes.c_void_p),
                ("realloc", ctypes.c_void_p), ("free", ctypes.c_void_p)]


def file_offset(address):
    """The mapped file that holds address, and its offset in that file."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            parts = line.split()
            low, high = (int(x, 16) for x in parts[0].split("-"))
            if low <= address < high and len(parts) >= 6 and parts[5].startswith("/"):
                return parts[5], address - low + int(parts[2], 16)
    sys.exit("py_allocators.py: address %#x is in no mapped file" % address)


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in DOMAINS:
        sys.exit("usage: PYTHONMALLOC=debug python toolkit/py_allocators.py obj|raw")
    if os.environ.get("PYTHONMALLOC") not in ("debug", "pymalloc_debug", "malloc_debug"):
        sys.exit("py_allocators.py: run with PYTHONMALLOC=debug (the hooks are what the scripts probe)")
    get = ctypes.pythonapi.PyMem_GetAllocator
    get.argtypes = [ctypes.c_int, ctypes.POINTER(Allocator)]
    get.restype = None
    hooks = Allocator()
    get(DOMAINS[sys.argv[1]], ctypes.byref(hooks))
    files, offsets = zip(*(file_offset(getattr(hooks, f)) for f in ("malloc", "calloc", "realloc", "free")))
    if len(set(files)) != 1:
        sys.exit("py_allocators.py: the hooks are in several files: %s" % ", ".join(sorted(set(files))))
    print(files[0], *("%#x" % o for o in offsets), "%#x" % (hooks.ctx or 0))


main()

#!/usr/bin/env python3
"""Writes a synthetic libc-style DTrace memory trace (toolkit/py_flow_malloc_free.d output) for the benchmark.

usage: bench/gentrace.py --events N --out LOG [--pids 2] [--seed 1] [--call-stack] [--never-free] [--sites 300]

Each pid allocates and frees blocks at a few hundred Python sites: about 55% malloc, 5% calloc and 40% free (the
libc script traces no realloc), with a few frees of NULL or of pointers never seen, so every accounting path runs. Some blocks stay live
at the end (leaks); the live set stays near 1000 blocks per pid, so a longer log means more events, not more live blocks. Lines are laid out like DTrace's: right-aligned pid and FILE:LINE columns.
With --call-stack, the log is the -D PYTHON_CALL_STACK mode's: Python CALL and RTN lines between the events (about
one for every three events), each pid's calls nested at most 40 deep.
With --never-free, every event is an allocation that stays live (the live set grows with the log: memory at its worst);
with --sites N, the events spread over N distinct sites instead of 300 (e.g. one per event: a trace of distinct sites).
"""
import argparse, random

FILES = ["abc.py", "sre_compile.py", "np_summary.py", "/usr/lib/python3.12/json/decoder.py", "threading.py", "<frozen importlib._bootstrap>",
         "...ib/python3.12/re/_parser.py", "ex_dtrace.py", "process.py", "__init__.py"]
FUNCS = ["parse_line", "_get_process_data", "deepcopy", "wait", "<module>", "create_cmalloc_list", "decode", "_compile", "notify", "__init__"]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--pids", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--call-stack", action="store_true")
    ap.add_argument("--never-free", action="store_true")
    ap.add_argument("--sites", type=int, default=300)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    if a.sites <= 300:
        sites = [(rnd.choice(FILES), rnd.randint(1, 3000), rnd.choice(FUNCS)) for _ in range(a.sites)]
    else:  # distinct by construction: file, line and function vary together
        sites = [(FILES[i % len(FILES)], 1 + i // len(FILES) % 99991, f"{FUNCS[i % len(FUNCS)]}_{i // 99991}") for i in range(a.sites)]
    pids = [rnd.randint(1000, 99999) for _ in range(a.pids)]
    live = {p: [] for p in pids}
    nxt = {p: 0x7f0000000000 + i * 0x1000000000 for i, p in enumerate(pids)}
    out = open(a.out, "w", buffering=1 << 20)
    w = out.write
    stacks = {p: [] for p in pids}
    w("dtrace:::BEGIN\n")
    if a.call_stack:
        w("C    PID  DELTA(us)              FILE:LINE TYPE     -- FUNC\n")
    for _ in range(a.events):
        pid = rnd.choice(pids)
        f, ln, fn = rnd.choice(sites)
        if a.call_stack and rnd.random() < 0.35:
            stack = stacks[pid]
            if stack and (len(stack) >= 40 or rnd.random() < 0.5):
                cf, cln, cfn = stack.pop()
                w(f"{pid:6d} {cf:>20}:{cln:<5d} RTN    <- {cfn}\n")
            else:
                stack.append((f, ln, fn))
                w(f"{pid:6d} {f:>20}:{ln:<5d} CALL   -> {fn}\n")
        head = f"{pid:6d} {f:>20}:{ln:<5d} -> {fn} "
        blocks = live[pid]
        r = rnd.random()
        if not a.never_free and r < (0.40 if len(blocks) < 1000 else 0.55) and blocks:  # a bounded live set, as in a steady program
            if rnd.random() < 0.01:
                w(head + "free(0x0)\n")
            elif rnd.random() < 0.01:
                w(head + f"free(0x{nxt[pid] + 0x800000000:x})\n")
            else:
                i = rnd.randrange(len(blocks))
                blocks[i], blocks[-1] = blocks[-1], blocks[i]
                w(head + f"free(0x{blocks.pop():x})\n")
            continue
        size = int(rnd.expovariate(1 / 600)) + 1
        nxt[pid] += (size + 31) & ~15
        ptr = nxt[pid]
        if r < 0.45:
            n = rnd.randint(1, 16)
            w(head + f"calloc({n}, {size // n + 1}) pntr 0x{ptr:x}\n")
        else:
            w(head + f"malloc({size}) pntr 0x{ptr:x}\n")
        blocks.append(ptr)
    w("dtrace:::END\n")
    out.close()

if __name__ == "__main__":
    main()

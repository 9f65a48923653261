#!/usr/bin/env python3
"""Developer check (not part of the test suite): import LOGs with pmanalyze and compare every report with an
independent model's JSON (by default ../shared/tools/refmodel.py). Prints the differences; exits 1 if any.

usage: scripts/compare-with-refmodel.py [--model PATH] [--pmanalyze CMD] LOG...
"""
import argparse, json, os, subprocess, sys, tempfile

SUMMARY = ["lines", "events", "allocs", "reallocs", "frees", "null_frees", "unknown_frees", "missed_frees",
           "bytes_allocated", "bytes_freed", "bytes_outstanding", "leaked_blocks", "peak_bytes", "peak_blocks",
           "max_alloc", "unparsed_lines"]
CHAIN = ["start_pointer", "end_pointer", "length", "first_size", "last_size", "freed"]

def as_pmanalyze_decodes(value):
    """The model decodes every line as Latin-1; pmanalyze (as the issue says) decodes a line as UTF-8 where valid."""
    if isinstance(value, str):
        try:
            return value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return value
    if isinstance(value, list):
        return [as_pmanalyze_decodes(v) for v in value]
    if isinstance(value, dict):
        return {k: as_pmanalyze_decodes(v) for k, v in value.items()}
    return value

def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(here, "..", "..", "shared", "tools", "refmodel.py"))
    ap.add_argument("--pmanalyze", default=os.path.join(here, "..", "src", "Cli", "bin", "Release", "net10.0", "pmanalyze"))
    ap.add_argument("logs", nargs="+")
    a = ap.parse_args()
    bad = 0
    for log in a.logs:
        model = as_pmanalyze_decodes(json.loads(run([sys.executable, a.model, log])))
        with tempfile.TemporaryDirectory() as d:
            db = os.path.join(d, "t.db")
            run([a.pmanalyze, "import", log, "--db", db, "--quiet"])
            got = {r: json.loads(run([a.pmanalyze, r, "--db", db, "--format", "json"])) for r in ["summary", "leaks", "functions", "reallocs"]}
        diffs = [f"summary.{k}: pmanalyze {got['summary'][k]} model {model.get(k)}" for k in SUMMARY if got["summary"][k] != model.get(k)]
        if sorted(got["leaks"], key=json.dumps) != sorted(model["leaks"], key=json.dumps):
            diffs.append(f"leaks differ: {len(got['leaks'])} sites vs {len(model['leaks'])}")
        if sorted(got["functions"], key=json.dumps) != sorted(model["functions"], key=json.dumps):
            diffs.append(f"functions differ: {len(got['functions'])} rows vs {len(model['functions'])}")
        mine = sorted(({k: c[k] for k in CHAIN} for c in got["reallocs"]), key=json.dumps)
        theirs = sorted(({k: c[k] for k in CHAIN} for c in model["realloc_chains"]), key=json.dumps)
        if mine != theirs:
            diffs.append(f"realloc chains differ: {len(mine)} vs {len(theirs)}")
        print(("OK   " if not diffs else "DIFF ") + log + "".join("\n     " + d for d in diffs))
        bad += bool(diffs)
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()

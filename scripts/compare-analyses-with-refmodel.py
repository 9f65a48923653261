#!/usr/bin/env python3
"""Developer check (not part of the test suite): import LOGs with pmanalyze and compare the issue-4 analyses
(sizes, temporary, peak_event/peak_line/temporary_allocs, per-pid timelines summing to the total) with an
independent model's JSON (by default ../shared/tools/refmodel.py). Exits 1 on any difference.

usage: scripts/compare-analyses-with-refmodel.py [--model PATH] [--pmanalyze CMD] LOG...
"""
import argparse, importlib.util, json, os, sys, tempfile

def load_compare():
    """The sibling script's helpers (run, as_pmanalyze_decodes)."""
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("compare", os.path.join(here, "compare-with-refmodel.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

compare = load_compare()
run, as_pmanalyze_decodes = compare.run, compare.as_pmanalyze_decodes

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(here, "..", "..", "shared", "tools", "refmodel.py"))
    ap.add_argument("--pmanalyze", default=os.path.join(here, "..", "src", "Cli", "bin", "Release", "net10.0", "pmanalyze"))
    ap.add_argument("logs", nargs="+")
    a = ap.parse_args()
    bad = 0
    for log in a.logs:
        model = json.loads(run([sys.executable, a.model, log]))
        with tempfile.TemporaryDirectory() as d:
            db = os.path.join(d, "t.db")
            run([a.pmanalyze, "import", log, "--db", db, "--quiet"])
            pm = lambda *r: json.loads(run([a.pmanalyze, *r, "--db", db, "--format", "json"]))
            summary, sizes, temporary = pm("summary"), pm("sizes"), pm("temporary")
            total = pm("timeline")
            per_pid = pm("timeline", "--per-pid")
        diffs = [f"summary.{k}: pmanalyze {summary[k]} model {model.get(k)}"
                 for k in ["peak_event", "peak_line", "temporary_allocs"] if summary[k] != model.get(k)]
        if [{k: s[k] for k in ("bucket", "count", "bytes")} for s in sizes] != model["sizes"]:
            diffs.append(f"sizes differ: {len(sizes)} buckets vs {len(model['sizes'])}")
        mine = sorted(json.dumps([t["file"], t["line"], t["function"], t["count"]]) for t in temporary)
        theirs = sorted(json.dumps([as_pmanalyze_decodes(t["file"]), t["line"], as_pmanalyze_decodes(t["function"]), t["count"]])
                        for t in model["temporary"])
        if mine != theirs:
            diffs.append(f"temporary differ: {len(mine)} sites vs {len(theirs)}")
        # per-pid live bytes, carried forward between a pid's events, must add up to the all-pid total after every event
        last, by_event = {}, {}
        for r in per_pid:
            by_event.setdefault(r["event"], []).append(r)
        for t in total:
            for r in by_event.get(t["event"], []):
                last[r["pid"]] = (r["live_bytes"], r["live_blocks"])
            sb, sk = sum(v[0] for v in last.values()), sum(v[1] for v in last.values())
            if (sb, sk) != (t["live_bytes"], t["live_blocks"]):
                diffs.append(f"event {t['event']}: pids sum to {sb} B / {sk} blocks, total {t['live_bytes']} / {t['live_blocks']}")
                break
        peak = [t for t in total if t["peak"]]
        if len(peak) != (1 if model.get("peak_event") else 0) or (peak and peak[0]["event"] != model["peak_event"]):
            diffs.append(f"timeline peak rows {peak} vs model peak_event {model.get('peak_event')}")
        print(("OK   " if not diffs else "DIFF ") + log + "".join("\n     " + d for d in diffs))
        bad += bool(diffs)
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()

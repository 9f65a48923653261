#!/usr/bin/env bash
# Fleet benchmark: many runs in one database and as Parquet exports, as a CI fleet makes them.
#  - imports RUNS generated logs into one database and prints the import time of the 1st, 20th, 100th and last run
#    (the 20th must be as fast as the first: a database's size must not slow down adding a run);
#  - times `traces`, `diff` and per-trace reports on that database (each under 1 s);
#  - exports every run into its own folder runs/RUN/ and times docs/export.md's DuckDB query
#    ("leaked bytes per site across N runs") over all of them.
# Fetches nothing: the logs come from bench/gentrace.py, DuckDB from the NuGet package of bench/FleetQuery.
#
# usage: bench/fleet.sh [RUNS] [EVENTS_PER_RUN]     (default 500 runs of 2000 events)
# env:   BENCH_DIR=dir   where logs, the database and the exports go (default: a temporary directory)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
runs="${1:-500}"
events="${2:-2000}"
work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work/logs" "$work/runs"

dotnet publish "$repo/src/Cli/pmanalyze.csproj" -c Release -o "$work/pmanalyze" -v quiet -nologo >/dev/null
dotnet build "$here/FleetQuery/FleetQuery.csproj" -c Release -o "$work/fleetquery" -v quiet -nologo >/dev/null
pma="$work/pmanalyze/pmanalyze"
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== $runs logs of $events events each"
for i in $(seq 1 "$runs"); do
    [ -f "$work/logs/run$i.log" ] || python3 "$here/gentrace.py" --events "$events" --pids 2 --seed "$i" --out "$work/logs/run$i.log"
done

db="$work/fleet.db"
rm -f "$db"
echo "== importing them into one database"
for i in $(seq 1 "$runs"); do
    start=$(date +%s.%N)
    "$pma" import "$work/logs/run$i.log" --db "$db" --quiet > /dev/null
    end=$(date +%s.%N)
    case "$i" in 1|20|100|"$runs") awk -v i="$i" -v s="$start" -v e="$end" 'BEGIN { printf "  import of run %d: %.3f s\n", i, e - s }';; esac
done
echo "  database: $(du -m "$db" | cut -f1) MB"

echo "== commands on the $runs-run database (process start included)"
timed() {
    local label="$1"; shift
    /usr/bin/time -f "%e" -o "$work/t.txt" "$pma" "$@" > /dev/null
    printf "  %-28s %s s\n" "$label" "$(cat "$work/t.txt")"
}
timed "traces" traces --db "$db"
timed "summary --trace 20" summary --db "$db" --trace 20
timed "leaks --trace 20" leaks --db "$db" --trace 20
timed "functions --trace 20" functions --db "$db" --trace 20
timed "diff --base 1 --trace 20" diff --db "$db" --base 1 --trace 20
timed "summary (last run)" summary --db "$db"

echo "== exporting each run into runs/RUN/"
rm -rf "$work/runs"   # the exports of this database (an earlier run's would be of another import, perhaps another schema)
start=$(date +%s.%N)
for i in $(seq 1 "$runs"); do
    "$pma" export --db "$db" --trace "$i" --out "$work/runs/run$i" > /dev/null
done
end=$(date +%s.%N)
awk -v n="$runs" -v s="$start" -v e="$end" 'BEGIN { printf "  %d exports in %.1f s\n", n, e - s }'
/usr/bin/time -f "%e" -o "$work/t.txt" "$work/fleetquery/FleetQuery" "$work/runs"
echo "  (the whole FleetQuery process: $(cat "$work/t.txt") s)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

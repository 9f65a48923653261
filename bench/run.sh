#!/usr/bin/env bash
# Import benchmark: generates its own libc-style log, imports it, and reports lines/s, peak RSS, the time split,
# every report's time, and (when a copy is present) the pymemtrace analyzer on the same file. Fetches nothing.
#
# usage: bench/run.sh [EVENTS]          (default 1000000; also imports a call-stack log of EVENTS/4 events, and a 4x
#                                        longer log to check that memory stays flat)
# env:   PEER=path/to/dtrace_log_analyse.py   the peer (default: bench/peer/dtrace_log_analyse.py, not committed)
#        BENCH_DIR=dir                         where logs and databases go (default: a temporary directory)
#        SKIP_LONG=1                           skip the 4x log
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
events="${1:-1000000}"
work="${BENCH_DIR:-$(mktemp -d)}"
peer="${PEER:-$here/peer/dtrace_log_analyse.py}"
mkdir -p "$work"

source "$here/common.sh"
publish_pmanalyze "$work"
describe_machine

# import LOG DB: prints lines/s (wall), CPU seconds and peak RSS
import() {
    local log="$1" db="$2" lines
    rm -f "$db"
    lines=$(wc -l < "$log")
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$pma" import "$log" --db "$db" --quiet --verbose > "$work/import.txt"
    read -r wall user sys rss < "$work/time.txt"
    grep '^time:' "$work/import.txt" | sed 's/^/  /'
    awk -v l="$lines" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v f="$(basename "$log")" 'BEGIN {
        printf "  %s: %d lines in %.2f s wall (%.2f s CPU) = %.0f lines/s; peak RSS %.1f MB\n", f, l, w, u + s, l / w, r / 1024 }'
    echo "$rss" > "$work/rss.$(basename "$db")"
    echo "$lines $wall" > "$work/rate.$(basename "$db")"
}

log="$work/libc-$events.log"
[ -f "$log" ] || python3 "$here/gentrace.py" --events "$events" --pids 2 --out "$log"
echo "== import ($events events, $(du -m "$log" | cut -f1) MB)"
import "$log" "$work/bench.db"

echo "== reports on the $events-event database"
for r in summary leaks functions reallocs "timeline --points 1000"; do
    "$pma" --help | grep -qE "^ +${r%% *}( |$)" || continue   # timeline: when the build has it
    /usr/bin/time -f "%e" -o "$work/r.txt" "$pma" $r --db "$work/bench.db" > /dev/null
    printf "  %-10s %s s\n" "$r" "$(cat "$work/r.txt")"
done

cs="$work/callstack-$((events / 4)).log"
[ -f "$cs" ] || python3 "$here/gentrace.py" --events $((events / 4)) --pids 2 --seed 3 --call-stack --out "$cs"
echo "== import of a call-stack log ($((events / 4)) events and their CALL/RTN lines)"
import "$cs" "$work/callstack.db"

# issue 13: what never came back, what was live at the peak, per site and stack, on a 1M-event call-stack log
cs13="$work/callstack-$events.log"
[ -f "$cs13" ] || python3 "$here/gentrace.py" --events "$events" --pids 2 --seed 4 --call-stack --out "$cs13"
echo "== block reports on a $events-event call-stack log (each should take under 2 s; wall and CPU seconds)"
import "$cs13" "$work/callstack13.db"
third=$((events / 3))
set -f   # the --exclude patterns are for pmanalyze, not for the shell
while IFS= read -r r; do
    /usr/bin/time -f "%e %U %S" -o "$work/r.txt" "$pma" $r --db "$work/callstack13.db" > /dev/null 2>&1
    read -r w u s < "$work/r.txt"
    printf "  %-58s %5.2f s wall %5.2f s CPU\n" "$r" "$w" "$(echo "$u + $s" | bc)"
done <<EOF2
leaks --by stack --format folded
leaks --by growth
leaks --from $third --to $((2 * third))
leaks --by stack --exclude *decode*
peak
peak --by stack --format folded
peak --from $third --to $((2 * third))
timeline --by site --top 10
functions --from $third --to $((2 * third))
stacks --top 100
stacks --weight leaked
stacks --weight peak
stacks --from $third --to $((2 * third)) --top 100
EOF2
set +f

if [ -f "$peer" ]; then
    echo "== peer: $(basename "$peer") on the same file"
    /usr/bin/time -f "%e %M" -o "$work/peer.txt" python3 "$peer" -l 50 "$log" > /dev/null
    read -r pwall prss < "$work/peer.txt"
    read -r lines wall < "$work/rate.bench.db"
    awk -v l="$lines" -v pw="$pwall" -v w="$wall" -v r="$prss" 'BEGIN {
        printf "  peer: %.2f s = %.0f lines/s, peak RSS %.1f MB; pmanalyze import is %.1fx faster\n", pw, l / pw, r / 1024, pw / w }'
else
    echo "== peer: not present ($peer); set PEER=... to compare"
fi

if [ -z "${SKIP_LONG:-}" ]; then
    long="$work/libc-$((events * 4)).log"
    [ -f "$long" ] || python3 "$here/gentrace.py" --events $((events * 4)) --pids 2 --seed 2 --out "$long"
    echo "== import of a 4x longer log ($((events * 4)) events): memory must stay flat"
    import "$long" "$work/bench4.db"
    awk -v a="$(cat "$work/rss.bench.db")" -v b="$(cat "$work/rss.bench4.db")" 'BEGIN {
        printf "  peak RSS %.1f MB -> %.1f MB (%+.0f%%)\n", a / 1024, b / 1024, (b - a) * 100 / a }'
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

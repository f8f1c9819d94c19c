#!/usr/bin/env bash
# lincheck_bench.sh - `make bench`: raftsim lincheck on the issue's seven
# histories (../shared/bench/genhist.py, and stale.py for one stale read),
# beside Porcupine's figures on this machine (issue 11).
# Not a test: prints what it measures; exits 0 unless it cannot run.
# Targets: each decided in <= 1 s and <= 1 GiB; the 100k-op ones (parsing
# included) >= 3x faster than Porcupine when linearizable (<= 0.073 s) and
# >= 10x with the stale read (<= 0.32 s).
set -euo pipefail
bin=${1:-./raftsim}
here=$(cd "$(dirname "$0")" && pwd)
# ../shared beside the checkout (a worktree may sit one level deeper)
gen=${LINCHECK_BENCH_DIR:-}
for d in "$here/../../../shared/bench" "$here/../../../../shared/bench"; do
	[ -n "$gen" ] || { [ -f "$d/genhist.py" ] && gen=$(cd "$d" && pwd); }
done
gen=${gen:-$here/../../../shared/bench}

echo "== lincheck: the issue's histories (best wall time of 3; max RSS)"
if ! command -v python3 >/dev/null; then
	echo "  skipped: python3 is missing (it runs genhist.py and stale.py)"
	exit 0
fi
if [ ! -f "$gen/genhist.py" ] || [ ! -f "$gen/stale.py" ]; then
	echo "  skipped: no genhist.py and stale.py in $gen"
	exit 0
fi
tmp=$(mktemp -d /tmp/raftsim-lincheck-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# name | genhist.py arguments | stale? | Porcupine | wall target (s)
cases=(
	"a|100000 16 100 0.02 2|no|linearizable, 0.22 s|0.073"
	"a|100000 16 100 0.02 2|yes|illegal, 3.2 s|0.32"
	"b|2000 32 1 0.2 9 --dur 20|no|linearizable, 0.73 s|1"
	"b|2000 32 1 0.2 9 --dur 20|yes|no answer in 120 s|1"
	"c|5000 32 1 0.2 10 --cas --dur 20|no|linearizable, 0.59 s|1"
	"c|5000 32 1 0.2 10 --cas --dur 20|yes|no answer in 120 s|1"
	"d|10000 64 1 0.1 11 --cas --dur 30|no|no answer in 120 s|1"
)

# Runs raftsim lincheck FILE 3 times: prints the exit code, the best wall
# time, that run's CPU time (user + sys), and the max RSS (KiB, from
# /usr/bin/time: a child forked by python3 would count python3's pages).
measure() {
	python3 - "$bin" "$1" "$tmp/rss" <<'PY'
import os, resource, subprocess, sys, time
bin, path, rss_file = sys.argv[1:4]
timer = ["/usr/bin/time", "-f", "%M", "-o", rss_file] \
    if os.access("/usr/bin/time", os.X_OK) else []
best, rss = None, 0
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    code = subprocess.call(timer + [bin, "lincheck", path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if timer:
        rss = max(rss, int(open(rss_file).read().split()[-1]))
    if best is None or wall < best[1]:
        best = (code, wall, cpu)
print(best[0], "%.3f" % best[1], "%.3f" % best[2], rss if timer else "-")
PY
}

printf '| history (genhist.py arguments) | verdict | raftsim lincheck: wall (CPU) | max RSS | Porcupine | target |\n'
printf '|---|---|---|---|---|---|\n'
missed=0
for c in "${cases[@]}"; do
	IFS='|' read -r name args stale porcupine target <<<"$c"
	file=$tmp/$name.jsonl
	# shellcheck disable=SC2086
	[ -f "$file" ] || python3 "$gen/genhist.py" $args >"$file"
	label="\`$args\`"
	if [ "$stale" = yes ]; then
		python3 "$gen/stale.py" "$file" 1 >"$tmp/$name-stale.jsonl"
		file=$tmp/$name-stale.jsonl
		label="the same, with \`stale.py ... 1\`"
	fi
	read -r code secs cpu rss <<<"$(measure "$file")"
	case $code in
	0) verdict=linearizable ;;
	1) verdict=illegal ;;
	4) verdict="undecided (timeout)" ;;
	*) verdict="exit $code" ;;
	esac
	[ "$rss" = - ] || rss=$(awk -v kb="$rss" 'BEGIN{printf "%.1f MiB", kb / 1024}')
	met=$(awk -v s="$secs" -v t="$target" 'BEGIN{print (s <= t) ? "met" : "MISSED"}')
	want=linearizable
	[ "$stale" = yes ] && want=illegal
	if [ "$verdict" != "$want" ]; then met="WRONG VERDICT"; fi
	[ "$met" = met ] || missed=$((missed + 1))
	printf '| %s | %s | %s s (%s s) | %s | %s | <= %s s: %s |\n' "$label" \
		"$verdict" "$secs" "$cpu" "$rss" "$porcupine" "$target" "$met"
done
echo "  $(nproc 2>/dev/null || echo ?) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"
[ "$missed" -eq 0 ] && echo "  every target met" ||
	echo "  $missed target(s) missed (on a loaded machine, wall time grows)"

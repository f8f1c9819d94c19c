#!/usr/bin/env bash
# report_chromium.sh - renders `raftsim report` of a seeded --sim
# --mistake no-reset run in headless Chromium: the page loads with no
# console errors, its DOM holds a lane per node and the violation markers,
# and the screenshot is kept (tests/bench/report-example.png with --save).
# Skipped, with the reason, where Chromium is not installed (.ci/run
# installs Debian's chromium package).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
	echo "report_chromium: skipped: chromium not available (apt-get install chromium)"
	exit 0
fi
dir=$(mktemp -d /tmp/raftsim-report-XXXXXX)
trap 'rm -rf "$dir"' EXIT
./raftsim --sim --nodes 3 --ticks 300 --seed 2 --mistake no-reset -q \
	--trace "$dir/t.jsonl" >/dev/null 2>&1 || true
./raftsim report "$dir/t.jsonl" --html "$dir/r.html" >/dev/null
# Console errors land in the DOM, where --dump-dom shows them.
sed -i 's|<head>|<head><script>window.onerror=function(m){document.documentElement.setAttribute("data-errors",(document.documentElement.getAttribute("data-errors")\|\|"")+m);};</script>|' "$dir/r.html"
flags=(--headless --no-sandbox --disable-gpu --no-first-run
	--user-data-dir="$dir/profile" --window-size=1400,900)
timeout 120 chromium "${flags[@]}" --virtual-time-budget=2000 \
	--dump-dom "file://$dir/r.html" >"$dir/dom.html" 2>"$dir/log" || true
timeout 120 chromium "${flags[@]}" --screenshot="$dir/r.png" \
	"file://$dir/r.html" >/dev/null 2>&1 || true
fail() { echo "report_chromium: FAIL: $*"; exit 1; }
lanes=$(grep -o '<g class="lane"' "$dir/dom.html" | wc -l)
markers=$(grep -o '<a href="#v[0-9]*"><circle class="violation"' \
	"$dir/dom.html" | wc -l)
[ "$lanes" -eq 3 ] || fail "$lanes lanes in the DOM, expected 3"
[ "$markers" -eq 24 ] || fail "$markers violation markers, expected 24"
grep -q 'data-errors="' "$dir/dom.html" && fail "console errors: $(grep -o 'data-errors="[^"]*"' "$dir/dom.html")"
[ -s "$dir/r.png" ] || fail "no screenshot"
if [ "${1:-}" = "--save" ]; then
	cp "$dir/r.png" tests/bench/report-example.png
fi
echo "report_chromium: ok ($lanes lanes, $markers violation markers, no console errors, screenshot $(stat -c %s "$dir/r.png") bytes)"

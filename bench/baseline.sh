#!/usr/bin/env bash
# Baseline benchmark: Ward's Debian 12 L2 + 等保 L3 policies against
# `lynis audit system --quick` on this machine, in one run.
# Usage: bench/baseline.sh [RUNS]   (results go to bench/baseline/out/)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
OUT=bench/baseline/out
mkdir -p "$OUT"
export PATH=$PATH:/usr/local/go/bin
# The peer and the tools this script uses (as bench/inventory.sh does).
for pkg in lynis jq bc; do
  dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null; }
done

CGO_ENABLED=0 go build -o "$OUT/ward" ./cmd/ward
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load before: $(cut -d' ' -f1-3 /proc/loadavg)"

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# What the baseline reads: OS, accounts, packages, services, sockets.
COLL=host,accounts,os,system/services,live/sockets
WARD=("$OUT/ward" scan --baseline --policy debian12-l2 --policy mlps-l3 --collectors "$COLL" --no-progress --format json --output "$OUT/ward.json")
"${WARD[@]}" # warm the page cache like lynis' second run would be
: > "$OUT/ward.times"
for _ in $(seq "$RUNS"); do
  t0=$(now); "${WARD[@]}"; t1=$(now)
  secs "$t0" "$t1" >> "$OUT/ward.times"
done
ward_s=$(median < "$OUT/ward.times")

# The detector's own time (policy evaluation without the inventory), and
# the check counts by status.
det='(.detections[] | select(.detector == "baseline"))'
det_ms=$(jq "$det.duration_ms" "$OUT/ward.json")
total=$(jq "[$det.details.policies[].checks[]] | length" "$OUT/ward.json")
manual=$(jq "[$det.details.policies[].checks[] | select(.status == \"manual\")] | length" "$OUT/ward.json")
na=$(jq "[$det.details.policies[].checks[] | select(.status == \"not-applicable\")] | length" "$OUT/ward.json")
auto=$((total - manual - na))

# Full scan with every collector, for reference (one run).
t0=$(now); "$OUT/ward" scan --baseline --policy debian12-l2 --policy mlps-l3 --no-progress --format json --output "$OUT/ward-full.json"; t1=$(now)
full_s=$(secs "$t0" "$t1")

t0=$(now)
lynis audit system --quick --no-colors --logfile "$OUT/lynis.log" --report-file "$OUT/lynis-report.dat" > "$OUT/lynis.out" 2>&1 || true
t1=$(now)
lynis_s=$(secs "$t0" "$t1")
lynis_tests=$(grep -c '^tests_executed=\|^tests_executed\[\]=' "$OUT/lynis-report.dat" || true)
if [ "$lynis_tests" -le 1 ]; then
  lynis_tests=$(grep '^tests_executed=' "$OUT/lynis-report.dat" | cut -d= -f2- | tr '|' '\n' | grep -c . || true)
fi
lynis_skipped=$(grep '^tests_skipped=' "$OUT/lynis-report.dat" | cut -d= -f2- | tr '|' '\n' | grep -c . || true)

printf '\n%-46s %10s %8s\n' "tool (same machine, same run)" "wall s" "checks"
printf '%-46s %10.3f %8s\n' "ward scan --baseline (median of $RUNS)" "$ward_s" "$total ($auto evaluated, $manual manual, $na n/a)"
printf '%-46s %10.3f\n' "  of which baseline evaluation (detector ms)" "$(echo "$det_ms/1000" | bc -l)"
printf '%-46s %10.3f\n' "ward scan --baseline, all collectors (1 run)" "$full_s"
printf '%-46s %10.3f %8s\n' "lynis audit system --quick" "$lynis_s" "$lynis_tests tests ($lynis_skipped skipped)"
printf 'ratio lynis / ward: %.0fx\n' "$(echo "$lynis_s / $ward_s" | bc -l)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# Inventory benchmark: `ward scan` against osv-scalibr's default scan of the
# same root, in the same run, on the same machine. Prints wall time, peak RSS
# and OS package counts for both, and the ratios. Usage: bench/inventory.sh [ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
root=${1:-/}
runs=${RUNS:-3}
out=bench/out
mkdir -p "$out"

for pkg in time jq bc; do
  dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null; }
done

make -s build >/dev/null
scalibr_version=$(cd bench/peers && go list -m -f '{{.Version}}' github.com/google/osv-scalibr)
if [ ! -x bench/peers/bin/scalibr ]; then
  echo "building osv-scalibr $scalibr_version (once)..." >&2
  (cd bench/peers && go build -o bin/scalibr github.com/google/osv-scalibr/binary/scalibr)
fi

# measure NAME CMD...: best-of-$runs wall seconds and the peak RSS of that run.
measure() {
  local name=$1; shift
  local best_wall="" best_rss=""
  for i in $(seq "$runs"); do
    # scalibr exits 1 when any plugin only partly succeeded (one unreadable
    # file); its results are still written, so only a missing report fails.
    /usr/bin/time -v -o "$out/$name.time" "$@" >/dev/null 2>"$out/$name.stderr" || true
    grep -q "Elapsed" "$out/$name.time" || { echo "$name did not run; see $out/$name.stderr" >&2; exit 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out/$name.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/$name.time")
    if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN{exit !(a<b)}'; then
      best_wall=$wall; best_rss=$rss
    fi
  done
  echo "$best_wall $best_rss"
}

# Warm the page cache once for both, so neither pays for cold disk alone.
bin/ward scan --root "$root" --format json --output "$out/ward.json" --no-progress >/dev/null 2>&1 || true

read -r ward_wall ward_rss < <(measure ward bin/ward scan --root "$root" --format json --output "$out/ward.json" --no-progress)
read -r sc_wall sc_rss < <(measure scalibr bench/peers/bin/scalibr --root "$root" --offline -o "cdx-json=$out/scalibr.cdx.json")

[ -s "$out/ward.json" ] && [ -s "$out/scalibr.cdx.json" ] || { echo "a tool wrote no report; see $out/*.stderr" >&2; exit 1; }
ward_os=$(jq '[.inventory.packages[] | select(.type=="deb" or .type=="rpm" or .type=="apk")] | length' "$out/ward.json")
ward_all=$(jq '.inventory.packages | length' "$out/ward.json")
sc_os=$(jq '[.components[]? | select(.purl != null) | select(.purl|test("^pkg:(deb|rpm|apk)/"))] | length' "$out/scalibr.cdx.json")
sc_all=$(jq '[.components[]?] | length' "$out/scalibr.cdx.json")
# OS packages scalibr found that ward did not (by name and version).
jq -r '.inventory.packages[] | select(.type=="deb" or .type=="rpm" or .type=="apk") | "\(.name) \(.version)"' "$out/ward.json" | sort -u >"$out/ward-os.txt"
jq -r '.components[]? | select(.purl != null) | select(.purl|test("^pkg:(deb|rpm|apk)/")) | "\(.name) \(.version)"' "$out/scalibr.cdx.json" | sort -u >"$out/scalibr-os.txt"
missing=$(comm -13 "$out/ward-os.txt" "$out/scalibr-os.txt" | wc -l)

printf '\nroot %s, %s runs each (best), %s cores, %s\n' "$root" "$runs" "$(nproc)" "$(date -u +%FT%TZ)"
printf '%-24s %10s %12s %12s %14s\n' tool wall_s peak_rss_MB os_packages all_packages
printf '%-24s %10.2f %12.1f %12s %14s\n' "ward $(bin/ward version | awk '{print $2}')" "$ward_wall" "$(echo "$ward_rss/1024" | bc -l)" "$ward_os" "$ward_all"
printf '%-24s %10.2f %12.1f %12s %14s\n' "osv-scalibr $scalibr_version" "$sc_wall" "$(echo "$sc_rss/1024" | bc -l)" "$sc_os" "$sc_all"
printf 'speed ratio (scalibr wall / ward wall): %.1fx   RSS ratio (scalibr / ward): %.1fx\n' \
  "$(echo "$sc_wall/$ward_wall" | bc -l)" "$(echo "$sc_rss/$ward_rss" | bc -l)"
printf 'OS packages scalibr found that ward did not: %s (list: %s)\n' "$missing" "$out/scalibr-os.txt vs $out/ward-os.txt"

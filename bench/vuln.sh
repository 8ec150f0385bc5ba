#!/usr/bin/env bash
# Vulnerability benchmark: `ward scan --vuln` against osv-scanner v2.5.1 on
# the same root and the same OSV records, offline, in the same run.
#
#   bench/vuln.sh                 two roots: "fixture" (the labelled root of
#                                 internal/vuln/vulntest) and "host" (this
#                                 machine's dpkg status, /usr/bin, /usr/sbin,
#                                 /usr/local/bin, /usr/lib/python3, /usr/share/java
#                                 and /usr/lib/jvm hard-linked, plus the fixture's
#                                 language packages)
#   ROOT=/srv/img bench/vuln.sh   one unpacked root instead
#
# Advisories: the shared test records (GHSA, Go vulndb, PyPA, Debian OSV)
# plus the Debian tracker records converted to osv.dev-style DEBIAN-CVE
# records (bench/vuln/tracker2osv), packed as <Ecosystem>/all.zip. Ward
# imports exactly those zips; osv-scanner reads them from
# $OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY/osv-scalibr/<Ecosystem>/all.zip.
# osv-scanner scans OS packages only in image mode, so the root is also
# written as a docker-save archive (bench/vuln/dockersave.py, no daemon).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
runs=${RUNS:-5}
out=bench/out/vuln
rm -rf "$out" && mkdir -p "$out"

for pkg in time jq bc python3-yaml; do
  dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null; }
done

make -s build >/dev/null
osvs=bench/peers/bin/osv-scanner
if [ ! -x "$osvs" ]; then
  echo "building osv-scanner v2.5.1 (once)..." >&2
  GOBIN="$PWD/bench/peers/bin" go install github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.5.1
fi

adv=internal/vuln/testdata/advisories

go run ./bench/vuln/tracker2osv -o "$out/Debian-tracker.zip" "$adv/debian/vuln-list-debian" "$adv/debian/security-tracker-json" 2>"$out/tracker2osv.log"
python3 bench/vuln/osvzips.py "$out/osvdb/osv-scalibr" "$adv/osv" "$adv/debian/osv" "$out/Debian-tracker.zip" 2>"$out/osvzips.log"
bin/ward vulndb import --vulndb "$out/ward-osv.db" "$out"/osvdb/osv-scalibr/*/all.zip >"$out/import.log" 2>&1
# Ward's own feeds: the same OSV records with the tracker's status-rich data.
bin/ward vulndb import --vulndb "$out/ward-tracker.db" "$adv" >>"$out/import.log" 2>&1

export OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY="$PWD/$out/osvdb"

# measure NAME CMD...: best-of-$runs wall seconds and that run's peak RSS.
measure() {
  local name=$1; shift
  local best_wall="" best_rss=""
  for i in $(seq "$runs"); do
    # osv-scanner exits 1 when it finds vulnerabilities.
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

# bench_root NAME ROOT: time both tools on ROOT and compare their findings.
bench_root() {
local name=$1 root
root=$(cd "$2" && pwd)
local o=$out/$name
mkdir -p "$o"
python3 bench/vuln/dockersave.py "$root" "$o/root.tar"
local ward_cmd osvs_cmd ward_wall ward_rss osv_wall osv_rss
ward_cmd=(bin/ward scan --root "$root" --vuln --vulndb "$out/ward-osv.db" --format json --output "$o/ward.json" --no-progress)
osvs_cmd=("$osvs" scan image --archive "$o/root.tar" --offline --format json --output-file "$o/osv-scanner.json" --verbosity error)


"${ward_cmd[@]}" >/dev/null 2>&1 || true   # warm the page cache for both
read -r ward_wall ward_rss < <(measure ward "${ward_cmd[@]}")
read -r osv_wall osv_rss < <(measure osv-scanner "${osvs_cmd[@]}")
[ -s "$o/ward.json" ] && [ -s "$o/osv-scanner.json" ] || { echo "a tool wrote no report; see $out/*.stderr" >&2; exit 1; }
bin/ward scan --root "$root" --vuln --vulndb "$out/ward-tracker.db" --format json --output "$o/ward-tracker.json" --no-progress

# Findings side by side, one line per (package, advisory): an osv-scanner
# finding is "found by ward" when a ward finding names the same package
# (source package for Debian) and shares an id or alias with it.
python3 - "$o" <<'PY'
import json, sys
out = sys.argv[1]
def ward_set(path):
    d = json.load(open(path))
    s = []
    for f in d["findings"]:
        if f["kind"] != "vulnerability":
            continue
        name = f["asset"]["id"].rsplit("@", 1)[0]
        s.append((name, set(r["id"] for r in f.get("references", [])), f["title"]))
    return s
w = ward_set(f"{out}/ward.json")
wt = ward_set(f"{out}/ward-tracker.json")
o = json.load(open(f"{out}/osv-scanner.json"))
osv = {}
for r in o.get("results", []):
    for p in r.get("packages", []):
        name = p["package"]["name"]
        for v in p.get("vulnerabilities", []):
            ids = {v["id"], *v.get("aliases", []), *v.get("upstream", [])}
            osv.setdefault((name, v["id"]), ids)
def found(name, ids, ws):
    return any(n == name and (ids & wid) for n, wid, _ in ws)
lines, missing = [], []
for (name, vid), ids in sorted(osv.items()):
    hit = found(name, ids, w)
    lines.append(f"| {name} | {vid} | yes | {'yes' if hit else 'NO'} |")
    if not hit:
        missing.append((name, vid))
extra = []
for name, wid, title in w:
    if not any(n == name and (wid & ids) for (n, _), ids in osv.items()):
        extra.append(title)
with open(f"{out}/side-by-side.md", "w") as fh:
    fh.write("| package | osv-scanner id | osv-scanner | ward |\n|---|---|---|---|\n" + "\n".join(lines) + "\n")
    fh.write("\nWard findings osv-scanner does not report:\n" + "".join(f"- {t}\n" for t in extra))
    fh.write("\nosv-scanner findings Ward does not report:\n" + "".join(f"- {n} {v}\n" for n, v in missing))
print(f"osv-scanner (package, advisory) pairs: {len(osv)}; ward findings (same OSV data): {len(w)}; "
      f"ward findings (with tracker data): {len(wt)}")
print(f"osv-scanner pairs ward does not report: {len(missing)} {missing}")
print(f"ward findings osv-scanner does not report: {len(extra)}")
PY

printf '\n[%s] root %s, %s runs each (best), %s cores, load %s, %s\n' "$name" "$root" "$runs" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u +%FT%TZ)"
printf '%-22s %10s %12s\n' tool wall_s peak_rss_MB
printf '%-22s %10.3f %12.1f\n' "ward $(bin/ward version | awk '{print $2}')" "$ward_wall" "$(echo "$ward_rss/1024" | bc -l)"
printf '%-22s %10.3f %12.1f\n' "osv-scanner 2.5.1" "$osv_wall" "$(echo "$osv_rss/1024" | bc -l)"
printf 'speed ratio (osv-scanner wall / ward wall): %.1fx   RSS ratio: %.1fx\n' \
  "$(echo "$osv_wall/$ward_wall" | bc -l)" "$(echo "$osv_rss/$ward_rss" | bc -l)"
echo "side by side: $o/side-by-side.md"
}

if [ -n "${ROOT:-}" ]; then
  bench_root custom "$ROOT"
  exit 0
fi
go run ./bench/vuln/mkroot "$out/fixture-root"
bench_root fixture "$out/fixture-root"

host=$out/host-root
mkdir -p "$host/etc" "$host/var/lib" "$host/usr/lib" "$host/usr/share" "$host/usr/local"
cp /etc/os-release "$host/etc/"
cp -r /var/lib/dpkg "$host/var/lib/"
for d in /usr/bin /usr/sbin /usr/local/bin /usr/lib/python3 /usr/share/java /usr/lib/jvm; do
  [ -d "$d" ] && cp -al "$d" "$host$d" 2>/dev/null || cp -a "$d" "$host$d"
done
for d in opt srv usr/local/lib; do
  cp -a "$out/fixture-root/$d" "$host/$(dirname "$d")/"
done
bench_root host "$host"

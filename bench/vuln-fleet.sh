#!/usr/bin/env bash
# Fleet re-match benchmark: N stored inventories (default 15000) in SQLite
# and PostgreSQL, then one new advisory imported on the server and the
# fleet re-matched against it (no agent involved). Figures: bench/vuln/FLEET.md.
#
#   bench/vuln-fleet.sh                 # both backends, 15000 hosts
#   HOSTS=2000 bench/vuln-fleet.sh      # smaller
#   KEEP=1 bench/vuln-fleet.sh          # keep the generated stores for the next run
#
# The stores take minutes to fill the first time (they are cached in
# $DIR while KEEP=1); only the re-match is timed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
HOSTS=${HOSTS:-15000}
PACKAGES=${PACKAGES:-400}
DIR=${DIR:-/tmp/ward-bench-vulnfleet}
PGADMIN=${PGADMIN:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
PGDB=ward_bench_vulnfleet_$HOSTS
mkdir -p "$DIR"
export WARD_BENCH_HOSTS=$HOSTS WARD_BENCH_PACKAGES=$PACKAGES

run() {
  echo "== $1: $HOSTS stored inventories of $PACKAGES packages"
  go test ./internal/vuln/fleet/ -run XXX -bench . -benchtime 5x -timeout 120m | grep -E '^Benchmark|last import|stored [0-9]+ inventories of'
}

WARD_BENCH_DIR=$DIR run sqlite

if psql "$PGADMIN" -c "SELECT 1" >/dev/null 2>&1; then
  psql "$PGADMIN" -qc "CREATE DATABASE $PGDB" 2>/dev/null || true
  WARD_BENCH_DSN="${PGADMIN%/postgres*}/$PGDB?sslmode=disable" run postgres
  [ -n "${KEEP:-}" ] || psql "$PGADMIN" -qc "DROP DATABASE $PGDB"
else
  echo "== postgres: not reachable at $PGADMIN, skipped"
fi
[ -n "${KEEP:-}" ] || rm -rf "$DIR"
echo "machine: $(nproc) cores, $(grep 'model name' /proc/cpuinfo | head -1 | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM"

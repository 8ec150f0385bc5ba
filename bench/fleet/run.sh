#!/usr/bin/env bash
# Fleet benchmark: one real `ward server` process (bin/ward) with N simulated
# agents (bench/fleet/sim, ceil(N/5000) processes, one NATS connection per
# agent). Reports (a) server RSS and CPU over 60 s with N agents connected
# and idle, (b) the time for one fleet-wide inventory task until all N runs
# are done (inventories and findings stored), (c) the ingest rate during (b).
#
# Usage: bench/fleet/run.sh [N] [sqlite|postgres]
# Env:   TASK (inventory, or baseline: each sim host answers with a ~300-check
#        policy run and the findings of its failed checks; see bench/baseline/FLEET.md),
#        PER_SIM (agents per sim process, 5000), IDLE_SECS (60),
#        TASK_TIMEOUT (s, 900), ONLINE_TIMEOUT (s, 1200), KEEP=1 keeps the
#        data directory, SIM_FLAGS (extra sim flags, e.g. -scan-delay 30s),
#        PGURL (postgres://postgres@127.0.0.1:5432).
# Logs and the summary stay in the printed directory; everything else
# (server, sims, data, the PostgreSQL database) is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/usr/local/go/bin:$PATH"

N=${1:-1000}
DB=${2:-sqlite}
PER_SIM=${PER_SIM:-5000}
IDLE_SECS=${IDLE_SECS:-60}
TASK_TIMEOUT=${TASK_TIMEOUT:-900}
ONLINE_TIMEOUT=${ONLINE_TIMEOUT:-1200}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432}
TASK=${TASK:-inventory}
FINDINGS_PER_HOST=20 # bench/fleet/sim hostFindings
[ "$TASK" = baseline ] && FINDINGS_PER_HOST=60 # failed + errored checks of bench/fleet/sim baselineReport, on average (59.9)
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: N must be a positive number, got '$N'" >&2; exit 2; }
case $DB in sqlite | postgres) ;; *) echo "run.sh: database must be sqlite or postgres, got '$DB'" >&2; exit 2 ;; esac

for cmd in jq curl bc; do
  command -v $cmd >/dev/null || { echo "run.sh: $cmd is required (apt-get install $cmd)" >&2; exit 1; }
done
ulimit -n 20000 || { echo "run.sh: cannot raise the open-files limit to 20000 (hard limit $(ulimit -Hn))" >&2; exit 1; }

stamp=$(date +%Y%m%d-%H%M%S)
LOGS=/tmp/ward-bench-fleet-$stamp-$N-$DB
TMP=$(mktemp -d /tmp/ward-bench-fleet-data.XXXXXX)
mkdir -p "$LOGS"
DATA=$TMP/data
SERVER_PID="" SIM_PIDS=() PGDB=""
log() { echo "[$(date +%T)] $*" >&2; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for p in "${SIM_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${SIM_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$PGDB" ]; then
    psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1 ||
      echo "run.sh: could not drop database $PGDB" >&2
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "data kept in $TMP" >&2; else rm -rf "$TMP"; fi
  echo "logs: $LOGS" >&2
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# /proc readings. cpu_ticks PID...: utime+stime of the processes (and
# their reaped children) in clock ticks.
TCK=$(getconf CLK_TCK)
cpu_ticks() {
  local t=0 p
  for p in "$@"; do
    # An empty pid would read /proc//stat, i.e. the machine-wide /proc/stat.
    [ -n "$p" ] && [ -r "/proc/$p/stat" ] || continue
    t=$((t + $(awk '{sub(/^.*\) /, ""); print $12 + $13 + $14 + $15}' "/proc/$p/stat")))
  done
  echo $t
}
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
rss_kb() { local t=0 p; for p in "$@"; do [ -n "$p" ] && [ -r "/proc/$p/status" ] && t=$((t + $(status_kb "$p" VmRSS))); done; echo $t; }
mib() { echo $(($1 / 1024)); }
pg_pids() { [ "$DB" = postgres ] && pgrep -x postgres || true; }
# sys_busy: busy and total jiffies of the whole machine (/proc/stat).
sys_jiffies() { awk '/^cpu / {b=$2+$3+$4+$7+$8+$9; print b, b+$5+$6}' /proc/stat; }
pct() { echo "scale=1; 100 * ($1) / ($2)" | bc; }
alive() {
  kill -0 "$SERVER_PID" 2>/dev/null || { log "ward server exited; last log lines:"; tail -20 "$LOGS/server.log" >&2; exit 1; }
  local i
  for i in "${!SIM_PIDS[@]}"; do
    kill -0 "${SIM_PIDS[$i]}" 2>/dev/null || { log "sim $i exited; last log lines:"; tail -20 "$LOGS/sim$i.log" >&2; exit 1; }
  done
}

log "building bin/ward and the simulator"
make -s build >/dev/null
go build -o "$TMP/sim" ./bench/fleet/sim

PORT=$(free_port) NATS_PORT=$(free_port)
while [ "$NATS_PORT" = "$PORT" ]; do NATS_PORT=$(free_port); done
DSN_ARGS=()
if [ "$DB" = postgres ]; then
  PGDB=ward_bench_$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
  psql "$PGURL/postgres" -qc "CREATE DATABASE $PGDB" >/dev/null || { echo "run.sh: cannot create database $PGDB at $PGURL" >&2; PGDB=""; exit 1; }
  DSN_ARGS=(--db "$PGURL/$PGDB?sslmode=disable")
fi
log "starting ward server (https 127.0.0.1:$PORT, nats 127.0.0.1:$NATS_PORT, $DB)"
bin/ward server --data "$DATA" --listen "127.0.0.1:$PORT" --nats-listen "127.0.0.1:$NATS_PORT" "${DSN_ARGS[@]}" \
  >"$LOGS/server.out" 2>"$LOGS/server.log" &
SERVER_PID=$!
for _ in $(seq 100); do
  grep -q '^CA fingerprint:' "$LOGS/server.out" 2>/dev/null && [ -s "$DATA/admin.token" ] && break
  alive
  sleep 0.2
done
FP=$(awk '/^CA fingerprint:/ {print $3}' "$LOGS/server.out")
[ -n "$FP" ] || { log "ward server printed no CA fingerprint"; cat "$LOGS/server.out" "$LOGS/server.log" >&2; exit 1; }
export WARD_SERVER=https://127.0.0.1:$PORT WARD_TOKEN WARD_CA=$FP
WARD_TOKEN=$(cat "$DATA/admin.token")
CACERT=$DATA/pki/ca.crt
api() { curl -fsS --cacert "$CACERT" -H "Authorization: Bearer $WARD_TOKEN" "$WARD_SERVER/api/v1$1"; }

ENROLL_TOKEN=$(bin/ward enroll-token create --max-uses "$N" --ttl 24h --label bench=fleet --description "bench/fleet N=$N")
[[ $ENROLL_TOKEN == ward1.* ]] || { log "enroll-token create printed no token: $ENROLL_TOKEN"; exit 1; }

# Sims: ceil(N/PER_SIM) processes, agents spread evenly.
NSIM=$(((N + PER_SIM - 1) / PER_SIM))
PER=$(((N + NSIM - 1) / NSIM))
log "starting $NSIM sim process(es) for $N agents"
t_enroll0=$(date +%s.%N) start=$SECONDS
for i in $(seq 0 $((NSIM - 1))); do
  first=$((i * PER)) n=$((N - i * PER < PER ? N - i * PER : PER))
  # shellcheck disable=SC2086
  "$TMP/sim" -server "$WARD_SERVER" -token "$ENROLL_TOKEN" -n "$n" -first "$first" -dir "$TMP/agents" ${SIM_FLAGS:-} \
    >"$LOGS/sim$i.out" 2>"$LOGS/sim$i.log" &
  SIM_PIDS+=($!)
done
while :; do
  ready=0
  for i in $(seq 0 $((NSIM - 1))); do grep -q '^READY' "$LOGS/sim$i.out" 2>/dev/null && ready=$((ready + 1)); done
  [ $ready -eq "$NSIM" ] && break
  alive
  [ $((SECONDS - start)) -gt "$ONLINE_TIMEOUT" ] && { log "sims not ready within ${ONLINE_TIMEOUT}s"; exit 1; }
  sleep 2
done
t_ready=$(date +%s.%N)
log "all sims connected after $(echo "$t_ready - $t_enroll0" | bc | xargs printf %.1f) s; waiting for $N hosts online"
online() { bin/ward hosts --online --all --limit 1000 --json | jq -s '[.[].items | length] | add // 0'; }
while :; do
  on=$(online) || on=0 # a busy server may time out a page
  [ "$on" -ge "$N" ] && break
  alive
  [ $((SECONDS - start)) -gt "$ONLINE_TIMEOUT" ] && { log "only $on of $N hosts online within ${ONLINE_TIMEOUT}s"; exit 1; }
  sleep 3
done
t_online=$(date +%s.%N)
enroll_secs=$(echo "$t_online - $t_enroll0" | bc)
log "$N hosts online after $(printf %.1f "$enroll_secs") s"

# (a) idle: settle, then 60 s of CPU and memory.
sleep 10
mapfile -t PGP < <(pg_pids)
s0=$(cpu_ticks "$SERVER_PID") m0=$(cpu_ticks "${SIM_PIDS[@]}") p0=$(cpu_ticks "${PGP[@]}")
read -r b0 a0 < <(sys_jiffies)
log "measuring idle for ${IDLE_SECS}s"
sleep "$IDLE_SECS"
alive
mapfile -t PGP < <({ printf '%s\n' "${PGP[@]}"; pg_pids; } | sort -u) # backends started meanwhile (from 0)
s1=$(cpu_ticks "$SERVER_PID") m1=$(cpu_ticks "${SIM_PIDS[@]}") p1=$(cpu_ticks "${PGP[@]}")
read -r b1 a1 < <(sys_jiffies)
idle_cpu=$(pct "$s1 - $s0" "$TCK * $IDLE_SECS")
idle_sim_cpu=$(pct "$m1 - $m0" "$TCK * $IDLE_SECS")
idle_pg_cpu=$(pct "$p1 - $p0" "$TCK * $IDLE_SECS")
idle_sys=$(pct "$b1 - $b0" "$a1 - $a0")
# What else kept the machine busy (other users' jobs, this script's polls).
idle_other=$(pct "($b1 - $b0) - ($s1 - $s0) - ($m1 - $m0) - ($p1 - $p0)" "$TCK * $IDLE_SECS")
idle_rss=$(status_kb "$SERVER_PID" VmRSS) idle_hwm=$(status_kb "$SERVER_PID" VmHWM)
idle_sim_rss=$(rss_kb "${SIM_PIDS[@]}")
idle_thr=$(status_kb "$SERVER_PID" Threads)
idle_fds=$(ls "/proc/$SERVER_PID/fd" | wc -l)

# (b) one fleet-wide inventory task until every run is done.
mapfile -t PGP < <(pg_pids)
s0=$(cpu_ticks "$SERVER_PID") m0=$(cpu_ticks "${SIM_PIDS[@]}") p0=$(cpu_ticks "${PGP[@]}")
read -r b0 a0 < <(sys_jiffies)
t0=$(date +%s.%N)
TASK_ID=$(bin/ward tasks create --type "$TASK" --all --json | jq -r .id)
[[ $TASK_ID =~ ^[0-9]+$ ]] || { log "tasks create gave no task id"; exit 1; }
log "$TASK task $TASK_ID created for all hosts; waiting for $N runs to finish"
echo -e "secs\tqueued\trunning\tdone\tfailed\ttimeout\tserver_rss_kb" >"$LOGS/progress.tsv"
max_rss=0 last_log=0
while :; do
  runs=$(api "/tasks/$TASK_ID?limit=1" | jq -c '.runs // {}') || { alive; sleep 1; continue; }
  now=$(date +%s.%N)
  el=$(echo "$now - $t0" | bc) el_s=$(printf %.0f "$el")
  read -r q r d f to < <(jq -r '[.queued//0, .running//0, .done//0, .failed//0, .timeout//0] | @tsv' <<<"$runs")
  rss=$(status_kb "$SERVER_PID" VmRSS)
  [ "$rss" -gt "$max_rss" ] && max_rss=$rss
  echo -e "$el\t$q\t$r\t$d\t$f\t$to\t$rss" >>"$LOGS/progress.tsv"
  [ $((d + f + to)) -ge "$N" ] && break
  alive
  if [ "$el_s" -ge $((last_log + 15)) ]; then
    last_log=$el_s
    log "  ${last_log}s: queued $q running $r done $d failed $f; server RSS $(mib "$rss") MiB"
  fi
  if [ "$el_s" -ge "$TASK_TIMEOUT" ]; then
    log "task not finished within ${TASK_TIMEOUT}s: $d of $N done"
    break
  fi
  sleep 1
done
t1=$(date +%s.%N)
mapfile -t PGP < <({ printf '%s\n' "${PGP[@]}"; pg_pids; } | sort -u)
s1=$(cpu_ticks "$SERVER_PID") m1=$(cpu_ticks "${SIM_PIDS[@]}") p1=$(cpu_ticks "${PGP[@]}")
read -r b1 a1 < <(sys_jiffies)
task_secs=$(echo "$t1 - $t0" | bc)
task_cpu=$(pct "$s1 - $s0" "$TCK * $task_secs")
task_sim_cpu=$(pct "$m1 - $m0" "$TCK * $task_secs")
task_pg_cpu=$(pct "$p1 - $p0" "$TCK * $task_secs")
task_sys=$(pct "$b1 - $b0" "$a1 - $a0")
task_other=$(pct "($b1 - $b0) - ($s1 - $s0) - ($m1 - $m0) - ($p1 - $p0)" "$TCK * $task_secs")
task_hwm=$(status_kb "$SERVER_PID" VmHWM)
done_n=$d failed_n=$((f + to))

# (c) rates: over the whole task, and sustained between 10% and 90% done.
read -r t10 t90 < <(awk -F'\t' -v n="$N" 'NR > 1 {
    if (!a && $4 >= 0.1 * n) a = $1
    if (!b && $4 >= 0.9 * n) b = $1
  } END {print a + 0, b + 0}' "$LOGS/progress.tsv")
first_done=$(awk -F'\t' 'NR > 1 && $4 > 0 {print $1; exit}' "$LOGS/progress.tsv")
inv_rate=$(echo "scale=1; $done_n / $task_secs" | bc)
if [ "$(echo "$t90 > $t10" | bc)" = 1 ]; then
  sus_inv=$(echo "scale=1; 0.8 * $N / ($t90 - $t10)" | bc)
else
  sus_inv=$inv_rate
fi
sus_find=$(echo "scale=0; $sus_inv * $FINDINGS_PER_HOST / 1" | bc)
find_rate=$(echo "scale=0; $inv_rate * $FINDINGS_PER_HOST / 1" | bc)
with_inv=$(bin/ward hosts --all --limit 1000 --json | jq -s '[.[].items[] | select(.inventory_at != null)] | length')
if [ "$TASK" = baseline ]; then
  # What was stored, and how fast the views answer at this size.
  with_inv=$(bin/ward compliance policies --json | jq '[.items[].hosts] | add // 0')
  vt() { curl -fsS -o /dev/null -w '%{time_total}' --cacert "$CACERT" -H "Authorization: Bearer $WARD_TOKEN" "$WARD_SERVER/api/v1$1"; }
  t_items=$(vt "/baseline/items") t_item=$(vt "/baseline/items/sim-debian12-l2/1.1.1/hosts?limit=1000")
  t_hosts=$(vt "/baseline/hosts?limit=1000") t_host=$(vt "/baseline/hosts/1") t_below=$(vt "/baseline/hosts?below=60&limit=1000")
  n_items=$(api "/baseline/items" | jq '.items | length')
fi
for p in "${SIM_PIDS[@]}"; do kill -USR1 "$p" 2>/dev/null || true; done # sims print their counters

{
  echo "Ward fleet benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), store $DB, $N agents in $NSIM sim process(es)"
  printf '%-44s %s\n' "enroll + connect + online ($N agents)" "$(printf %.1f "$enroll_secs") s"
  printf '%-44s %s\n' "(a) idle ${IDLE_SECS}s: server VmRSS / VmHWM" "$(mib "$idle_rss") MiB / $(mib "$idle_hwm") MiB ($idle_thr threads, $idle_fds fds)"
  printf '%-44s %s\n' "(a) idle: server CPU (100% = one core)" "${idle_cpu}%"
  printf '%-44s %s\n' "(a) idle: sims CPU / RSS; postgres CPU" "${idle_sim_cpu}% / $(mib "$idle_sim_rss") MiB; ${idle_pg_cpu}%"
  printf '%-44s %s\n' "(a) idle: whole machine busy" "${idle_sys}% of $(nproc) CPUs (other processes: ${idle_other}% of a core)"
  printf '%-44s %s\n' "(b) $TASK task: all runs finished" "$(printf %.1f "$task_secs") s (first done at $(printf %.1f "${first_done:-0}") s; $done_n done, $failed_n failed/timeout)"
  printf '%-44s %s\n' "(b) server CPU during task" "${task_cpu}%"
  printf '%-44s %s\n' "(b) sims CPU; postgres CPU during task" "${task_sim_cpu}%; ${task_pg_cpu}%"
  printf '%-44s %s\n' "(b) whole machine busy during task" "${task_sys}% of $(nproc) CPUs (other processes: ${task_other}% of a core)"
  printf '%-44s %s\n' "(b) server peak RSS during task / VmHWM" "$(mib "$max_rss") MiB / $(mib "$task_hwm") MiB"
  printf '%-44s %s\n' "(b) hosts with $([ "$TASK" = baseline ] && echo "baseline results" || echo "an inventory") stored" "$with_inv of $N"
  if [ "$TASK" = baseline ]; then
    printf '%-44s %s\n' "(d) views: items ($n_items checks) / one item's hosts" "${t_items} s / ${t_item} s"
    printf '%-44s %s\n' "(d) views: hosts page / below 60 / one host" "${t_hosts} s / ${t_below} s / ${t_host} s"
  fi
  printf '%-44s %s\n' "(c) ingest, sustained (10%→90% done)" "$sus_inv inventories/s, $sus_find findings/s"
  printf '%-44s %s\n' "(c) ingest, whole task" "$inv_rate inventories/s, $find_rate findings/s"
} | tee "$LOGS/summary.txt"
sleep 1
for i in "${!SIM_PIDS[@]}"; do echo "sim $i: $(grep -o 'connected=.*' "$LOGS/sim$i.log" | tail -1)" >>"$LOGS/summary.txt"; done

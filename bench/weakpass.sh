#!/usr/bin/env bash
# Weak-password cracking benchmark: Ward's cracker vs John the Ripper
# (Debian john 1.9, --format=crypt, i.e. libxcrypt's crypt_r) on the same
# input: a generated shadow file (yescrypt + sha512crypt, a few weak) and
# the SecLists 10k list, both run to completion on all cores, same run.
# Then per-format hashes/s on one core (CPU time) for Ward vs libxcrypt.
# Results go to bench/out/weakpass/; figures are copied into
# bench/weakpass/RESULTS.md by hand. Needs: mkpasswd (whois), john, gcc,
# libcrypt-dev, openssl.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin:/usr/sbin

OUT=${OUT:-bench/out/weakpass}
LIST=${LIST:-../shared/testdata/passwords/10k-most-common.txt}
YS_WEAK=${YS_WEAK:-2} YS_STRONG=${YS_STRONG:-2}
SHA_WEAK=${SHA_WEAK:-4} SHA_STRONG=${SHA_STRONG:-12}
RATE_SECONDS=${RATE_SECONDS:-5}
CORES=$(nproc)

for tool in mkpasswd john gcc openssl go; do
  command -v "$tool" >/dev/null || { echo "weakpass bench: $tool not found (apt-get install whois john gcc libcrypt-dev openssl)" >&2; exit 1; }
done
[ -r "$LIST" ] || { echo "weakpass bench: word list $LIST not readable" >&2; exit 1; }

rm -rf "$OUT"; mkdir -p "$OUT"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
tr -d '\r' < "$LIST" > "$OUT/wordlist.txt"   # same LF list for both tools
mapfile -t WORDS < "$OUT/wordlist.txt"

# Shadow: weak passwords taken from spread positions of the list, strong
# ones random (never in the list).
shadow=$OUT/shadow
: > "$shadow"
n=0
add() { # user method password
  local h
  h=$(printf '%s\n' "$3" | mkpasswd -s -m "$2")
  printf '%s:%s:19700:0:99999:7:::\n' "$1" "$h" >> "$shadow"
}
weakpos=(${WEAKPOS:-10 2000 300 5000 9000 60 7000 4000})
k=0
for i in $(seq "$YS_WEAK"); do add "yweak$i" yescrypt "${WORDS[${weakpos[k++ % 8]}]}"; done
for i in $(seq "$SHA_WEAK"); do add "sweak$i" sha512crypt "${WORDS[${weakpos[k++ % 8]}]}"; done
for i in $(seq "$YS_STRONG"); do add "ystrong$i" yescrypt "$(openssl rand -base64 15)"; done
for i in $(seq "$SHA_STRONG"); do add "sstrong$i" sha512crypt "$(openssl rand -base64 15)"; done
accounts=$(wc -l < "$shadow")

go build -o "$OUT/ward-bench" ./bench/weakpass/cmd
gcc -O2 -o "$OUT/crypt_rate" bench/weakpass/crypt_rate.c -lcrypt

# Wall and CPU time (user+sys, children included: john's --fork
# processes) of one command; the machine may be shared, so CPU time is
# reported next to wall time.
TIMEFORMAT='%R %U %S'
# John: all cores with --fork. Debian's john.conf sets "Idle = Y" (john
# renices itself to 19, running on otherwise idle cycles only), which on
# a shared machine would starve it: the script puts john and its forks
# back to priority 0 while it runs, like Ward. A private HOME keeps the
# session files apart.
jhome=$(realpath "$OUT")/john-home
mkdir -p "$jhome"
john_run() {
  HOME=$jhome john --format=crypt --wordlist="$OUT/wordlist.txt" --fork="$CORES" \
    --session="$jhome/bench" "$shadow" > "$OUT/john.log" 2>&1 &
  local jpid=$!
  while kill -0 "$jpid" 2>/dev/null; do
    renice -n 0 -p "$jpid" $(pgrep -P "$jpid") > /dev/null 2>&1 || true
    sleep 0.5
  done
  wait "$jpid"
}
{ time john_run ; } 2> "$OUT/john.time"
HOME=$jhome john --show --format=crypt "$shadow" 2>/dev/null \
  | awk -F: 'NF>2 {print $1":"$2}' | sort > "$OUT/john.cracked"
read -r john_s john_u john_sy < "$OUT/john.time"
john_cpu=$(echo "$john_u + $john_sy" | bc)

# Ward: all cores (GOMAXPROCS), the same list, no built-in lists or
# mutations (the same candidates as john; plus the empty password).
{ time "$OUT/ward-bench" crack -shadow "$shadow" -wordlist "$OUT/wordlist.txt" > "$OUT/ward.cracked.raw" 2> "$OUT/ward.log" ; } 2> "$OUT/ward.time"
sort "$OUT/ward.cracked.raw" > "$OUT/ward.cracked"
read -r ward_s ward_u ward_sy < "$OUT/ward.time"
ward_cpu=$(echo "$ward_u + $ward_sy" | bc)

same=yes
cmp -s "$OUT/john.cracked" "$OUT/ward.cracked" || same=no

{
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $CORES cores, $(uname -r), load before: $load_before"
  echo "john: $(john 2>&1 | head -1)"
  echo "shadow: $accounts accounts (yescrypt $YS_WEAK weak + $YS_STRONG strong, sha512crypt $SHA_WEAK weak + $SHA_STRONG strong), word list $(wc -l < "$OUT/wordlist.txt") words"
  echo "john  wall ${john_s}s cpu ${john_cpu}s, cracked $(wc -l < "$OUT/john.cracked")"
  echo "ward  wall ${ward_s}s cpu ${ward_cpu}s, cracked $(wc -l < "$OUT/ward.cracked")  ($(cat "$OUT/ward.log"))"
  echo "ratio ward/john: wall $(echo "scale=3; $ward_s / $john_s" | bc), cpu $(echo "scale=3; $ward_cpu / $john_cpu" | bc)"
  echo "same cracked set: $same"
  echo
  echo "per-format hashes/s on one core (CPU time, ${RATE_SECONDS}s each): format libxcrypt ward ratio"
} | tee "$OUT/summary.txt"

rate() { # name hash
  local c g
  c=$("$OUT/crypt_rate" "$2" "$RATE_SECONDS" | awk '{print $3}')
  g=$(GOMAXPROCS=1 "$OUT/ward-bench" rate -hash "$2" -seconds "$RATE_SECONDS" | awk '{print $3}')
  echo "$1 $c $g $(echo "scale=2; $g / $c" | bc)" | tee -a "$OUT/summary.txt"
}
rate yescrypt "$(printf 'x\n' | mkpasswd -s -m yescrypt)"
rate sha512crypt "$(printf 'x\n' | mkpasswd -s -m sha512crypt)"
rate sha256crypt "$(printf 'x\n' | mkpasswd -s -m sha256crypt)"
rate md5crypt "$(printf 'x\n' | mkpasswd -s -m md5crypt)"
rate descrypt "$(printf 'x\n' | mkpasswd -s -m descrypt)"
rate bcrypt-5 "$(printf 'x\n' | mkpasswd -s -m bcrypt -R 5)"
rate scrypt "$(printf 'x\n' | mkpasswd -s -m scrypt)"

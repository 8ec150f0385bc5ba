#!/usr/bin/env bash
# Installs what building and testing Ward needs on a fresh Debian 12 (as root).
# Idempotent: installs only what is missing, so repeated runs are quick.
set -euo pipefail

need_pkgs=()
want() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed || need_pkgs+=("$1"); }

# Tools the tests call to cross-check Ward against the system's own view:
# ss (iproute2), ssh-keygen (openssh-client), getent (libc-bin), dpkg-query.
want ca-certificates
want git
want make
want iproute2
want openssh-client
want procps
# weakpass: the hash engine's tests cross-check crypt(3) hashes made by
# mkpasswd (whois, libxcrypt) and openssl passwd.
want whois
want openssl
# Malware: libyara (cgo engine, static libs for `make build`), the yara
# and clamscan peers of bench/malware.sh, and real web applications whose
# installed trees are the benign corpus of the malware tests.
want gcc
want pkg-config
want libyara-dev
want libjansson-dev
want libssl-dev
want libmagic-dev
want zlib1g-dev
want liblzma-dev
want libbz2-dev
want yara
want clamav
want wordpress
want phpmyadmin
want tomcat10-examples
command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ] || want golang-go

if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${need_pkgs[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "setup: installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# Integration tests use the machine's PostgreSQL (127.0.0.1:5432, trust) and
# NATS with JetStream (127.0.0.1:4222) when present; start them if stopped.
# They skip with a message where the services are not installed.
if command -v pg_lsclusters >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  pg_lsclusters -h 2>/dev/null | while read -r ver name _port status _; do
    [ "$status" = online ] || pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || true
  done
fi
if [ -x /usr/sbin/nats-server ] && [ "$(id -u)" -eq 0 ] && ! (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null; then
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || true
fi

# Debian's golang-go is older than go.mod asks for; with GOTOOLCHAIN=auto
# (the default) the go command fetches the pinned toolchain through the
# module proxy on first use.
export PATH="/usr/local/go/bin:$PATH"
go version >/dev/null
go mod download

#!/usr/bin/env bash
# Copies the parts of /proc/<pid> that Ward's live collectors read into a
# fixture tree: capture-proc.sh OUT PID... (run as root on a real host).
# Regular files are copied byte for byte; exe, cwd and fd/* are recreated as
# symlinks with the kernel's link text (environ, mem, maps are never copied).
set -euo pipefail
out=$1; shift
mkdir -p "$out"
for pid in "$@"; do
  src=/proc/$pid dst=$out/$pid
  [ -d "$src" ] || { echo "no pid $pid" >&2; continue; }
  mkdir -p "$dst"
  for f in stat status cmdline comm cgroup; do
    cat "$src/$f" > "$dst/$f" 2>/dev/null || echo "skip $src/$f" >&2
  done
  for l in exe cwd; do
    t=$(readlink "$src/$l" 2>/dev/null) && ln -sfn "$t" "$dst/$l" || echo "skip $src/$l" >&2
  done
  if ls "$src/fd" >/dev/null 2>&1; then
    mkdir -p "$dst/fd"
    for fd in "$src"/fd/*; do
      t=$(readlink "$fd" 2>/dev/null) && ln -sfn "$t" "$dst/fd/$(basename "$fd")" || true
    done
  fi
done

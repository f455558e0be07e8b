#!/usr/bin/env bash
# Builds the C examples of the drop-in API with -Wall -Werror against
# include/rocketmq/*.h and -lrocketmq, then runs them against a local broker.
# Usage: examples-c/compat/run.sh [libdir]   (default: $CARGO_TARGET_DIR or target, /release)
# NAMESRV_ADDR defaults to 127.0.0.1:9876.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
libdir="${1:-${CARGO_TARGET_DIR:-$repo/target}/release}"
namesrv="${NAMESRV_ADDR:-127.0.0.1:9876}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
[ -f "$libdir/librocketmq.so" ] || { echo "no librocketmq.so in $libdir (cargo build --release)" >&2; exit 2; }
# A private copy, also under its SONAME (what the programs will look for at run time).
mkdir "$out/lib"
cp "$libdir/librocketmq.so" "$out/lib/"
soname="$(objdump -p "$out/lib/librocketmq.so" | awk '$1 == "SONAME" {print $2}')"
[ -z "$soname" ] || [ "$soname" = librocketmq.so ] || ln -s librocketmq.so "$out/lib/$soname"
libdir="$out/lib"

progs="producer_sync producer_async producer_oneway producer_orderly producer_batch producer_transaction push_consumer pull_consumer"
for p in $progs; do
  ${CC:-cc} -std=c99 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I"$repo/include" \
    "$here/$p.c" -L"$libdir" -lrocketmq -lpthread -o "$out/$p"
done
echo "built: $progs"

run="$(date +%s)_$$"
pass=0; fail=0
# name, program, extra arguments
cases="producer_sync:producer_sync: producer_async:producer_async: producer_oneway:producer_oneway:
producer_orderly:producer_orderly: producer_batch:producer_batch: producer_transaction:producer_transaction:
push_consumer:push_consumer: push_consumer_orderly:push_consumer:20,orderly pull_consumer:pull_consumer:"
for c in $cases; do
  name="${c%%:*}"; rest="${c#*:}"; p="${rest%%:*}"; extra="${rest#*:}"
  topic="compat_c_${name}_$run"
  group="compat_c_${name}_group_$run"
  echo "== $name ($topic)"
  # shellcheck disable=SC2086
  if LD_LIBRARY_PATH="$libdir" timeout 180 "$out/$p" "$namesrv" "$topic" "$group" ${extra//,/ }; then
    pass=$((pass + 1)); echo "== $name: PASS"
  else
    fail=$((fail + 1)); echo "== $name: FAIL"
  fi
done
echo "C examples (drop-in API): $pass passed, $fail failed"
[ "$fail" -eq 0 ]

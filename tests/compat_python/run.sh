#!/usr/bin/env bash
# Runs our pytest tests against the OFFICIAL rocketmq-client-python 2.0.0 from
# PyPI, unmodified, loading librocketmq by the package's own rules: it has no
# bundled library, so it calls ctypes.util.find_library('rocketmq'), which
# (with LD_LIBRARY_PATH set and no system copy) runs `ld -t -L<dir> -lrocketmq`,
# reads the ELF SONAME and dlopen()s that name through LD_LIBRARY_PATH.
#
# Usage: tests/compat_python/run.sh [pytest args...]
# Environment: NAMESRV_ADDR (default 127.0.0.1:9876), COMPAT_VENV (default
# <target>/compat-python-venv), CARGO_TARGET_DIR, COMPAT_SKIP_BUILD=1 with
# COMPAT_LIB=<path to librocketmq.so> to use an existing build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
venv="${COMPAT_VENV:-$target/compat-python-venv}"

if [ "${COMPAT_SKIP_BUILD:-0}" != 1 ]; then
  (cd "$repo" && cargo build --release --lib)
fi
lib="${COMPAT_LIB:-$target/release/librocketmq.so}"

# A private directory holding only the library (named after its SONAME too).
libdir="$(mktemp -d)"
trap 'rm -rf "$libdir"' EXIT
cp "$lib" "$libdir/librocketmq.so"
soname="$(objdump -p "$libdir/librocketmq.so" | awk '$1 == "SONAME" {print $2}')"
[ -n "$soname" ] || { echo "librocketmq.so has no SONAME: find_library cannot find it" >&2; exit 2; }
[ "$soname" = librocketmq.so ] || ln -s librocketmq.so "$libdir/$soname"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import importlib.metadata as m; assert m.version("rocketmq-client-python") == "2.0.0"; import pytest' 2>/dev/null; then
  "$venv/bin/pip" install -q 'rocketmq-client-python==2.0.0' pytest
fi
# The package as installed from PyPI must not bundle a library of its own.
pkg="$("$venv/bin/python" -c 'import importlib.util as u; import os; print(os.path.dirname(u.find_spec("rocketmq").origin))')"
if [ -e "$pkg/librocketmq.so" ]; then
  echo "the installed package bundles $pkg/librocketmq.so, which would shadow ours" >&2
  exit 2
fi

export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export NAMESRV_ADDR="${NAMESRV_ADDR:-127.0.0.1:9876}"
export COMPAT_RUN_ID="${COMPAT_RUN_ID:-$(date +%s)_$$}"
cd "$here"
"$venv/bin/python" -m pytest -v -p no:cacheprovider "$@"

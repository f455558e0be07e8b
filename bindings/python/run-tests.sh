#!/usr/bin/env bash
# Tests the Python binding the way a user installs it: creates a virtualenv, builds the
# release library with cargo, installs the package into the virtualenv with pip (which
# bundles the library in rocketmq/lib/), then runs pytest against the local RocketMQ
# (ROCKETMQ_NAMESRV, default 127.0.0.1:9876) and prints pytest's summary.
#
# Environment: PYTHON (python3), VENV (bindings/python/.venv), CARGO_TARGET_DIR,
# ROCKETMQ_NAMESRV, PYTEST_ARGS (extra pytest arguments, e.g. "-k producer").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${VENV:-$here/.venv}
python=${PYTHON:-python3}

if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv"
    "$python" -m venv "$venv"
fi
echo "== installing pytest"
"$venv/bin/python" -m pip install -q --disable-pip-version-check pytest pytest-timeout

echo "== building librocketmq (cargo build --release) and bundling it"
"$venv/bin/python" "$here/build_lib.py"

echo "== pip install $here"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$here"
# Import from the installed package, never from the source tree.
unset ROCKETMQ_LIBRARY PYTHONPATH
installed=$(cd / && "$venv/bin/python" -c 'import rocketmq; print(rocketmq.LIBRARY_PATH, rocketmq.library_version)')
echo "== using $installed"

echo "== pytest"
cd "$here/tests"
# shellcheck disable=SC2086
"$venv/bin/pytest" -c "$here/pyproject.toml" --rootdir "$here" -q -rfE -p no:cacheprovider ${PYTEST_ARGS:-} "$here/tests"

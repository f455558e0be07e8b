#!/usr/bin/env python3
"""Builds librocketmq with cargo and copies it into the package (rocketmq/lib/librocketmq.so).

    python bindings/python/build_lib.py            # cargo build --release, copy, strip debug info
    python bindings/python/build_lib.py --from PATH  # copy an already built librocketmq.so

`pip install ./bindings/python` runs this itself (see setup.py) unless the package already
holds a library or ROCKETMQ_BUILD_LIBRARY names one. Honours CARGO_TARGET_DIR and CARGO.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LIB_NAME = "librocketmq.dylib" if sys.platform == "darwin" else "librocketmq.so"
DEST_DIR = os.path.join(HERE, "rocketmq", "lib")
# A symbol only the native API has: tells our library from others of the same name.
_MARKER = "rmq_version_number"


def _target_dir() -> str:
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")


def _has_marker(path: str) -> bool:
    probe = "import ctypes,sys; getattr(ctypes.CDLL(sys.argv[1]), %r)" % _MARKER
    return subprocess.run([sys.executable, "-c", probe, path], capture_output=True).returncode == 0


def _copy(src: str, dest_dir: str) -> str:
    os.makedirs(dest_dir, exist_ok=True)
    dest = os.path.join(dest_dir, LIB_NAME)
    fd, tmp = tempfile.mkstemp(dir=dest_dir, prefix=".librocketmq.")
    os.close(fd)
    shutil.copyfile(src, tmp)
    strip = shutil.which("strip")
    if strip and sys.platform.startswith("linux"):
        # Debug info is most of the file; symbols stay.
        subprocess.run([strip, "--strip-debug", tmp], check=False)
    os.chmod(tmp, 0o755)
    if not _has_marker(tmp):
        os.unlink(tmp)
        raise RuntimeError("%s is not librocketmq's native API (no %s)" % (src, _MARKER))
    os.replace(tmp, dest)
    return dest


def build(dest_dir: str = DEST_DIR, attempts: int = 3) -> str:
    """Builds the release library and copies it to ``dest_dir``; returns the copy's path."""
    if not os.path.exists(os.path.join(REPO, "Cargo.toml")):
        raise RuntimeError("no Cargo.toml at %s: build the library elsewhere and use --from" % REPO)
    cargo = os.environ.get("CARGO", "cargo")
    built = os.path.join(_target_dir(), "release", LIB_NAME)
    last: Exception = RuntimeError("not built")
    for _ in range(attempts):
        subprocess.run([cargo, "build", "--release", "--lib"], cwd=REPO, check=True)
        try:
            return _copy(built, dest_dir)
        except RuntimeError as e:
            # Another checkout sharing CARGO_TARGET_DIR replaced the file meanwhile: build again.
            last = e
            subprocess.run(["touch", os.path.join(REPO, "src", "lib.rs")], check=False)
    raise last


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--from", dest="src", help="copy this librocketmq.so instead of building")
    ap.add_argument("--dest", default=DEST_DIR, help="where to put it (default: %(default)s)")
    args = ap.parse_args()
    path = _copy(args.src, args.dest) if args.src else build(args.dest)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

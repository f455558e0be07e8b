"""Build hooks: bundle librocketmq into the package and tag wheels per platform.

The library comes from, in order: ROCKETMQ_BUILD_LIBRARY (a path to a built
librocketmq.so), a copy already in rocketmq/lib/ (an sdist, or `python build_lib.py`),
or a `cargo build --release` of the repository this directory belongs to.
"""

import os
import sys

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_lib  # noqa: E402


class BuildPyWithLibrary(build_py):
    def run(self):
        super().run()
        dest = os.path.join(self.build_lib, "rocketmq", "lib")
        bundled = os.path.join(build_lib.DEST_DIR, build_lib.LIB_NAME)
        given = os.environ.get("ROCKETMQ_BUILD_LIBRARY")
        if given:
            build_lib._copy(given, dest)
        elif os.path.exists(bundled):
            build_lib._copy(bundled, dest)
        else:
            build_lib.build(dest)


cmdclass = {"build_py": BuildPyWithLibrary}

try:
    try:
        from setuptools.command.bdist_wheel import bdist_wheel
    except ImportError:
        from wheel.bdist_wheel import bdist_wheel

    class PlatformWheel(bdist_wheel):
        """py3-none-<platform>: the library is loaded with ctypes, so any CPython 3 fits."""

        def get_tag(self):
            _, _, plat = super().get_tag()
            return "py3", "none", plat

    cmdclass["bdist_wheel"] = PlatformWheel
except ImportError:  # no wheel support: sdists and legacy installs still work
    pass

class BinaryDistribution(Distribution):
    """Holds a native library: platform-specific wheels, installed into platlib."""

    def has_ext_modules(self):
        return True


setup(cmdclass=cmdclass, distclass=BinaryDistribution)

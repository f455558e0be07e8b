"""The official package loads librocketmq through its own rules."""
import ctypes.util
import os

import rocketmq.ffi


def test_package_is_unmodified_and_finds_our_library():
    pkg_dir = os.path.dirname(rocketmq.ffi.__file__)
    # No bundled library: the package falls back to ctypes.util.find_library('rocketmq').
    assert not os.path.exists(os.path.join(pkg_dir, 'librocketmq.so'))
    # find_library answers with the library's SONAME, which dlopen resolves
    # through LD_LIBRARY_PATH.
    found = ctypes.util.find_library('rocketmq')
    assert found is not None and found.startswith('librocketmq.so')
    assert rocketmq.ffi._DYLIB_PATH == found
    # The library loaded is librocketmq (it also has the native API).
    version = rocketmq.ffi.dll.rmq_version
    version.restype = ctypes.c_char_p
    assert version().decode().count('.') == 2


def test_last_error_is_empty_text_before_any_failure():
    import threading
    out = []
    t = threading.Thread(target=lambda: out.append(rocketmq.ffi.dll.GetLatestErrorMessage()))
    t.start()
    t.join()
    assert out == [b'']

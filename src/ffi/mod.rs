//! The C ABI (`include/rocketmq.h`). The only module allowed to use `unsafe`.
#![allow(unsafe_code)]

/// cbindgen:ignore
pub mod compat;

use std::ffi::c_char;

/// The library version as a static NUL-terminated string ("MAJOR.MINOR.PATCH").
/// Never NULL; the string lives as long as the library is loaded.
#[no_mangle]
pub extern "C" fn rmq_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

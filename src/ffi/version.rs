//! The library version.

use std::ffi::c_char;

use super::boundary::infallible;

/// The library version as a static NUL-terminated string ("MAJOR.MINOR.PATCH").
/// Never NULL; the string lives as long as the library is loaded.
#[no_mangle]
pub extern "C" fn rmq_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The library version as a number, `MAJOR << 16 | MINOR << 8 | PATCH`, the
/// same packing as `RMQ_VERSION_NUMBER` (compare the two to catch a header
/// that does not match the library).
#[no_mangle]
pub extern "C" fn rmq_version_number() -> u32 {
    infallible(0, || {
        let part = |s: &str| s.parse::<u32>().unwrap_or(0);
        (part(env!("CARGO_PKG_VERSION_MAJOR")) << 16)
            | (part(env!("CARGO_PKG_VERSION_MINOR")) << 8)
            | part(env!("CARGO_PKG_VERSION_PATCH"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_macros_match_the_crate_version() {
        let header = include_str!("../../include/rocketmq.h");
        let major: u32 = env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap();
        let minor: u32 = env!("CARGO_PKG_VERSION_MINOR").parse().unwrap();
        let patch: u32 = env!("CARGO_PKG_VERSION_PATCH").parse().unwrap();
        assert!(header.contains(&format!("#define RMQ_VERSION_MAJOR {major}\n")));
        assert!(header.contains(&format!("#define RMQ_VERSION_MINOR {minor}\n")));
        assert!(header.contains(&format!("#define RMQ_VERSION_PATCH {patch}\n")));
        assert_eq!(rmq_version_number(), (major << 16) | (minor << 8) | patch);
        let s = unsafe { std::ffi::CStr::from_ptr(rmq_version()) };
        assert_eq!(s.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}

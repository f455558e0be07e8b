//! The panic boundary and the checked conversions of C arguments. Every
//! `extern "C"` body goes through [`fallible`] or [`infallible`]; pointer
//! arguments go through the `arg_*` helpers, which turn NULL and invalid
//! UTF-8 into errors.

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::error::{rmq_err_t, rmq_error_t, FfiResult};

/// Runs `f` inside the panic boundary; an error or a panic becomes an owned
/// `rmq_error_t *`, success NULL.
pub(crate) fn fallible(f: impl FnOnce() -> FfiResult<()>) -> *mut rmq_error_t {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => std::ptr::null_mut(),
        Ok(Err(e)) => Box::into_raw(e),
        Err(_) => {
            crate::log::error("ffi", format_args!("a call of the C API panicked"));
            Box::into_raw(rmq_error_t::panicked())
        }
    }
}

/// Runs `f` inside the panic boundary; a panic returns `default`.
pub(crate) fn infallible<R>(default: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => {
            crate::log::error("ffi", format_args!("a call of the C API panicked"));
            default
        }
    }
}

/// `p` as a shared reference, or a NULL-argument error naming `name`.
///
/// # Safety
/// `p` is NULL or points to a live `T` for `'a`.
pub(crate) unsafe fn arg_ref<'a, T>(p: *const T, name: &str) -> FfiResult<&'a T> {
    p.as_ref().ok_or_else(|| rmq_error_t::null_arg(name))
}

/// `p` as an exclusive reference, or a NULL-argument error naming `name`.
///
/// # Safety
/// `p` is NULL or points to a live `T` that nothing else uses for `'a`.
pub(crate) unsafe fn arg_mut<'a, T>(p: *mut T, name: &str) -> FfiResult<&'a mut T> {
    p.as_mut().ok_or_else(|| rmq_error_t::null_arg(name))
}

/// A NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that lives for `'a`.
pub(crate) unsafe fn arg_str<'a>(p: *const c_char, name: &str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(rmq_error_t::null_arg(name));
    }
    CStr::from_ptr(p).to_str().map_err(|_| {
        rmq_error_t::new(
            rmq_err_t::RMQ_ERR_INVALID_ARG,
            format!("{name} is not valid UTF-8"),
        )
    })
}

/// A byte buffer argument: NULL with length 0 is empty.
///
/// # Safety
/// `p` is NULL or points to `len` readable bytes that live for `'a`.
pub(crate) unsafe fn arg_bytes<'a>(p: *const u8, len: usize, name: &str) -> FfiResult<&'a [u8]> {
    if p.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(rmq_error_t::null_arg(name));
    }
    Ok(std::slice::from_raw_parts(p, len))
}

/// Checks that an output pointer is not NULL (before any work is done).
pub(crate) fn check_out<T>(out: *mut *mut T, name: &str) -> FfiResult<()> {
    if out.is_null() {
        Err(rmq_error_t::null_arg(name))
    } else {
        Ok(())
    }
}

/// Writes an owned object to a checked output pointer.
///
/// # Safety
/// `out` was checked with [`check_out`] and points to writable memory.
pub(crate) unsafe fn write_out<T>(out: *mut *mut T, value: Box<T>) {
    *out = Box::into_raw(value);
}

/// Frees an object made by `Box::into_raw`; NULL is a no-op.
///
/// # Safety
/// `p` is NULL or came from `Box::into_raw` of a `Box<T>` and is not used again.
pub(crate) unsafe fn free_box<T>(p: *mut T) {
    if !p.is_null() {
        drop(Box::from_raw(p));
    }
}

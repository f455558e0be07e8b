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

/// Checks the outputs of a call that returns an array: the array pointer
/// `out` (named `name` in the error) and its length `count`.
pub(crate) fn check_array_out<T>(out: *mut *mut T, name: &str, count: *mut usize) -> FfiResult<()> {
    check_out(out, name)?;
    if count.is_null() {
        Err(rmq_error_t::null_arg("count"))
    } else {
        Ok(())
    }
}

/// `items` as an owned C array (a boxed slice) and its length; free it with
/// [`free_array`]. An empty array is a non-NULL pointer with length 0.
pub(crate) fn into_c_array<T>(items: Vec<T>) -> (*mut T, usize) {
    let all: Box<[T]> = items.into_boxed_slice();
    let n = all.len();
    (Box::into_raw(all).cast::<T>(), n)
}

/// Writes `items` as an owned C array to `*out` and its length to `*count`.
///
/// # Safety
/// `out` and `count` were checked with [`check_array_out`] and point to
/// writable memory.
pub(crate) unsafe fn write_array<T>(items: Vec<T>, out: *mut *mut T, count: *mut usize) {
    let (arr, n) = into_c_array(items);
    *out = arr;
    *count = n;
}

/// Frees an array from [`into_c_array`] of `count` elements after passing
/// each element to `free_item`. NULL is a no-op.
///
/// # Safety
/// `arr` is NULL or came from [`into_c_array`] with this length, and is not
/// used again.
pub(crate) unsafe fn free_array<T: Copy>(arr: *mut T, count: usize, free_item: impl FnMut(T)) {
    if arr.is_null() {
        return;
    }
    let all = Box::from_raw(std::ptr::slice_from_raw_parts_mut(arr, count));
    all.iter().copied().for_each(free_item);
}

/// Frees an array of owned objects (each made by `Box::into_raw`), and the
/// objects. NULL is a no-op.
///
/// # Safety
/// `arr` is NULL or came from [`into_c_array`] with this length; each
/// element is NULL or an owned object; none is used again.
pub(crate) unsafe fn free_boxes<T>(arr: *mut *mut T, count: usize) {
    // SAFETY: each element is NULL or an owned object of that array
    // (this function's contract).
    free_array(arr, count, |p| unsafe { free_box(p) });
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

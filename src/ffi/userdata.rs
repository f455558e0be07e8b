//! The user's `void *user_data` with its optional finalizer.

use std::ffi::c_void;

/// A finalizer for user data: called exactly once when the library is done with it.
#[allow(non_camel_case_types)]
pub type rmq_free_cb = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// User data the library keeps; the finalizer runs when it is dropped.
pub(crate) struct UserData {
    ptr: *mut c_void,
    free: rmq_free_cb,
}

// SAFETY: the header says user data handed to the library may be used and
// finalized on the library's threads; the library never dereferences it.
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

impl UserData {
    pub(crate) fn new(ptr: *mut c_void, free: rmq_free_cb) -> UserData {
        UserData { ptr, free }
    }

    pub(crate) fn ptr(&self) -> *mut c_void {
        self.ptr
    }

    /// Gives the data back to the caller: the finalizer will not run.
    pub(crate) fn disarm(mut self) {
        self.free = None;
    }
}

impl Drop for UserData {
    fn drop(&mut self) {
        if let Some(free) = self.free.take() {
            // SAFETY: the caller gave us this finalizer for this pointer.
            unsafe { free(self.ptr) }
        }
    }
}

/// A raw pointer the library carries across a `Send` bound without touching
/// it; used only for pointers whose documented lifetime covers the use.
pub(crate) struct SendPtr<T>(pub(crate) *const T);

impl<T> SendPtr<T> {
    /// The pointer (a method, so closures capture the whole `SendPtr`).
    pub(crate) fn get(&self) -> *const T {
        self.0
    }
}

// SAFETY: only used for pointers the header documents as valid (and not used
// concurrently) for the duration of the call that carries them.
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}

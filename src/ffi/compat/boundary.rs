//! Panic boundary, the thread-local last error, and argument helpers.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `msg` as the calling thread's last error.
pub(crate) fn set_error(msg: impl AsRef<str>) {
    let text = msg.as_ref().replace('\0', " ");
    let c = CString::new(text).unwrap_or_default();
    let _ = LAST_ERROR.try_with(|e| *e.borrow_mut() = c);
}

/// The calling thread's last error; `""` before the first one. The pointer
/// stays valid until the next error is recorded on this thread.
pub(crate) fn last_error() -> *const c_char {
    static EMPTY: &CStr = c"";
    LAST_ERROR
        .try_with(|e| e.borrow().as_ptr())
        .unwrap_or(EMPTY.as_ptr())
}

/// Records `msg` and returns `code`.
pub(crate) fn fail(code: c_int, msg: impl AsRef<str>) -> c_int {
    set_error(msg);
    code
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// Runs `f`, turning a panic into `on_panic` and a recorded error: no panic
/// crosses the C boundary.
pub(crate) fn guard<R>(on_panic: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            set_error(format!("internal error: {}", panic_text(&*p)));
            on_panic
        }
    }
}

/// [`guard`] for calls on producers and consumers: in a child forked after
/// the library started (whose threads stayed in the parent) they fail at
/// once with `on_error` and a message, instead of hanging.
pub(crate) fn client_guard<R>(on_error: R, f: impl FnOnce() -> R) -> R {
    if crate::runtime::forked() {
        set_error(
            "this process was forked after the library started: its producers, consumers \
             and threads belong to the parent; create clients in the child only after exec()",
        );
        return on_error;
    }
    guard(on_error, f)
}

/// A borrowed C string as UTF-8 (invalid sequences become U+FFFD), or `None` for NULL.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn opt_str<'a>(p: *const c_char) -> Option<Cow<'a, str>> {
    if p.is_null() {
        None
    } else {
        Some(String::from_utf8_lossy(CStr::from_ptr(p).to_bytes()))
    }
}

/// `s` as a C string, cut at its first NUL.
pub(crate) fn to_cstring(s: &str) -> CString {
    let end = s.find('\0').unwrap_or(s.len());
    CString::new(&s[..end]).unwrap_or_default()
}

/// Copies `s` into a fixed C array: at most `N - 1` bytes (never splitting a
/// UTF-8 character), the rest zero-filled.
pub(crate) fn fill_array<const N: usize>(dst: &mut [c_char; N], s: &str) {
    let mut end = s.len().min(N.saturating_sub(1));
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let bytes = &s.as_bytes()[..end];
    let bytes = match bytes.iter().position(|&b| b == 0) {
        Some(i) => &bytes[..i],
        None => bytes,
    };
    for (d, &b) in dst.iter_mut().zip(bytes.iter()) {
        *d = b as c_char;
    }
    for d in dst.iter_mut().skip(bytes.len()) {
        *d = 0;
    }
}

/// C `atoi`: optional spaces and sign, then decimal digits; 0 when none.
pub(crate) fn atoi(s: &str) -> i32 {
    let s = s.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            break;
        }
        v = (v * 10 + i64::from(b - b'0')).min(i64::from(i32::MAX) + 1);
    }
    let v = if neg { -v } else { v };
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// A raw pointer that may be moved to another thread (user data, handles the
/// caller keeps alive as the API requires).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SendPtr(pub(crate) usize);

impl SendPtr {
    pub(crate) fn new<T>(p: *mut T) -> Self {
        SendPtr(p as usize)
    }
    pub(crate) fn get<T>(self) -> *mut T {
        self.0 as *mut T
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_error_is_per_thread() {
        set_error("first");
        let p = last_error();
        assert_eq!(unsafe { CStr::from_ptr(p) }.to_str().unwrap(), "first");
        std::thread::spawn(|| {
            let p = last_error();
            assert_eq!(unsafe { CStr::from_ptr(p) }.to_bytes(), b"");
        })
        .join()
        .unwrap();
        set_error("with\0nul");
        assert_eq!(
            unsafe { CStr::from_ptr(last_error()) }.to_str().unwrap(),
            "with nul"
        );
    }

    #[test]
    fn guard_catches_panics() {
        let r = guard(7, || -> i32 { panic!("boom") });
        assert_eq!(r, 7);
        let text = unsafe { CStr::from_ptr(last_error()) }.to_str().unwrap();
        assert!(text.contains("boom"), "{text}");
        assert_eq!(guard(7, || 3), 3);
    }

    #[test]
    fn fill_array_truncates_and_terminates() {
        let mut a = [1 as c_char; 4];
        fill_array(&mut a, "abcdef");
        assert_eq!(a, [b'a' as c_char, b'b' as c_char, b'c' as c_char, 0]);
        fill_array(&mut a, "x");
        assert_eq!(a, [b'x' as c_char, 0, 0, 0]);
        // "é" is two bytes: never split.
        fill_array(&mut a, "abé");
        assert_eq!(a, [b'a' as c_char, b'b' as c_char, 0, 0]);
    }

    #[test]
    fn atoi_like_c() {
        assert_eq!(atoi("3"), 3);
        assert_eq!(atoi(" -12x"), -12);
        assert_eq!(atoi("+4"), 4);
        assert_eq!(atoi("abc"), 0);
        assert_eq!(atoi(""), 0);
        assert_eq!(atoi("99999999999"), i32::MAX);
    }
}

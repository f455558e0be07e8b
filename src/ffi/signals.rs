//! SIGPIPE is blocked on every library thread, so a peer closing a socket
//! never kills a C program that kept the default SIGPIPE action.

use std::sync::Once;

/// Blocks SIGPIPE on the calling thread.
pub(crate) fn block_sigpipe() {
    #[cfg(unix)]
    // SAFETY: plain libc calls on a local, fully initialised signal set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Makes every library thread started from now on block SIGPIPE first.
pub(crate) fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        crate::runtime::set_thread_start_hook(block_sigpipe);
    });
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn sigpipe_is_blocked_on_the_calling_thread() {
        std::thread::spawn(|| {
            block_sigpipe();
            // SAFETY: querying the mask into a zeroed set.
            unsafe {
                let mut cur: libc::sigset_t = std::mem::zeroed();
                libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut cur);
                assert_eq!(libc::sigismember(&cur, libc::SIGPIPE), 1);
            }
        })
        .join()
        .unwrap();
    }
}

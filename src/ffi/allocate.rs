//! A queue allocation strategy written in C (or Go, Python, ...):
//! `rmq_config_set_allocate`.

use std::ffi::{c_char, c_void, CString};
use std::sync::Arc;

use super::boundary::{arg_mut, fallible};
use super::config::rmq_config_t;
use super::cstr::c_string;
use super::error::rmq_error_t;
use super::message_queue::rmq_message_queue_t;
use super::userdata::{rmq_free_cb, UserData};
use crate::consumer::allocate::AllocateStrategy;
use crate::protocol::MessageQueue;
use crate::{Error, ErrorKind, Result};

/// Chooses the queues of a topic this consumer owns, for clustering
/// consumers: sets `mine[i]` to 1 for each queue `queues[i]` it should own and
/// leaves the others 0 (`mine` starts all 0). `queues` (`queue_count` borrowed
/// queues, sorted by broker name then queue id) and `consumer_ids`
/// (`consumer_count` ids of the group's consumers, sorted, `current_id`
/// among them when this consumer is registered) are valid during the call
/// only. Returns 0; any other value is a failure: the consumer keeps its
/// queues and tries again soon. Every consumer of the group must make the
/// same choice for the same input, or queues are consumed twice or not at
/// all. Runs on a library thread that is not a network thread; it should
/// return quickly and must not call `rmq_*_shutdown` or `rmq_*_free` of the
/// consumer it serves.
#[allow(non_camel_case_types)]
pub type rmq_allocate_cb = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        group: *const c_char,
        current_id: *const c_char,
        queues: *const *const rmq_message_queue_t,
        queue_count: usize,
        consumer_ids: *const *const c_char,
        consumer_count: usize,
        mine: *mut u8,
    ) -> i32,
>;

type AllocateFn = unsafe extern "C" fn(
    *mut c_void,
    *const c_char,
    *const c_char,
    *const *const rmq_message_queue_t,
    usize,
    *const *const c_char,
    usize,
    *mut u8,
) -> i32;

/// The engine's view of a C strategy. Shared by the consumers built from the
/// config; the user data is finalized when the last of them lets it go.
pub(crate) struct CAllocate {
    f: AllocateFn,
    user_data: UserData,
}

impl AllocateStrategy for CAllocate {
    fn name(&self) -> &str {
        "CUSTOM"
    }

    fn allocate(
        &self,
        group: &str,
        current_cid: &str,
        mq_all: &[MessageQueue],
        cid_all: &[String],
    ) -> Result<Vec<MessageQueue>> {
        let queues: Vec<rmq_message_queue_t> = mq_all
            .iter()
            .cloned()
            .map(rmq_message_queue_t::new)
            .collect();
        let queue_ptrs: Vec<*const rmq_message_queue_t> = queues
            .iter()
            .map(|q| q as *const rmq_message_queue_t)
            .collect();
        let ids: Vec<CString> = cid_all.iter().map(|c| c_string(c)).collect();
        let id_ptrs: Vec<*const c_char> = ids.iter().map(|c| c.as_ptr()).collect();
        let (group_c, current_c) = (c_string(group), c_string(current_cid));
        let mut mine = vec![0u8; mq_all.len()];
        // SAFETY: every pointer passed points into a buffer owned by this
        // frame and alive until the call returns, with the counts given; the
        // callback's contract lets it write only `mine[..queue_count]`.
        let rc = unsafe {
            (self.f)(
                self.user_data.ptr(),
                group_c.as_ptr(),
                current_c.as_ptr(),
                queue_ptrs.as_ptr(),
                queue_ptrs.len(),
                id_ptrs.as_ptr(),
                id_ptrs.len(),
                mine.as_mut_ptr(),
            )
        };
        if rc != 0 {
            return Err(Error::new(
                ErrorKind::Internal,
                format!("the allocate callback of group {group} failed ({rc})"),
            ));
        }
        Ok(mq_all
            .iter()
            .zip(mine)
            .filter(|(_, m)| *m != 0)
            .map(|(q, _)| q.clone())
            .collect())
    }
}

/// Makes the consumers built from `cfg` share queues with `allocate` (see
/// `rmq_allocate_cb`) instead of the `allocate.strategy` setting; clustering
/// only (broadcasting consumers own every queue). `user_data` is passed to
/// every call; `free_user_data` (may be NULL) is called with it exactly once
/// when no consumer built from `cfg`, nor `cfg`, uses it any more (also when
/// a later call replaces it). A NULL `allocate` removes the strategy. When
/// this returns an error nothing changed and `free_user_data` is not called.
#[no_mangle]
pub extern "C" fn rmq_config_set_allocate(
    cfg: *mut rmq_config_t,
    allocate: rmq_allocate_cb,
    user_data: *mut c_void,
    free_user_data: rmq_free_cb,
) -> *mut rmq_error_t {
    fallible(|| {
        // SAFETY: NULL or a live config used by this thread only (header contract).
        let cfg = unsafe { arg_mut(cfg, "cfg")? };
        let strategy = allocate.map(|f| {
            Arc::new(CAllocate {
                f,
                user_data: UserData::new(user_data, free_user_data),
            }) as Arc<dyn AllocateStrategy>
        });
        cfg.set_allocate(strategy);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static FREED: AtomicUsize = AtomicUsize::new(0);

    /// Takes every queue with an even queue id; fails for group "bad".
    unsafe extern "C" fn even(
        user_data: *mut c_void,
        group: *const c_char,
        current_id: *const c_char,
        queues: *const *const rmq_message_queue_t,
        queue_count: usize,
        consumer_ids: *const *const c_char,
        consumer_count: usize,
        mine: *mut u8,
    ) -> i32 {
        let group = std::ffi::CStr::from_ptr(group).to_str().unwrap();
        if group == "bad" {
            return 7;
        }
        assert_eq!(*(user_data as *const u32), 42);
        assert_eq!(std::ffi::CStr::from_ptr(current_id).to_str().unwrap(), "me");
        assert_eq!(consumer_count, 2);
        assert_eq!(
            std::ffi::CStr::from_ptr(*consumer_ids.add(1))
                .to_str()
                .unwrap(),
            "me"
        );
        for i in 0..queue_count {
            if (**queues.add(i)).mq.queue_id % 2 == 0 {
                *mine.add(i) = 1;
            }
        }
        0
    }

    unsafe extern "C" fn free_it(p: *mut c_void) {
        drop(Box::from_raw(p as *mut u32));
        FREED.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn a_c_strategy_chooses_and_its_user_data_is_freed_once() {
        let cfg = super::super::config::rmq_config_new();
        let ud = Box::into_raw(Box::new(42u32)) as *mut c_void;
        let err = rmq_config_set_allocate(cfg, Some(even), ud, Some(free_it));
        assert!(err.is_null());
        // SAFETY: cfg is live and owned here.
        let strategy = unsafe { (*cfg).allocate().unwrap() };
        let mqs: Vec<MessageQueue> = (0..6).map(|q| MessageQueue::new("T", "b", q)).collect();
        let cids = vec!["a".to_owned(), "me".to_owned()];
        let mine = strategy.allocate("g", "me", &mqs, &cids).unwrap();
        assert_eq!(
            mine.iter().map(|q| q.queue_id).collect::<Vec<_>>(),
            vec![0, 2, 4]
        );
        let err = strategy.allocate("bad", "me", &mqs, &cids).unwrap_err();
        assert!(err.to_string().contains("(7)"), "{err}");
        assert_eq!(strategy.name(), "CUSTOM");
        super::super::config::rmq_config_free(cfg);
        assert_eq!(FREED.load(Ordering::SeqCst), 0, "still used by `strategy`");
        drop(strategy);
        assert_eq!(FREED.load(Ordering::SeqCst), 1);
        let err = rmq_config_set_allocate(std::ptr::null_mut(), Some(even), ud, None);
        assert!(!err.is_null());
        super::super::error::rmq_error_free(err);
    }
}

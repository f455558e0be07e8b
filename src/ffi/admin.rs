//! `rmq_admin_t`: topic administration (create, delete, routes).

use std::ffi::c_char;

use super::boundary::{
    arg_ref, arg_str, check_array_out, fallible, free_array, free_box, infallible, write_array,
};
use super::config::{self, rmq_config_t};
use super::cstr::c_string;
use super::error::{rmq_error_t, FfiResult};
use super::message_queue::{rmq_message_queue_t, write_queues};
use crate::admin::{Admin, TopicSpec};
use crate::runtime::block_on;

/// An admin client: creates and deletes topics on the brokers and name
/// servers of its config. Thread-safe.
#[allow(non_camel_case_types)]
pub struct rmq_admin_t {
    admin: Admin,
}

/// Creates an admin client from `config` (taken, whether this succeeds or
/// not), which needs `namesrv.addr` and may carry credentials and a
/// namespace; other keys are ignored with a warning. On success writes an
/// owned admin to `*out`; free it with `rmq_admin_free`.
#[no_mangle]
pub extern "C" fn rmq_admin_new(
    config: *mut rmq_config_t,
    out: *mut *mut rmq_admin_t,
) -> *mut rmq_error_t {
    config::construct(config, out, |cfg| {
        Ok(rmq_admin_t {
            admin: Admin::new(config::admin_config(cfg)?)?,
        })
    })
}

fn with_admin(
    admin: *const rmq_admin_t,
    f: impl FnOnce(&Admin) -> FfiResult<()>,
) -> *mut rmq_error_t {
    fallible(|| {
        // SAFETY: NULL or a live admin (header contract).
        let a = unsafe { arg_ref(admin, "admin")? };
        super::handle::check_not_forked()?;
        f(&a.admin)
    })
}

/// An optional string argument: NULL or empty is `None`.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string alive for `'a`.
unsafe fn opt_arg<'a>(p: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        return Ok(None);
    }
    Ok(Some(arg_str(p, name)?).filter(|s| !s.is_empty()))
}

/// The topic spec of the create calls.
///
/// # Safety
/// `topic` and `filter_type` are NULL or NUL-terminated strings.
unsafe fn spec(
    topic: *const c_char,
    read_queue_nums: i32,
    write_queue_nums: i32,
    perm: i32,
    filter_type: *const c_char,
    topic_sys_flag: i32,
    order: bool,
) -> FfiResult<TopicSpec> {
    let mut s = TopicSpec::new(arg_str(topic, "topic")?);
    s.read_queue_nums = read_queue_nums;
    s.write_queue_nums = write_queue_nums;
    s.perm = perm;
    if let Some(t) = opt_arg(filter_type, "topic_filter_type")? {
        s.topic_filter_type = t.to_owned();
    }
    s.topic_sys_flag = topic_sys_flag;
    s.order = order;
    Ok(s)
}

/// Creates (or updates) `topic` on the broker at `broker_addr`
/// (`host:port`), or, when `broker_addr` is NULL, on every master broker of
/// `cluster`. `read_queue_nums` and `write_queue_nums` are 1..=1024 (Java
/// and v2 use 8), `perm` the permission bits (6: read and write),
/// `topic_filter_type` NULL (`SINGLE_TAG`) or `MULTI_TAG`, `topic_sys_flag`
/// usually 0. The name servers learn the route from the broker within a
/// moment.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn rmq_admin_create_topic(
    admin: *mut rmq_admin_t,
    broker_addr: *const c_char,
    cluster: *const c_char,
    topic: *const c_char,
    read_queue_nums: i32,
    write_queue_nums: i32,
    perm: i32,
    topic_filter_type: *const c_char,
    topic_sys_flag: i32,
    order: bool,
) -> *mut rmq_error_t {
    with_admin(admin, |a| {
        // SAFETY: NULL or NUL-terminated strings (header contract).
        let (addr, cluster, spec) = unsafe {
            (
                opt_arg(broker_addr, "broker_addr")?,
                opt_arg(cluster, "cluster")?,
                spec(
                    topic,
                    read_queue_nums,
                    write_queue_nums,
                    perm,
                    topic_filter_type,
                    topic_sys_flag,
                    order,
                )?,
            )
        };
        match (addr, cluster) {
            (Some(addr), _) => block_on(a.create_topic(addr, &spec))??,
            (None, Some(c)) => {
                block_on(a.create_topic_in_cluster(c, &spec))??;
            }
            (None, None) => {
                return Err(rmq_error_t::invalid(
                    "create topic: give a broker address or a cluster",
                ))
            }
        }
        Ok(())
    })
}

/// Deletes `topic` from the brokers and the name servers: with
/// `broker_addr`, from that broker; else with `cluster`, from every master
/// of that cluster; else from every master broker in the topic's route. Then
/// from every name server (only `cluster`'s route when `cluster` is given).
/// Deleting a topic nobody knows succeeds.
#[no_mangle]
pub extern "C" fn rmq_admin_delete_topic(
    admin: *mut rmq_admin_t,
    topic: *const c_char,
    broker_addr: *const c_char,
    cluster: *const c_char,
) -> *mut rmq_error_t {
    with_admin(admin, |a| {
        // SAFETY: NULL or NUL-terminated strings (header contract).
        let (topic, addr, cluster) = unsafe {
            (
                arg_str(topic, "topic")?,
                opt_arg(broker_addr, "broker_addr")?,
                opt_arg(cluster, "cluster")?,
            )
        };
        match addr {
            Some(addr) => block_on(async {
                a.delete_topic_in_broker(addr, topic).await?;
                a.delete_topic_in_namesrvs(topic, cluster).await
            })??,
            None => block_on(a.delete_topic(topic, cluster))??,
        }
        Ok(())
    })
}

/// The writable queues of `topic` (from its route, fetched now). On success
/// writes an owned array of `*count` owned queues to `*queues`; free it with
/// `rmq_message_queues_free(*queues, *count)`. A topic the name servers do
/// not know fails with `RMQ_ERR_NO_ROUTE`.
#[no_mangle]
pub extern "C" fn rmq_admin_publish_queues(
    admin: *mut rmq_admin_t,
    topic: *const c_char,
    queues: *mut *mut *mut rmq_message_queue_t,
    count: *mut usize,
) -> *mut rmq_error_t {
    with_admin(admin, |a| {
        check_array_out(queues, "queues", count)?;
        // SAFETY: NULL or a NUL-terminated string (header contract).
        let topic = unsafe { arg_str(topic, "topic")? };
        let all = block_on(a.fetch_publish_queues(topic))??;
        // SAFETY: both outputs were checked.
        unsafe { write_queues(all, queues, count) };
        Ok(())
    })
}

/// Writes `v` as an owned array of owned strings.
///
/// # Safety
/// `out` and `count` were checked and point to writable memory.
unsafe fn write_strings(v: Vec<String>, out: *mut *mut *mut c_char, count: *mut usize) {
    write_array(
        v.iter().map(|s| c_string(s).into_raw()).collect(),
        out,
        count,
    );
}

/// Every topic the name servers know. On success writes an owned array of
/// `*count` owned strings to `*topics`; free it with
/// `rmq_strings_free(*topics, *count)`.
#[no_mangle]
pub extern "C" fn rmq_admin_topic_list(
    admin: *mut rmq_admin_t,
    topics: *mut *mut *mut c_char,
    count: *mut usize,
) -> *mut rmq_error_t {
    with_admin(admin, |a| {
        check_array_out(topics, "topics", count)?;
        let list = block_on(a.topic_list())??;
        // SAFETY: both outputs were checked.
        unsafe { write_strings(list, topics, count) };
        Ok(())
    })
}

/// The names of the clusters whose brokers serve `topic`. On success writes
/// an owned array of `*count` owned strings to `*clusters`; free it with
/// `rmq_strings_free(*clusters, *count)`.
#[no_mangle]
pub extern "C" fn rmq_admin_topic_clusters(
    admin: *mut rmq_admin_t,
    topic: *const c_char,
    clusters: *mut *mut *mut c_char,
    count: *mut usize,
) -> *mut rmq_error_t {
    with_admin(admin, |a| {
        check_array_out(clusters, "clusters", count)?;
        // SAFETY: NULL or a NUL-terminated string (header contract).
        let topic = unsafe { arg_str(topic, "topic")? };
        let list = block_on(a.topic_clusters(topic))??;
        // SAFETY: both outputs were checked.
        unsafe { write_strings(list, clusters, count) };
        Ok(())
    })
}

/// Frees an array of `count` strings returned by the library (and the
/// strings). NULL is a no-op.
#[no_mangle]
pub extern "C" fn rmq_strings_free(strings: *mut *mut c_char, count: usize) {
    infallible((), || {
        let free_string = |s: *mut c_char| {
            if !s.is_null() {
                // SAFETY: made by `CString::into_raw` in `write_strings`,
                // freed once.
                drop(unsafe { std::ffi::CString::from_raw(s) });
            }
        };
        // SAFETY: NULL or an array of `count` strings made by
        // `write_strings`, not used again (header contract).
        unsafe { free_array(strings, count, free_string) }
    })
}

/// Closes the admin's connections and frees it. NULL is a no-op.
#[no_mangle]
pub extern "C" fn rmq_admin_free(admin: *mut rmq_admin_t) {
    infallible((), || {
        if crate::runtime::forked() {
            // The parent's threads are not here; leave the parent's copy.
            return;
        }
        // SAFETY: NULL or an owned admin, not used again (header contract).
        unsafe { free_box(admin) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::config::{rmq_config_new, rmq_config_set};
    use crate::ffi::error::{rmq_err_t, rmq_error_free};

    fn code(e: *mut rmq_error_t) -> rmq_err_t {
        assert!(!e.is_null());
        // SAFETY: a live error from the call above.
        let c = unsafe { (*e).code() };
        rmq_error_free(e);
        c
    }

    #[test]
    fn arguments_are_checked() {
        let mut a = std::ptr::null_mut();
        assert_eq!(
            code(rmq_admin_new(std::ptr::null_mut(), &mut a)),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        assert_eq!(
            code(rmq_admin_new(rmq_config_new(), &mut a)),
            rmq_err_t::RMQ_ERR_INVALID_ARG,
            "namesrv.addr is required"
        );
        let cfg = rmq_config_new();
        assert!(rmq_config_set(cfg, c"namesrv.addr".as_ptr(), c"127.0.0.1:1".as_ptr()).is_null());
        assert!(rmq_admin_new(cfg, &mut a).is_null());
        let t = c"T".as_ptr();
        let null = std::ptr::null();
        assert_eq!(
            code(rmq_admin_create_topic(
                std::ptr::null_mut(),
                null,
                null,
                t,
                8,
                8,
                6,
                null,
                0,
                false
            )),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        assert_eq!(
            code(rmq_admin_create_topic(
                a, null, null, t, 8, 8, 6, null, 0, false
            )),
            rmq_err_t::RMQ_ERR_INVALID_ARG
        );
        assert_eq!(
            code(rmq_admin_create_topic(
                a,
                c"127.0.0.1:1".as_ptr(),
                null,
                t,
                0,
                8,
                6,
                null,
                0,
                false
            )),
            rmq_err_t::RMQ_ERR_INVALID_ARG
        );
        assert_eq!(
            code(rmq_admin_delete_topic(a, null, null, null)),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        let mut qs = std::ptr::null_mut();
        assert_eq!(
            code(rmq_admin_publish_queues(
                a,
                t,
                &mut qs,
                std::ptr::null_mut()
            )),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        let mut names = std::ptr::null_mut();
        assert_eq!(
            code(rmq_admin_topic_list(a, &mut names, std::ptr::null_mut())),
            rmq_err_t::RMQ_ERR_NULL_ARG
        );
        let mut n = 0usize;
        // SAFETY: outputs are valid locals.
        unsafe { write_strings(vec!["a".into(), "bc".into()], &mut names, &mut n) };
        assert_eq!(n, 2);
        // SAFETY: `names` holds `n` strings just written.
        assert_eq!(
            unsafe { std::ffi::CStr::from_ptr(*names.add(1)) }.to_bytes(),
            b"bc"
        );
        rmq_strings_free(names, n);
        rmq_strings_free(std::ptr::null_mut(), 3);
        rmq_admin_free(a);
        rmq_admin_free(std::ptr::null_mut());
    }
}

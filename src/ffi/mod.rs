//! The C ABI. The only module allowed to use `unsafe`.
#![allow(unsafe_code)]

//! The declarative macro that defines a header struct and its codec.
//!
//! Each field is `name: Type => kind "javaName"` where kind is
//! - `req`: required (`@CFNotNull`), always written (an `= expr` only sets
//!   the `Default` value);
//! - `opt`: nullable, the Rust type is `Option<_>`, written when `Some`;
//! - `def = expr`: a Java primitive with a default: always written, the
//!   default when absent.
//!
//! A `[rpc]` after the struct name embeds the [`RpcBase`](super::RpcBase) fields.

macro_rules! header_field {
    (write req, $ext:ident, $key:literal, $v:expr) => {
        $ext.push($key, $crate::protocol::headers::HeaderValue::to_header($v))
    };
    (write def, $ext:ident, $key:literal, $v:expr) => {
        $ext.push($key, $crate::protocol::headers::HeaderValue::to_header($v))
    };
    (write opt, $ext:ident, $key:literal, $v:expr) => {
        if let Some(v) = $v {
            $ext.push($key, $crate::protocol::headers::HeaderValue::to_header(v))
        }
    };
    (read req, $ext:ident, $key:literal $(, $d:expr)?) => {
        $crate::protocol::headers::read_req($ext, $key)?
    };
    (read opt, $ext:ident, $key:literal) => {
        $crate::protocol::headers::read_opt($ext, $key)?
    };
    (read def, $ext:ident, $key:literal, $d:expr) => {
        $crate::protocol::headers::read_def($ext, $key, || $d)?
    };
    (default req) => {
        Default::default()
    };
    (default req, $d:expr) => {
        $d
    };
    (default opt) => {
        None
    };
    (default def, $d:expr) => {
        $d
    };
}

macro_rules! command_header {
    (
        $(#[$meta:meta])*
        pub struct $name:ident $([$rpc:ident])? {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $fty:ty => $kind:ident $key:literal $(= $default:expr)?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $(
                /// The 5.x base fields (`ns`, `nsd`, `bname`, `oway`).
                pub $rpc: $crate::protocol::headers::RpcBase,
            )?
            $(
                $(#[$fmeta])*
                #[doc = concat!("Wire name `", $key, "`.")]
                pub $field: $fty,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    $( $rpc: Default::default(), )?
                    $( $field: header_field!(default $kind $(, $default)?), )*
                }
            }
        }

        impl $crate::protocol::headers::CommandHeader for $name {
            #[allow(unused_variables)]
            fn write_to(&self, ext: &mut $crate::protocol::ExtFields) {
                $( $crate::protocol::headers::CommandHeader::write_to(&self.$rpc, ext); )?
                $( header_field!(write $kind, ext, $key, &self.$field); )*
            }

            #[allow(unused_variables)]
            fn read_from(ext: &$crate::protocol::ExtFields) -> $crate::Result<Self> {
                let read = || -> $crate::Result<Self> {
                    Ok($name {
                        $( $rpc: $crate::protocol::headers::CommandHeader::read_from(ext)?, )?
                        $( $field: header_field!(read $kind, ext, $key $(, $default)?), )*
                    })
                };
                read().map_err(|e| e.context(stringify!($name)))
            }
        }

        #[cfg(test)]
        impl $crate::protocol::headers::testkit::FromSeeds for $name {
            #[allow(unused_variables)]
            fn from_seeds(it: &mut $crate::protocol::headers::testkit::Seeds<'_>) -> Self {
                $name {
                    $( $rpc: $crate::protocol::headers::testkit::FromSeeds::from_seeds(it), )?
                    $( $field: $crate::protocol::headers::testkit::FromSeeds::from_seeds(it), )*
                }
            }
        }
    };
}

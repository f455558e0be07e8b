//! Bits of a message's sysFlag (`MessageSysFlag`).

/// The body is compressed (the algorithm is in [`COMPRESSION_TYPE_MASK`]).
pub const COMPRESSED: i32 = 0x1;
/// The tags property holds several tags.
pub const MULTI_TAGS: i32 = 0x2;
/// Not a transactional message (bits 2–3 = 00).
pub const TRANSACTION_NOT_TYPE: i32 = 0;
/// Half (prepared) transactional message (bits 2–3 = 01).
pub const TRANSACTION_PREPARED_TYPE: i32 = 0x4;
/// Committed transactional message (bits 2–3 = 10).
pub const TRANSACTION_COMMIT_TYPE: i32 = 0x8;
/// Rolled-back transactional message (bits 2–3 = 11).
pub const TRANSACTION_ROLLBACK_TYPE: i32 = 0xC;
/// The born host is an IPv6 address (16 bytes instead of 4).
pub const BORNHOST_V6: i32 = 0x10;
/// The store host is an IPv6 address (16 bytes instead of 4).
pub const STOREHOST_V6: i32 = 0x20;
/// The body must be unwrapped by the consumer (5.x batch consume queue).
pub const NEED_UNWRAP: i32 = 0x40;
/// The body holds inner messages in the batch format (5.x batch consume queue).
pub const INNER_BATCH: i32 = 0x80;
/// Compression type LZ4.
pub const COMPRESSION_LZ4: i32 = 0x100;
/// Compression type zstd.
pub const COMPRESSION_ZSTD: i32 = 0x200;
/// Compression type zlib.
pub const COMPRESSION_ZLIB: i32 = 0x300;
/// Mask of the compression type: `(flag & mask) >> 8` is 0 or 3 (zlib), 1 (LZ4) or 2 (zstd).
pub const COMPRESSION_TYPE_MASK: i32 = 0x700;

/// The transaction type bits of `flag` (`flag & 0xC`).
pub fn transaction_value(flag: i32) -> i32 {
    flag & TRANSACTION_ROLLBACK_TYPE
}

/// `flag` with its transaction type bits replaced by `ty`.
pub fn reset_transaction_value(flag: i32, ty: i32) -> i32 {
    (flag & !TRANSACTION_ROLLBACK_TYPE) | (ty & TRANSACTION_ROLLBACK_TYPE)
}

/// `flag` without [`COMPRESSED`].
pub fn clear_compressed(flag: i32) -> i32 {
    flag & !COMPRESSED
}

/// Whether any bit of `expected` is set in `flag`.
pub fn check(flag: i32, expected: i32) -> bool {
    flag & expected != 0
}

/// Whether the message is a 5.x inner batch to unwrap ([`INNER_BATCH`] and [`NEED_UNWRAP`] both set).
pub fn is_inner_batch(flag: i32) -> bool {
    flag & (INNER_BATCH | NEED_UNWRAP) == INNER_BATCH | NEED_UNWRAP
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(
            [
                COMPRESSED,
                MULTI_TAGS,
                BORNHOST_V6,
                STOREHOST_V6,
                NEED_UNWRAP,
                INNER_BATCH
            ],
            [1, 2, 16, 32, 64, 128]
        );
        assert_eq!(transaction_value(0x301 | 0x4 | 0x8), 0xC);
        assert_eq!(transaction_value(0x4 | 0x1), TRANSACTION_PREPARED_TYPE);
        assert_eq!(transaction_value(0x1), TRANSACTION_NOT_TYPE);
        assert_eq!(
            reset_transaction_value(0x301 | TRANSACTION_PREPARED_TYPE, TRANSACTION_COMMIT_TYPE),
            0x301 | TRANSACTION_COMMIT_TYPE
        );
        assert_eq!(clear_compressed(0x301), 0x300);
        assert!(check(0x80, INNER_BATCH));
        assert!(!is_inner_batch(0x80));
        assert!(!is_inner_batch(0x40));
        assert!(is_inner_batch(0xC0 | 0x1));
        assert_eq!(
            [COMPRESSION_LZ4, COMPRESSION_ZSTD, COMPRESSION_ZLIB],
            [0x100, 0x200, 0x300]
        );
        assert_eq!(
            crate::protocol::compress::COMPRESSION_TYPE_MASK,
            COMPRESSION_TYPE_MASK
        );
    }
}

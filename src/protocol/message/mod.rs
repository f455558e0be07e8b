//! Messages: property keys and sysFlag bits, the properties string, the
//! outgoing [`Message`] and received [`MessageExt`], and their binary layouts
//! (stored messages and batches).

mod codec;
mod host;
pub mod property;
mod props;
pub mod sysflag;
mod types;

pub use codec::{
    batch_record_size, body_crc, decode_batch, decode_messages, encode_batch, encode_message_ext,
    DecodeOptions, BATCH_RECORD_OVERHEAD, BLANK_MAGIC, DEFAULT_MAX_BODY, MAGIC_V1, MAGIC_V2,
    MAX_PROPERTIES_LEN, MAX_V1_TOPIC_LEN,
};
pub use host::{
    host_len, id_ip_octets, ip_from_octets, port_from_i32, put_host, read_host, IPV4_HOST_LEN,
    IPV6_HOST_LEN,
};
pub use property::KEY_SEPARATOR;
pub use props::{
    bytes_to_properties, properties_encoded_len, properties_to_string, string_to_properties,
    write_properties, Properties, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR,
};
pub use types::{Message, MessageExt};

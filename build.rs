//! Build script: sets the shared library's SONAME and optionally regenerates
//! the C header from the Rust sources.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // The shared library's SONAME: librocketmq.so.MAJOR (no ABI stability before 1.0).
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,librocketmq.so.{major}");
    }
    #[cfg(feature = "gen-headers")]
    generate_headers();
}

#[cfg(feature = "gen-headers")]
fn generate_headers() {
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir");
    let config =
        cbindgen::Config::from_file(format!("{dir}/cbindgen.toml")).expect("cbindgen.toml");
    cbindgen::Builder::new()
        .with_crate(&dir)
        .with_config(config)
        .generate()
        .expect("generate rocketmq.h")
        .write_to_file(format!("{dir}/include/rocketmq.h"));
}

//! Build script: optionally regenerates the C header from the Rust sources.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // An ELF SONAME, so that `-lrocketmq` links and ctypes.util.find_library finds the library.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,librocketmq.so");
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

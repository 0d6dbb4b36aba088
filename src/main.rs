//! Thin entry point: everything lives in the library.

/// mimalloc gives freed memory back to the system; glibc's allocator kept the 19 MB buffers of
/// every argon2 hash and the peaks of load bursts, tripling the server's resident size.
#[cfg(feature = "ssr")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    trainyard::web::cli::main()
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser bundle starts in `lib.rs::hydrate`; this binary needs the `ssr` feature.
}

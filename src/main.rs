//! Thin entry point: everything lives in the library.

#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    trainyard::server::cli::main()
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser bundle starts in `lib.rs::hydrate`; this binary needs the `ssr` feature.
}

//! Thin entry point: everything lives in the library.

/// mimalloc gives freed memory back to the system; glibc's allocator kept the 19 MB buffers of
/// every argon2 hash and the peaks of load bursts, tripling the server's resident size.
#[cfg(feature = "ssr")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    purge_at_once();
    trainyard::web::cli::main()
}

/// `mi_option_purge_delay` in mimalloc 3's `mimalloc.h` (libmimalloc-sys names only the
/// options of mimalloc 2); a test below checks it is the option with its documented default.
#[cfg(feature = "ssr")]
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc 3 keeps freed pages for a second before giving them back to the system. A burst of
/// cache-miss renders, or one argon2 check's 19 MB, then lands on top of the last burst's
/// leftovers. Given back at once, at 100× data the peak through cache-miss loads, a crawl and
/// 200 sign-in guesses went from 92 to 85 MB, and the resident heap after it from 62 to 37 MB,
/// at the same request rates. `MIMALLOC_PURGE_DELAY` in the environment still decides.
#[cfg(feature = "ssr")]
fn purge_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets a number in mimalloc's option table; any value is valid for this option.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser bundle starts in `lib.rs::hydrate`; this binary needs the `ssr` feature.
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use libmimalloc_sys::mi_option_get;

    #[test]
    fn the_option_set_is_mimallocs_purge_delay_and_it_becomes_zero() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads a number from mimalloc's option table.
        let get = || unsafe { mi_option_get(super::PURGE_DELAY) };
        assert_eq!(get(), 1000, "mimalloc 3's default purge delay, in milliseconds");
        super::purge_at_once();
        assert_eq!(get(), 0);
    }
}

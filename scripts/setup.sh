#!/usr/bin/env bash
# Installs what building and testing Trainyard needs, skipping whatever is already present
# at the right version. Safe to run any number of times.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

# Debian packages, as root or through sudo; the package lists are fetched once per run.
apt_updated=
apt_install() {
  local sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  if [[ -z $apt_updated ]]; then
    "${sudo_cmd[@]}" apt-get update
    apt_updated=1
  fi
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

CARGO_LEPTOS_VERSION=0.3.10
# The CLI must match the wasm-bindgen library exactly, so read it from Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [[ "$(cargo leptos --version 2>/dev/null || true)" != *"$CARGO_LEPTOS_VERSION"* ]]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes on 2 cores)"
  # no_downloads: it uses the wasm-bindgen and wasm-opt found on PATH.
  cargo install --locked "cargo-leptos@$CARGO_LEPTOS_VERSION" --features no_downloads
fi

if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: the registry lacks one of its locked dependencies.
  cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! command -v chromium >/dev/null 2>&1; then
  say "installing Debian's Chromium"
  apt_install chromium
fi

# The notification tests' mail server: Debian's aiosmtpd, run by Debian's Python (a pyenv or
# other python3 earlier on the PATH may lack it).
if ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  say "installing Debian's aiosmtpd (the SMTP server the tests send mail to)"
  apt_install python3-aiosmtpd
fi

# SQLite's own shell: a test backs the live database up and restores it under a running server,
# as an operator would.
if ! command -v sqlite3 >/dev/null 2>&1; then
  say "installing Debian's sqlite3 (the shell a test restores a backup with)"
  apt_install sqlite3
fi

# Playwright and binaryen (wasm-opt for release builds) come from npm; the browser does not.
stamp=end2end/node_modules/.installed
if [[ ! -f $stamp || end2end/package-lock.json -nt $stamp ]]; then
  say "installing the end-to-end test packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  touch "$stamp"
fi

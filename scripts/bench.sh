#!/usr/bin/env bash
# make bench: installs the load generator and Lighthouse if missing, then runs the benchmark
# harness (benches/trainyard.rs) against the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

OHA_VERSION=1.16.0
if [[ "$(oha --version 2>/dev/null || true)" != *"$OHA_VERSION"* ]]; then
  say "installing oha $OHA_VERSION (the HTTP load generator)"
  cargo install --locked "oha@$OHA_VERSION"
fi

stamp=bench/node_modules/.installed
if [[ ! -f $stamp || bench/package-lock.json -nt $stamp ]]; then
  say "installing Lighthouse"
  (cd bench && npm ci --no-audit --no-fund)
  touch "$stamp"
fi

export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
export SERVER_BIN="${SERVER_BIN:-$CARGO_TARGET_DIR/release/trainyard}"
# What cargo-leptos sets when it builds the release server, so the harness shares its build.
export LEPTOS_OUTPUT_NAME=trainyard
cargo bench --locked --features ssr --bench trainyard

# Trainyard: `make run` serves the app with demo data, `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# Builds are cached outside the clone so a fresh clone (CI) reuses them; they still work cold.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/trainyard/target
# Incremental state is kept per checkout path and never pruned: each CI clone added gigabytes.
export CARGO_INCREMENTAL ?= 0
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Chromium must not try to reach Google: this machine's network is closed.
export CHROME_PATH ?= /usr/bin/chromium

SERVER := $(CARGO_TARGET_DIR)/release/trainyard
# What cargo-leptos sets when it builds; cargo test sets the same so they share the build.
RELEASE_ENV := LEPTOS_OUTPUT_NAME=trainyard LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_HASH_FILES=true LEPTOS_ENV=PROD

.PHONY: run test build setup unit e2e lint bench clean-data

## run: build the release app and serve it on LEPTOS_SITE_ADDR (default 127.0.0.1:3000) with demo data
run: build
	mkdir -p data
	$(RELEASE_ENV) TRAINYARD_DEMO=$${TRAINYARD_DEMO:-1} $(SERVER)

## test: every Rust test, then the Playwright journeys against the release build
test: setup unit build e2e

setup:
	./scripts/setup.sh

build: setup
	cargo leptos build --release --precompress

unit: setup
	cargo test --locked --features ssr

e2e: build
	cd end2end && SERVER_BIN=$(SERVER) npx playwright test

## lint: rustfmt, and clippy on the server and the browser build
lint: setup
	cargo fmt --check
	cargo clippy --locked --features ssr --all-targets -- -D warnings
	cargo clippy --locked --features hydrate --lib --target wasm32-unknown-unknown -- -D warnings

## bench: the speed, weight and memory benchmark
bench: build
	./scripts/bench.sh

clean-data:
	rm -rf data

#!/usr/bin/env bash
# Installs what paymux needs on a fresh machine beyond Rust stable (idempotent).
set -euo pipefail
command -v cargo >/dev/null || { echo "setup: Rust (cargo) is required: https://rustup.rs" >&2; exit 1; }
rustup component add rustfmt clippy >/dev/null 2>&1 || true
echo "setup: ok"

#!/usr/bin/env bash
# Installs what paymux needs on a fresh machine beyond Rust stable. Idempotent; safe to re-run.
set -euo pipefail
command -v cargo >/dev/null || { echo "setup: Rust (cargo) is required: https://rustup.rs" >&2; exit 1; }
rustup component add rustfmt clippy >/dev/null 2>&1 || true

# OpenSSL's command line: the independent SEED-CBC cross-check of Galaxia frames uses it.
if ! command -v openssl >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
fi

# The official PortOne Python server SDK, which the gateway tests drive against `paymux serve`.
PY="${PAYMUX_PYTHON:-python3}"
if ! "$PY" -c 'import portone_server_sdk' 2>/dev/null; then
  "$PY" -m pip install --quiet --disable-pip-version-check 'portone-server-sdk==0.21.0'
fi
# Prometheus's reference text parser (the Python client's): tests read GET /metrics with it.
if ! "$PY" -c 'import prometheus_client' 2>/dev/null; then
  "$PY" -m pip install --quiet --disable-pip-version-check 'prometheus-client==0.21.1'
fi

# PostgreSQL for the gateway's shared-database tests (127.0.0.1:5432, trust auth, database `test`).
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  if ! command -v pg_ctlcluster >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  ver="$(ls /etc/postgresql | sort -V | tail -1)"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 30); do (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && break; sleep 1; done
fi
if command -v psql >/dev/null; then
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null 2>&1 || true
fi
# Headless Chromium and the Playwright driver for the hosted-checkout browser test.
if ! command -v chromium >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# Korean glyphs for the browser tests' screenshots.
if ! fc-list :lang=ko 2>/dev/null | grep -q .; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-nanum >/dev/null
fi
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/@portone/browser-sdk ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi
echo "setup: ok"

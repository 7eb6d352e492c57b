#!/usr/bin/env bash
# Installs what the three-host suites (test/hosts/) need beyond node_modules:
# Debian's Chromium for the browser suite (Playwright's own browser download
# does not work offline) and wabt's wat2wasm for the core-module fixtures.
# workerd itself comes with the `wrangler`/`miniflare` npm packages.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v wat2wasm >/dev/null 2>&1 || missing+=(wabt)

if [ "${#missing[@]}" -gt 0 ]; then
  # Another apt run may hold the lock; wait for it rather than failing.
  for _ in $(seq 1 60); do
    fuser /var/lib/dpkg/lock-frontend >/dev/null 2>&1 || break
    sleep 5
  done
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

/usr/bin/chromium --version
wat2wasm --version

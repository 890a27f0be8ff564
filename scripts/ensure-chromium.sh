#!/usr/bin/env bash
# The browser tests drive Debian's chromium through Playwright (Playwright's own browser download is not used).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  echo "Installing chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "The browser tests need chromium: sudo apt-get install chromium (or set CHROMIUM_PATH)" >&2
  exit 1
fi

#!/usr/bin/env bash
# Debian's Chromium and ChromeDriver for the browser tests (tests/browser.rs), installed once.
# Needs root (or sudo) and Debian's package mirrors; prints where they are.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  echo "chromium: $(command -v chromium), chromedriver: $(command -v chromedriver)"
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq chromium chromium-driver >/dev/null
echo "chromium: $(command -v chromium), chromedriver: $(command -v chromedriver)"

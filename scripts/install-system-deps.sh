#!/usr/bin/env bash
# Installs what the tests need outside Python, only when it is missing:
#   - a Chromium for Playwright (Debian's `chromium`), unless one is usable already;
#   - a JDK (`javac`) for the JDK-HttpClient compatibility test.
# Uses apt-get when it is available and we are root (or have passwordless sudo); otherwise it
# says what is missing and the tests that need it skip with that reason.
set -euo pipefail
log() { printf 'system-deps: %s\n' "$*"; }

have_browser() {
  [ -n "${PLAYWRIGHT_CHROMIUM_EXECUTABLE:-}" ] && [ -x "${PLAYWRIGHT_CHROMIUM_EXECUTABLE}" ] && return 0
  for candidate in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    [ -x "$candidate" ] && return 0
  done
  # Playwright's own browser, where `playwright install` worked on this machine
  compgen -G "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}/chromium*" >/dev/null 2>&1
}

missing=()
have_browser || missing+=(chromium)
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)

if [ ${#missing[@]} -eq 0 ]; then
  log "chromium and javac present"
  exit 0
fi

apt=""
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt="apt-get"; elif sudo -n true 2>/dev/null; then apt="sudo -n apt-get"; fi
fi
if [ -z "$apt" ]; then
  log "missing: ${missing[*]}; no apt-get (or no root) to install them here."
  if [ "${CI:-}" = "true" ]; then
    log "CI=true: the browser and JDK tests must run in CI, so this is an error."
    exit 1
  fi
  log "the browser and JDK tests will skip and say so; install them yourself to run everything."
  exit 0
fi
log "installing ${missing[*]} with apt-get (a few minutes on a fresh machine)"
export DEBIAN_FRONTEND=noninteractive
$apt update -qq >/dev/null
$apt install -y -qq "${missing[@]}" >/dev/null
log "installed ${missing[*]}"

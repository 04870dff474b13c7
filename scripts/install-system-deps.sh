#!/usr/bin/env bash
# Installs what the project needs outside Python, only when it is missing.
#
#   scripts/install-system-deps.sh venv    Python's venv module (Debian's python3-venv), for `make run`
#   scripts/install-system-deps.sh [test]  what the tests need:
#     - a Chromium for Playwright (Debian's `chromium`), unless one is usable already, and
#       libatomic1, which Playwright's bundled Node.js driver links against;
#     - NSS's certutil (Debian's libnss3-tools), with which Chromium is made to trust a private CA;
#     - a JDK (`javac`) for the JDK-HttpClient compatibility test;
#     - nginx, the reverse proxy of the sub-path test (started by the test itself, never as a service);
#     - PostgreSQL's server programs (Debian's `postgresql`: initdb, pg_ctl) for the shared-database
#       tests, which start a throwaway cluster of their own (the package's own cluster is not used).
#
# Uses apt-get when it is available and we are root (or have passwordless sudo); otherwise it
# says what is missing: the venv cannot be made without it, and the tests that need a browser or a
# JDK skip with that reason (under CI=true that is an error instead).
set -euo pipefail
log() { printf 'system-deps: %s\n' "$*"; }
what="${1:-test}"
python="${PYTHON:-python3}"

have_browser() {
  [ -n "${PLAYWRIGHT_CHROMIUM_EXECUTABLE:-}" ] && [ -x "${PLAYWRIGHT_CHROMIUM_EXECUTABLE}" ] && return 0
  for candidate in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    [ -x "$candidate" ] && return 0
  done
  # Playwright's own browser, where `playwright install` worked on this machine
  compgen -G "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}/chromium*" >/dev/null 2>&1
}

have_nginx() {
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]
}

have_postgres() {
  command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null 2>&1
}

have_library() {
  command -v ldconfig >/dev/null 2>&1 || return 0 # not a glibc system we can inspect: assume present
  ldconfig -p 2>/dev/null | grep -q "$1"
}

missing=()
case "$what" in
  venv)
    "$python" -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
    ;;
  test)
    have_browser || missing+=(chromium)
    have_library libatomic.so.1 || missing+=(libatomic1)
    command -v certutil >/dev/null 2>&1 || missing+=(libnss3-tools)
    command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
    have_nginx || missing+=(nginx)
    have_postgres || missing+=(postgresql)
    ;;
  *)
    log "unknown argument '$what': use 'venv' or 'test'"
    exit 2
    ;;
esac

if [ ${#missing[@]} -eq 0 ]; then
  log "nothing to install for '$what'"
  exit 0
fi

apt=""
as_root=""
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt="env DEBIAN_FRONTEND=noninteractive apt-get"
  elif sudo -n true 2>/dev/null; then
    apt="sudo -n env DEBIAN_FRONTEND=noninteractive apt-get" # sudo would drop an exported variable
    as_root="sudo -n"
  fi
fi
if [ -z "$apt" ]; then
  log "missing: ${missing[*]}; no apt-get (or no root) to install them here."
  if [ "$what" = venv ]; then
    log "install them (Debian/Ubuntu: apt-get install ${missing[*]}) and run make again."
    exit 1
  fi
  if [ "${CI:-}" = "true" ]; then
    log "CI=true: the browser, JDK, nginx and PostgreSQL tests must run in CI, so this is an error."
    exit 1
  fi
  log "the browser, JDK, nginx and PostgreSQL tests will skip and say so; install them yourself to run everything."
  exit 0
fi
log "installing ${missing[*]} with apt-get (a few minutes on a fresh machine)"
$apt update -qq >/dev/null
$apt install -y -qq "${missing[@]}" >/dev/null
log "installed ${missing[*]}"
# Debian's package enables and starts nginx as a service on port 80 (where systemd runs); the tests
# start their own nginx, so the service this script brought in is stopped and disabled again.
if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null 2>&1 \
  && systemctl is-enabled --quiet nginx 2>/dev/null; then
  $as_root systemctl disable --now nginx >/dev/null 2>&1 && log "nginx: the system service stays off"
fi

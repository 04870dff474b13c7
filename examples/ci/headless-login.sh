#!/usr/bin/env bash
# Complete a CLI's browser login with no browser: run the login command, open the authorize URL it
# prints with curl, and let the mock's redirect land on the CLI's own loopback callback. The mock
# signs the user in by itself: MOCK_PLATFORM_AUTO_LOGIN, a login_hint, or POST /_mock/identity.
#
#   examples/ci/headless-login.sh nextflow auth login -url http://127.0.0.1:8080/api
#   SEQERA_AUTH_DOMAIN=http://127.0.0.1:8080/api examples/ci/headless-login.sh seqera login --no-browser
#
# Prints the command's output and exits with its status (124 when it outlives LOGIN_TIMEOUT, 60 s).
set -uo pipefail
log=$(mktemp)
trap 'rm -f "$log"' EXIT
deadline=$((SECONDS + ${LOGIN_TIMEOUT:-60}))

yes '' | "$@" >"$log" 2>&1 &  # blank lines answer follow-up prompts with their defaults
pid=$!
url=""
while [ -z "$url" ] && kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
  sleep 0.2
  url=$(grep -Eo 'https?://[^ ]+/oauth/authorize\?[^ ]+' "$log" | head -n 1)
done
[ -n "$url" ] && curl -sSL -o /dev/null --max-time 30 "$url"

while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
timed_out=0
kill "$pid" 2>/dev/null && timed_out=1
wait "$pid"
status=$?
cat "$log"
if [ "$timed_out" = 1 ]; then
  echo "headless-login: '$*' did not finish within ${LOGIN_TIMEOUT:-60} s" >&2
  exit 124
fi
exit "$status"

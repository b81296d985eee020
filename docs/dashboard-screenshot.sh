#!/usr/bin/env bash
# Remakes docs/dashboard.png, the README's picture of the analysts' dashboard: the demo
# campaign (`uudai serve --demo`) as if deploy/demo-traffic.sh had run on every day of
# October 2026. The server is started once per day under faketime (Debian package `faketime`,
# not a dependency of uudai), on that day's clock, sends the day's traffic, and stops; then it
# runs on the real clock while headless chromium takes the picture. Needs a built uudai
# (UUDAI_BINARY, default build/release/gateway/uudai), curl, faketime and chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${UUDAI_BINARY:-build/release/gateway/uudai}"
listen=127.0.0.1:18788
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT

# serve [FAKETIME]: starts uudai in the background (on a fake clock when given); sets $pid.
serve() {
  if [ -n "${1:-}" ]; then
    # libfaketime preloaded into uudai itself (the `faketime` wrapper would stand between it and
    # the signal that stops it); the monotonic clock stays real.
    LD_PRELOAD="$(dpkg -L libfaketime | grep '/libfaketimeMT.so.1$')" FAKETIME="$1" \
      FAKETIME_DONT_FAKE_MONOTONIC=1 "$binary" serve --keys deploy/demo-keys.json \
      --data-dir "$data" --listen "$listen" --demo --log-level warn >/dev/null 2>&1 &
  else
    "$binary" serve --keys deploy/demo-keys.json --data-dir "$data" --listen "$listen" \
      --log-level warn >/dev/null 2>&1 &
  fi
  pid=$!
  for _ in $(seq 100); do
    curl -fsS "http://$listen/healthz" >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "uudai did not start" >&2
  exit 1
}

for day in $(seq -w 1 31); do
  # 09:00 in Ho Chi Minh City (02:00 UTC); 10/10 at 12:30, inside the flash sale's window.
  clock="@2026-10-$day 02:00:00"
  traffic=$((15 + 10#$day % 7 * 4))
  if [ "$day" = 10 ]; then clock="@2026-10-10 05:30:00" traffic=140; fi
  serve "$clock"
  UUDAI_URL="http://$listen" UUDAI_DEMO_SEED="$day" deploy/demo-traffic.sh "$traffic" | sed -n 1p
  kill -TERM "$pid"
  wait "$pid" || true
done

serve
rm -rf "$data/chromium"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$data/chromium" \
  --disable-background-networking --disable-component-update --disable-sync \
  --disable-features=NetworkTimeServiceQuerying,AutofillServerCommunication,Translate,OptimizationHints,MediaRouter \
  --gaia-url=http://127.0.0.1:9/ --component-updater=url-source=http://127.0.0.1:9/ \
  --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' --proxy-server=127.0.0.1:9 \
  --window-size=1280,2150 --virtual-time-budget=5000 --screenshot=docs/dashboard.png \
  "http://$listen/dashboard#key=demo-analyst-key-change-me" 2>/dev/null
kill -TERM "$pid"
wait "$pid" || true
echo "wrote docs/dashboard.png"

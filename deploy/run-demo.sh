#!/usr/bin/env bash
# The run command (README "Quick start"): installs what is missing, builds uudai (release),
# and starts `uudai serve` on 127.0.0.1:8080 with the embedded store (journal in
# ./data/demo), the demo keys of deploy/demo-keys.json (one per role) and the demo October
# campaign. Stop it with Ctrl-C (it drains and exits 0). Extra arguments go to `uudai serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target uudai
exec build/release/gateway/uudai serve \
  --listen "${UUDAI_LISTEN:-127.0.0.1:8080}" \
  --keys deploy/demo-keys.json \
  --data-dir "${UUDAI_DATA_DIR:-./data/demo}" \
  --demo "$@"

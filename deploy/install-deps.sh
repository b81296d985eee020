#!/usr/bin/env bash
# Installs every Debian 12 package uudai needs to build, test, benchmark and run.
# Idempotent: when everything is present it returns in well under a second without
# touching apt. Must run as root (or through sudo) on a fresh machine.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config ccache git
  # Python for the bench scripts' tools (bench/reconcile.py, abuse_client.py, route_p99.py: stdlib only)
  python3
  # libraries (docs/design.md §2)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  libhiredis-dev libspdlog-dev libssl-dev libgoogle-perftools-dev
  # tests and benchmarks (chromium: the dashboard test loads the page in headless Chromium;
  # nodejs: the dashboard's scripts are unit-tested under `node --test`, Debian 12's node 18)
  googletest libgtest-dev libgmock-dev libbenchmark-dev redis-server wrk curl chromium nodejs
  # the OpenAPI contract test (tests/contract/): a Draft 2020-12 validator and a YAML reader for
  # Debian's /usr/bin/python3
  python3-jsonschema python3-yaml
  # fuzzing (the `fuzz` preset, tests/fuzz/README.md): clang 14 with libFuzzer and the sanitizer
  # runtimes; llvm-symbolizer (package llvm) turns sanitizer reports into file:line
  clang-14 libclang-rt-14-dev llvm
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# The test command (README "Quick start"; CI runs exactly this through .ci/run):
# installs what is missing, configures, builds everything (tests and benchmarks) with
# warnings as errors, and runs the whole suite. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
# Let ccache reuse objects built in another checkout of the same sources (CI builds a fresh
# clone in another folder): hash paths relative to here, not the working directory.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake --preset ci
cmake --build --preset ci
ctest --preset ci -j2

#!/usr/bin/env bash
# The test command (README "Quick start"; CI runs exactly this through .ci/run):
# installs what is missing, then builds and runs the whole suite twice — the release build with
# warnings as errors (tests, benchmarks, fuzz corpora replayed), and a Debug build under
# AddressSanitizer + UndefinedBehaviorSanitizer (the `asan` preset). Exits non-zero when
# anything fails; prints how long each pass took.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
# Let ccache reuse objects built in another checkout of the same sources (CI builds a fresh
# clone in another folder): hash paths relative to here, not the working directory.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

start=$SECONDS
cmake --preset ci
cmake --build --preset ci
ctest --preset ci -j2
ci_seconds=$((SECONDS - start))

# Sanitizers: any memory error, leak or undefined behaviour fails the test it happens in
# (UBSan would otherwise print and carry on). Child processes (`uudai serve` in the binary and
# multi-gateway tests) inherit these.
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:check_initialization_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
start=$SECONDS
cmake --preset asan
cmake --build --preset asan
ctest --preset asan -j2
asan_seconds=$((SECONDS - start))

echo "run-all: ci ${ci_seconds}s (build + tests), asan ${asan_seconds}s (build + tests)"

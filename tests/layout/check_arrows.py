#!/usr/bin/env python3
"""The gateway's arrows, checked against the build: which folders each library's sources can
include, read from the compile commands CMake wrote, must be exactly the ones docs/design.md
§1.2 allows. A library sees a folder only through the include root of a library it links
(gateway/CMakeLists.txt), so a widened link list, or an include root that shows more than its
own folder, fails here; a wrong-way include already fails to compile.

Usage: check_arrows.py BUILD_DIR/compile_commands.json
"""
import json
import os
import shlex
import sys

# docs/design.md §1.2: each folder of gateway/src and what its sources may include, besides
# themselves. "engine" is the engine's public headers (uudai/...).
ALLOWED = {
    "http": set(),
    "ops": set(),
    "webhook": set(),
    "json": {"http", "engine"},
    "api": {"json", "http", "ops", "webhook", "engine"},
    "delivery": {"webhook", "json", "http", "engine"},
    "redis": {"engine"},
    "store/codec": {"engine"},
    "store/journal": {"store/codec", "engine"},
    "store/redis": {"redis", "store/codec", "engine"},
    "app": {"api", "http", "ops", "json", "store/journal", "store/redis", "redis", "delivery",
            "webhook", "engine"},
}


def folder_of(source, gateway_src):
    rel = os.path.relpath(source, gateway_src)
    if rel.startswith(".."):
        return None
    parts = rel.split(os.sep)
    if parts[0] == "store" and len(parts) > 2:
        return "store/" + parts[1]
    return parts[0] if len(parts) > 1 else None


def include_dirs(entry):
    args = entry.get("arguments") or shlex.split(entry["command"])
    dirs = []
    for i, arg in enumerate(args):
        for flag in ("-I", "-isystem", "-iquote"):
            if arg == flag and i + 1 < len(args):
                dirs.append(args[i + 1])
            elif arg.startswith(flag) and len(arg) > len(flag):
                dirs.append(arg[len(flag):])
    return [os.path.normpath(os.path.join(entry["directory"], d)) for d in dirs]


def visible_folders(dirs, gateway_src, engine_include):
    """The gateway folders (and "engine") that `#include "<folder>/x.h"` reaches."""
    seen = set()
    real_src = os.path.realpath(gateway_src)
    for d in dirs:
        if os.path.realpath(d) == os.path.realpath(engine_include):
            seen.add("engine")
            continue
        if os.path.realpath(d) == real_src:
            seen.add("<all of gateway/src>")
            continue
        for folder in ALLOWED:
            candidate = os.path.join(d, folder)
            if os.path.isdir(candidate):
                target = os.path.realpath(candidate)
                expected = os.path.join(real_src, folder)
                if target != expected:
                    raise SystemExit(f"{candidate} shows {target}, not {expected}")
                seen.add(folder)
    return seen


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    with open(sys.argv[1]) as f:
        commands = json.load(f)
    root = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
    gateway_src = os.path.join(root, "gateway", "src")
    engine_include = os.path.join(root, "engine", "include")
    checked = {}
    failures = []
    for entry in commands:
        source = os.path.realpath(os.path.join(entry["directory"], entry["file"]))
        folder = folder_of(source, gateway_src)
        if folder is None or folder not in ALLOWED:
            continue
        visible = visible_folders(include_dirs(entry), gateway_src, engine_include)
        visible.discard(folder)
        if visible != ALLOWED[folder]:
            failures.append(
                f"{os.path.relpath(source, root)} ({folder}) sees {sorted(visible)}, "
                f"docs/design.md §1.2 allows {sorted(ALLOWED[folder])}")
        checked[folder] = checked.get(folder, 0) + 1
    missing = set(ALLOWED) - set(checked)
    if missing:
        failures.append(f"no compile command for a source of {sorted(missing)}")
    for failure in failures:
        print("FAIL", failure)
    if failures:
        return 1
    for folder in sorted(checked):
        print(f"ok {folder}: {checked[folder]} sources see {sorted(ALLOWED[folder]) or 'nothing else'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

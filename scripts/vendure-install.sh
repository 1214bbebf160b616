#!/bin/sh
# Installs the pinned Vendure test server (tests/vendure/package.json + package-lock.json:
# @vendure/core with better-sqlite3 and TypeScript) under build/vendure, builds Till's
# plugin package (offline/vendure-plugin, `npm pack`) and installs it there, compiles the
# test server's config and seed, and prints nothing else on success.  The npm install is
# cached: it runs again only when the package files change.
# Node.js and npm are the pinned ones of scripts/node-env.sh (from the npm registry, under
# build/node), never the system's.
# Exit 0 = ready; 2 = Node.js cannot be had on this machine (the caller skips); 1 = failed.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${TILL_VENDURE_DIR:-$top/build/vendure}
mkdir -p "$dir"
. "$top/scripts/node-env.sh"
node_env || exit $?

stamp=$(cat "$top/tests/vendure/package.json" "$top/tests/vendure/package-lock.json" | sha256sum | cut -c1-16)-$(node --version)-$(command -v node | sha256sum | cut -c1-8)
if [ "$(cat "$dir/.npm-stamp" 2>/dev/null)" != "$stamp" ] || [ ! -d "$dir/node_modules/@vendure/core" ]; then
    cp "$top/tests/vendure/package.json" "$top/tests/vendure/package-lock.json" "$dir/"
    # better-sqlite3 is compiled here by node-gyp, against build/node's own headers
    # (npm_config_nodedir, set by node_env): no download, and never Debian's.
    export npm_config_build_from_source=true
    echo "till: npm ci in $dir (takes a few minutes the first time)" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2 || exit 1
    echo "$stamp" > "$dir/.npm-stamp"
fi

# Till's plugin is an npm package (offline/vendure-plugin): compiled, packed with `npm pack`
# into build/vendure/till-vendure-plugin-VERSION.tgz (the file a shop installs with
# `npm install`) and unpacked into node_modules/@till/vendure-plugin, as npm install would.
plugin_stamp=$(cat "$top/offline/vendure-plugin/package.json" "$top/offline/vendure-plugin/tsconfig.json" \
    "$top/offline/vendure-plugin/src/"*.ts | sha256sum | cut -c1-16)
if [ "$(cat "$dir/.plugin-stamp" 2>/dev/null)" != "$plugin_stamp" ] || [ ! -f "$dir/node_modules/@till/vendure-plugin/dist/index.js" ]; then
    rm -rf "$dir/plugin" "$dir/node_modules/@till/vendure-plugin" "$dir"/till-vendure-plugin-*.tgz
    mkdir -p "$dir/plugin" "$dir/node_modules/@till/vendure-plugin"
    cp -r "$top/offline/vendure-plugin/package.json" "$top/offline/vendure-plugin/tsconfig.json" "$top/offline/vendure-plugin/src" "$dir/plugin/"
    (cd "$dir/plugin" && ../node_modules/.bin/tsc -p tsconfig.json && npm pack --ignore-scripts --silent --pack-destination "$dir") >&2 || exit 1
    tar -xzf "$dir"/till-vendure-plugin-*.tgz -C "$dir/node_modules/@till/vendure-plugin" --strip-components=1 || exit 1
    echo "$plugin_stamp" > "$dir/.plugin-stamp"
fi

# The TypeScript sources are compiled on every change (a second or two of tsc otherwise skipped).
src_stamp=$(cat "$top/tests/vendure/"*.ts "$top/tests/vendure/tsconfig.json" "$dir/.plugin-stamp" | sha256sum | cut -c1-16)
if [ "$(cat "$dir/.src-stamp" 2>/dev/null)" != "$src_stamp" ] || [ ! -f "$dir/dist/server.js" ]; then
    rm -rf "$dir/src" "$dir/dist"
    mkdir -p "$dir/src"
    cp "$top/tests/vendure/"*.ts "$dir/src/"
    cp "$top/tests/vendure/tsconfig.json" "$dir/"
    (cd "$dir" && ./node_modules/.bin/tsc -p tsconfig.json) >&2 || exit 1
    echo "$src_stamp" > "$dir/.src-stamp"
    rm -f "$dir"/template-*.sqlite # seeded databases follow the code that seeded them
fi

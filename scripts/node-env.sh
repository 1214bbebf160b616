# Node.js for the Vendure test server only: a pinned Node 20 and its npm, both from the
# npm registry (Node's official Linux builds, published as the node-linux-<arch> packages
# behind the `node` package), unpacked under build/node.  The system's node, if any, is
# neither used nor changed.  Sourced (with `top` set to the tree) by scripts/vendure-install.sh,
# scripts/vendure-server.sh and bench/vendure.sh:
#   . "$top/scripts/node-env.sh" && node_env || exit 2
# node_env fetches it once (curl, sha512 checked against the pins below), then puts
# build/node/bin first on PATH and points node-gyp at this Node's own headers, so native
# addons (better-sqlite3) are built against the Node that loads them.  Returns 2 when the
# registry cannot be reached or the machine is neither x86-64 nor arm64.
TILL_NODE_VERSION=20.20.2
TILL_NPM_VERSION=10.8.2
TILL_NODE_SHA512_x64=3de1d033cc007661ed640d66068732819c6ce4b8945adb097b3413901774898f7cecaa46ac3d4edad544c9dbcc662b9771e45a9f1b7bae34e70c407038fba3a1
TILL_NODE_SHA512_arm64=2c25c99cd4c58b21ae601c36819488e4e04531b92300fb7cb2a0ff34aad6a04d90983812b9b4ea16783a19a349f4427c1e9c413067165a96db72ce15a3e0a71a
TILL_NPM_SHA512=c7f0088c520a46596b85c6f8f1da943400199748a0f7ea8cb8df75469668dc26f6fb3ba26df87e2884a5ebe91557292d0f3db7d0929cdb4f14910c3032ac81fb

# node_fetch NAME VERSION SHA512 DIR: the registry's tarball of NAME@VERSION, checked, into DIR
node_fetch() {
    _reg=${npm_config_registry:-https://registry.npmjs.org/}
    _reg=${_reg%/}
    _tgz=$TILL_NODE_DIR.dl/$1-$2.tgz
    mkdir -p "$TILL_NODE_DIR.dl" "$4"
    if ! curl -fsSL --retry 3 -o "$_tgz.tmp" "$_reg/$1/-/$1-$2.tgz"; then
        echo "till: cannot download $1@$2 from the npm registry ($_reg)" >&2; return 2
    fi
    if [ "$(sha512sum < "$_tgz.tmp" | cut -d' ' -f1)" != "$3" ]; then
        echo "till: $1@$2 from $_reg does not match its pinned sha512" >&2; return 1
    fi
    mv "$_tgz.tmp" "$_tgz"
    tar xzf "$_tgz" -C "$4" --strip-components=1 || return 1
}

node_env() {
    TILL_NODE_DIR=${TILL_NODE_DIR:-$top/build/node}
    _want="node $TILL_NODE_VERSION npm $TILL_NPM_VERSION"
    if [ "$(cat "$TILL_NODE_DIR/.version" 2>/dev/null)" != "$_want" ]; then
        case $(uname -m) in
        x86_64) _arch=x64 _sum=$TILL_NODE_SHA512_x64 ;;
        aarch64) _arch=arm64 _sum=$TILL_NODE_SHA512_arm64 ;;
        *) echo "till: no pinned Node.js build for $(uname -m)" >&2; return 2 ;;
        esac
        echo "till: fetching Node.js $TILL_NODE_VERSION and npm $TILL_NPM_VERSION from the npm registry into $TILL_NODE_DIR" >&2
        rm -rf "$TILL_NODE_DIR" "$TILL_NODE_DIR.dl"
        node_fetch "node-linux-$_arch" "$TILL_NODE_VERSION" "$_sum" "$TILL_NODE_DIR" || return $?
        node_fetch npm "$TILL_NPM_VERSION" "$TILL_NPM_SHA512" "$TILL_NODE_DIR/lib/node_modules/npm" || return $?
        rm -rf "$TILL_NODE_DIR.dl"
        for _t in npm npx; do
            printf '#!/bin/sh\nexec "$(dirname "$0")/node" "$(dirname "$0")/../lib/node_modules/npm/bin/%s-cli.js" "$@"\n' "$_t" \
                > "$TILL_NODE_DIR/bin/$_t"
            chmod 755 "$TILL_NODE_DIR/bin/$_t"
        done
        "$TILL_NODE_DIR/bin/node" --version > /dev/null || { echo "till: $TILL_NODE_DIR/bin/node does not run here" >&2; return 2; }
        echo "$_want" > "$TILL_NODE_DIR/.version"
    fi
    PATH=$TILL_NODE_DIR/bin:$PATH
    # node-gyp: this Node's headers (include/node), never a download, never /usr/include/node
    npm_config_nodedir=$TILL_NODE_DIR
    npm_config_update_notifier=false
    export PATH npm_config_nodedir npm_config_update_notifier
    # npm trusts the certificate authorities the system trusts (as curl and apt do), not
    # only those built into Node: a site's own CA in /usr/local/share/ca-certificates works
    if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
        export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
    fi
}

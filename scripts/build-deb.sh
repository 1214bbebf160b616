#!/bin/sh
# Builds the Debian packages till and till-server from the tree SRC into OUTDIR:
#   sh scripts/build-deb.sh SRC OUTDIR
# dpkg-buildpackage cleans the tree it builds in (make clean) and writes the packages to
# that tree's parent, so it runs in a fresh copy, OUTDIR/till-VERSION (without build/ and
# .git): the working tree's build/ is left alone, and the .deb files land in OUTDIR.
# DEB_BUILD_JOBS (default 2) compile jobs.
set -e
if [ -z "$1" ] || [ -z "$2" ]; then
    echo "usage: build-deb.sh SRC OUTDIR" >&2
    exit 2
fi
for tool in dpkg-buildpackage dh fakeroot; do
    if ! command -v "$tool" > /dev/null 2>&1; then
        echo "build-deb: $tool is missing (apt-get install debhelper dpkg-dev fakeroot)" >&2
        exit 3
    fi
done
src=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
tree=$out/till-$version
rm -rf "$tree" "$out"/*.deb "$out"/*.ddeb "$out"/*.buildinfo "$out"/*.changes
mkdir -p "$tree"
(cd "$src" && tar --exclude=./build --exclude=./.git -cf - .) | (cd "$tree" && tar -xf -)
(cd "$tree" && dpkg-buildpackage -us -uc -b -j"${DEB_BUILD_JOBS:-2}")
ls "$out"/*.deb

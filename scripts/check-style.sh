#!/bin/sh
# `make check-style`: banned calls; the pure core free of I/O, clocks, cJSON and the
# libraries; SQLite, curses, curl and libusb each confined to the files that own them; and
# the layers: a folder includes only its own headers and those of folders
# below it.  Bottom up:  core <- src <- drivers, offline <- app <- ui <- main.
# server/ stands apart and includes only itself.
cd "$(dirname "$0")/.." || exit 1
status=0

bad=$(grep -nE '\b(sprintf|strcpy|strcat|strtok|atoi|gets)\s*\(' core/*.c src/*.c app/*.c main/*.c ui/*.c drivers/*.c offline/*.c server/*.c 2>/dev/null)
if [ -n "$bad" ]; then echo "banned calls:"; echo "$bad"; status=1; fi

bad=$( (grep -nE '#include <(curses|ncurses|curl/|cjson/|libusb|sqlite3|sodium|microhttpd|unistd|poll|fcntl|sys/)' core/*.c core/*.h /dev/null;
        grep -nE '\b(fopen|printf|fprintf|fwrite|puts|time|clock_gettime|gettimeofday|getenv|cJSON_[A-Za-z]+)\s*\(' core/*.c /dev/null) )
if [ -n "$bad" ]; then echo "I/O, clocks or libraries in the pure core (core/):"; echo "$bad"; status=1; fi

# Each library behind the few files that own it (a library's header anywhere else is a
# second door to it): SQLite in the platform's storage modules (src/) and the outbox,
# curses in ui/, curl in offline/http.c, libusb in the USB drivers and their loop glue.
# confined PATTERN WHAT FILE...: lists the includes of PATTERN outside the FILEs (globs).
# One grep over the tree, then only the lines it found are matched against the FILEs.
confined() {
    pattern=$1 what=$2
    shift 2
    grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<$pattern" \
        core/*.[ch] src/*.[ch] drivers/*.[ch] offline/*.[ch] app/*.[ch] ui/*.[ch] main/*.[ch] server/*.[ch] \
        2>/dev/null | while IFS= read -r line; do
        f=${line%%:*}
        for allowed_file in "$@"; do
            # shellcheck disable=SC2254
            case $f in $allowed_file) continue 2 ;; esac
        done
        printf '%s  (%s)\n' "$line" "$what"
    done
}
bad=$( (confined 'sqlite3\.h>' 'SQLite only in src/ and offline/outbox.c' 'src/*' 'offline/outbox.c' 'server/*';
        confined '(n?curses|ncursesw/|term\.h|panel\.h|menu\.h|form\.h)' 'curses only in ui/' 'ui/*';
        confined 'curl/' 'curl only in offline/http.c' 'offline/http.c';
        confined 'libusb' 'libusb only in the USB drivers' 'drivers/*usb*') )
if [ -n "$bad" ]; then echo "a library outside the files that own it:"; echo "$bad"; status=1; fi

# allowed FOLDER: the folders whose headers FOLDER may include
allowed() {
    case $1 in
    core) echo "core" ;;
    src) echo "core src" ;;
    drivers) echo "core src drivers" ;;
    offline) echo "core src offline" ;;
    app) echo "core src drivers offline app" ;;
    ui) echo "core src drivers offline app ui" ;;
    main) echo "core src drivers offline app ui main" ;;
    server) echo "server" ;;
    esac
}
layers=$(mktemp)
trap 'rm -f "$layers"' EXIT
for dir in core src drivers offline app ui main server; do
    ok=$(allowed "$dir")
    for f in "$dir"/*.c "$dir"/*.h; do
        [ -f "$f" ] || continue
        grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
            inc=$(printf '%s\n' "$line" | sed -E 's/.*#[[:space:]]*include[[:space:]]*"([^"]*)".*/\1/')
            top=${inc%%/*}
            if [ "$top" = "$inc" ]; then
                echo "$f:${line%%:*}: include \"$inc\" by its path from the top (\"folder/$inc\")"
                continue
            fi
            case " $ok " in *" $top "*) ;; *)
                echo "$f:${line%%:*}: $dir/ may not include \"$inc\" (allowed: $ok)" ;;
            esac
        done
    done
done > "$layers" 2>&1 || true
if [ -s "$layers" ]; then echo "layer rules broken:"; cat "$layers"; status=1; fi
exit $status

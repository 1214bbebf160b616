#!/bin/bash
# scripts/check-deps.sh (in `make test`): every command the tests, scripts and Makefile run
# comes from a package in scripts/packages.list.  A planted use of an unlisted command fails
# it, naming the file and line, wherever the use hides (a pipe, $( ), a condition); words
# in strings, comments and here-documents are not commands.
. "$(dirname "$0")/lib.sh"
t_tmpdir
copy_tree() {
    rm -rf "$T_DIR/tree" && mkdir -p "$T_DIR/tree/tests" "$T_DIR/tree/bench" &&
    cp -r "$TILL_ROOT/scripts" "$TILL_ROOT/Makefile" "$T_DIR/tree/" &&
    cp "$TILL_ROOT"/tests/*.sh "$T_DIR/tree/tests/" && cp "$TILL_ROOT"/bench/*.sh "$T_DIR/tree/bench/"
}
deps() { sh "$T_DIR/tree/scripts/check-deps.sh" > "$T_DIR/out" 2>&1; }
plant() { # plant FILE LINE: adds LINE after the first line of FILE in a fresh copy
    copy_tree && sed -i "1a $2" "$T_DIR/tree/$1"
}

copy_tree
check "the tree as it is passes" deps || cat "$T_DIR/out"
check "the commands used are listed for install-deps.sh" bash -c "sh '$T_DIR/tree/scripts/check-deps.sh' --commands | grep -qx tmux"

# xxd (package xxd) is not in the list: whether or not it is installed here, its use fails
for use in 'xxd -p "$T_DIR/x"' 'h=$(xxd -p "$T_DIR/x")' 'echo "$(head -c 4 /dev/zero | xxd)"' \
        '[ -f x ] \&\& xxd x' 'if xxd -p x > /dev/null; then :; fi' 'timeout 5 xxd x'; do
    plant tests/e2e_cash_sale.sh "$use"
    if deps; then fail "an unlisted command is refused: $use"; else
        check "an unlisted command is refused, naming file and line: $use" grep -q '^tests/e2e_cash_sale.sh:2: xxd: ' "$T_DIR/out"; fi
done
copy_tree && printf 'planted:\n\t@echo x | xxd -p\n' >> "$T_DIR/tree/Makefile"
n=$(wc -l < "$T_DIR/tree/Makefile")
if deps; then fail "an unlisted command in a Makefile recipe is refused"; else
    check "an unlisted command in a Makefile recipe is refused" grep -q "^Makefile:$n: xxd: " "$T_DIR/out"; fi

# a package taken off the list: its commands fail, named with their package
copy_tree && sed -i '/^procps$/d' "$T_DIR/tree/scripts/packages.list"
if deps; then fail "a command whose package is not listed is refused"; else
    check "a command whose package is not listed is refused, naming its package" \
        grep -q 'pgrep: its package procps is not in scripts/packages.list' "$T_DIR/out"; fi

# words that are not commands
for text in 'echo "xxd is a tool; xxd | xxd"' '# xxd here' "echo 'xxd \&\& xxd'" 'cat <<END\nxxd\nEND' \
        'xxd x  # check-deps: not a command'; do
    plant tests/e2e_cash_sale.sh "$text"
    check "not a command: $text" deps || cat "$T_DIR/out"
done
finish

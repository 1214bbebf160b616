# Shared helpers for shell tests (tests/e2e_*.sh). Each check prints PASS/FAIL lines;
# the script ends with `finish`, which prints the counts tests/run.sh adds up.
TILL_ROOT=${TILL_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
TILL_BIN=${TILL_BIN:-$TILL_ROOT/build/till}
SERVER_BIN=${SERVER_BIN:-$TILL_ROOT/build/till-server}
T_PASSED=0
T_FAILED=0
# UTF-8 whatever the caller's locale (a fresh box has no LANG at all): tmux drops typed
# umlauts and counts columns wrongly without it.  Debian always has C.UTF-8.
export LC_ALL=C.UTF-8 LANG=C.UTF-8
unset LANGUAGE

pass() { T_PASSED=$((T_PASSED + 1)); echo "PASS: $*"; }
fail() { T_FAILED=$((T_FAILED + 1)); echo "FAIL: $*"; }
check() { # check "description" command...
    desc=$1; shift
    if "$@"; then pass "$desc"; else fail "$desc"; fi
}
check_eq() { # check_eq "description" expected actual
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (expected '$2', got '$3')"; fi
}
# skip "why": a check that cannot run here, said so (tests/run.sh counts it as skipped,
# never as passed)
skip() { T_SKIPPED=$((${T_SKIPPED:-0} + 1)); echo "SKIPPED: $*"; }
finish() {
    echo "RESULT: $T_PASSED passed, $T_FAILED failed${T_SKIPPED:+, $T_SKIPPED skipped}"
    [ "$T_FAILED" -eq 0 ]
}

# A fresh directory for one test, removed at exit.
t_tmpdir() {
    T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/till-test.XXXXXX")
    trap 't_cleanup' EXIT
}
t_cleanup() {
    for i in $(seq 1 "${T_TMUX_N:-0}"); do tmux -L "till-test-$$-$i" kill-server 2>/dev/null; done
    for p in ${T_PIDS:-}; do kill "$p" 2>/dev/null; done
    [ -n "${T_DIR:-}" ] && [ -z "${KEEP_TEST_DIR:-}" ] && rm -rf "$T_DIR"
    return 0
}

# --- driving the real binary in a real terminal (tmux) ---
# t_tmux_start COLSxROWS command...  (own tmux server per test)
t_tmux_start() {
    size=$1; shift
    # a fresh tmux server per start: reusing a name races with the old server's exit
    [ -n "${T_TMUX:-}" ] && tmux -L "$T_TMUX" kill-server 2>/dev/null
    T_TMUX_N=$(( ${T_TMUX_N:-0} + 1 ))
    T_TMUX="till-test-$$-$T_TMUX_N"
    # the pane stays after the program exits, so its last screen (an error) can be read
    tmux -L "$T_TMUX" -f /dev/null new-session -d -s t -x "${size%x*}" -y "${size#*x}" \; \
        set-option -t t remain-on-exit on \; respawn-pane -k -t t "$*"
}
t_keys() { tmux -L "$T_TMUX" send-keys -t t "$@"; }
t_screen() { tmux -L "$T_TMUX" capture-pane -p -t t; }
# t_wait_for TEXT [seconds]: waits until TEXT is on screen.
t_wait_for() {
    n=$(( ${2:-10} * 20 ))
    while [ "$n" -gt 0 ]; do
        if ! tmux -L "$T_TMUX" has-session -t t 2>/dev/null; then
            echo "--- the terminal session is gone (the program exited?) while waiting for '$1'"
            return 1
        fi
        t_screen | grep -qF -- "$1" && return 0
        sleep 0.05; n=$((n - 1))
    done
    echo "--- screen while waiting for '$1':"; t_screen
    return 1
}
t_pane_dead() { [ "$(tmux -L "$T_TMUX" display-message -p -t t '#{pane_dead}')" = 1 ]; }
t_wait_exit() {
    n=$(( ${1:-10} * 20 ))
    while [ "$n" -gt 0 ]; do t_pane_dead && return 0; sleep 0.05; n=$((n - 1)); done
    return 1
}
# t_type_slowly TEXT: one key at a time, 120 ms apart, as a person types (not a scan).
t_type_slowly() {
    s=$1
    while [ -n "$s" ]; do
        c=${s%"${s#?}"}; s=${s#?}
        tmux -L "$T_TMUX" send-keys -t t -l "$c"; sleep 0.12
    done
}
# t_wait_gone TEXT [seconds]: waits until TEXT is no longer on screen (a dialog closed).
t_wait_gone() {
    n=$(( ${2:-10} * 20 ))
    while [ "$n" -gt 0 ]; do
        t_screen | grep -qF -- "$1" || return 0
        sleep 0.05; n=$((n - 1))
    done
    echo "--- screen while waiting for '$1' to go:"; t_screen
    return 1
}
# t_empty_sale [seconds]: waits for an empty sale screen.  An open sale a kill left behind
# comes back on restart (app/open_cart.c): it is cancelled first (F8, y), its card payments
# reversed, as a cashier would who does not know the customer any more.
t_empty_sale() {
    n=$(( ${1:-10} * 20 ))
    while [ "$n" -gt 0 ]; do
        s=$(t_screen)
        case "$s" in
        *"Empty sale"*) return 0 ;;
        *"Cancel the whole sale?"*) t_keys y ;;
        *TOTAL*) [ $((n % 20)) = 0 ] && t_keys F8 ;;   # a restored sale (or recovery still busy)
        esac
        sleep 0.05; n=$((n - 1))
    done
    echo "--- screen while waiting for an empty sale:"; t_screen
    return 1
}
# t_footer_is TEXT [seconds]: waits until the bottom line (the keys that work) is TEXT.
t_footer_is() {
    n=$(( ${2:-10} * 20 ))
    while [ "$n" -gt 0 ]; do
        [ "$(t_screen | tail -n 1 | sed 's/^ *//; s/ *$//')" = "$1" ] && return 0
        sleep 0.05; n=$((n - 1))
    done
    echo "--- footer while waiting for '$1':"; t_screen | tail -n 1
    return 1
}

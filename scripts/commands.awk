# Prints every external command a shell script (or a Makefile) runs, one "FILE:LINE: NAME" a
# line, for scripts/check-deps.sh and scripts/install-deps.sh.  A small shell lexer: it keeps
# quotes, command substitutions, here-documents and case patterns apart, and takes the word in
# command position (start of a line, after ; & | ( { $( ` and the shell's keywords, past
# VAR=value assignments and redirections, through env, exec, command, timeout, nice, xargs,
# setpriv, sudo).  Builtins, functions defined in any of the files read, variables and
# paths ($x, ./x, build/x) are not external commands and are left out.
#   awk -f scripts/commands.awk [-v make=1] [-v funclist="f g"] FILE...
# (make=1: the files are Makefiles).  A line that it reads wrong (a word taken for a
# command that is none) ends in the comment "# check-deps: not a command".
BEGIN {
    n = split("alias bg break builtin cd command continue declare echo eval exec exit export false " \
        "fc fg getopts hash jobs kill let local printf pwd read readonly return set shift source " \
        "test times trap true type typeset ulimit umask unalias unset wait mapfile readarray " \
        ". : [ [[ ]] { } ! if then else elif fi for while until do done case esac in function " \
        "select time coproc shopt enable disown suspend caller compgen complete dirs popd pushd " \
        "logout help history", b, " ")
    for (i = 1; i <= n; i++) builtin[b[i]] = 1
    # words after which the next word is again a command
    n = split("then do else elif if while until ! time { (", k, " ")
    for (i = 1; i <= n; i++) again[k[i]] = 1
    # commands that run the command after their options
    n = split("exec command env nohup nice xargs sudo setsid stdbuf chroot flock timeout setpriv " \
        "runuser ionice taskset", k, " ")
    for (i = 1; i <= n; i++) wrapper[k[i]] = 1
    # functions defined in the files read (the caller lists them: -v funcs="a b")
    n = split(funclist, k, " ")
    for (i = 1; i <= n; i++) funcs[k[i]] = 1
    # tests/lib.sh's check runs its command after the description
    delete funcs["check"]; builtin["check"] = 1
}
FNR == 1 { st = ""; depth = 0; heredoc = ""; cont = 0; casepat = 0; casewait = 0; incase = 0; linecont = 0 }
# here-documents: data until the closing word
heredoc != "" {
    l = $0; if (heredoc_strip) sub(/^\t+/, "", l)
    if (l == heredoc) heredoc = ""
    next
}
{
    line = $0
    # a line the lexer gets wrong can say so: "# check-deps: not a command"
    quiet = (line ~ /#[ \t]*check-deps: not a command/)
    if (make) {
        # a recipe line (a tab, or continuing one) is shell; elsewhere only $(shell ...) runs
        recipe = (line ~ /^\t/ || cont)
        cont = recipe && (line ~ /\\$/)
        gsub(/\$\$/, "\001", line)
        gsub(/\$\(shell /, "\001(", line)
        gsub(/\$\(CC\)/, "cc", line); gsub(/\$\(FUZZCC\)/, "clang", line); gsub(/\$\(MAKE\)/, "make", line)
        # make's own variables and functions are not commands
        while (match(line, /\$\([^()$]*\)|\$[@<^*?]/)) line = substr(line, 1, RSTART - 1) "MAKEVAR" substr(line, RSTART + RLENGTH)
        if (!recipe) {
            if (!index(line, "\001(")) next
            line = substr(line, index(line, "\001("))
        }
        sub(/^\t[-@+]*/, "", line)
        gsub(/\001/, "$", line)
    }
    lex(line)
}
# st is a stack of contexts, one char each: ' single quote, " double quote, ( command
# substitution or subshell, ` backquotes, a arithmetic.  The top is the last char.
function top() { return substr(st, length(st)) }
function push(c) { st = st c }
function pop() { st = substr(st, 1, length(st) - 1) }
# a command substitution, subshell or backquote: a command inside, and afterwards the
# outer command goes on where it was
function opensub(c) {
    depth++; svw[depth] = word; svc[depth] = cmdpos; svr[depth] = wrap; svs[depth] = skipnext
    push(c); word = ""; cmdpos = 1; wrap = 0; skipnext = 0
}
function closesub() {
    endword(); pop()
    word = svw[depth]; cmdpos = svc[depth]; wrap = svr[depth]; skipnext = svs[depth]; depth--
}
function emit(w) {
    if (w == "" || w in builtin || w in funcs || quiet) return
    if (w !~ /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/ || w ~ /^[0-9]/) return
    printf "%s:%d: %s\n", FILENAME, FNR, w
}
function endword(   w) {
    w = word; word = ""
    if (w == "") return
    if (casewait) { if (w == "in") { casewait = 0; casepat = 1 }; return }
    if (casepat) { if (w == "esac") { casepat = 0; incase--; cmdpos = 0 }; return }
    if (!cmdpos) return
    if (w ~ /^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=/) return                  # assignment
    if (w ~ /^[A-Za-z_][A-Za-z0-9_.:-]*\(\)$/) { cmdpos = 1; return }           # name() {
    if (w == "function") { fdef = 1; return }
    if (fdef) { fdef = 0; cmdpos = 1; return }
    if (w == "case") { incase++; casewait = 1; cmdpos = 0; return }
    if (w == "esac") { incase--; cmdpos = 0; return }
    if (w == "for" || w == "select") { cmdpos = 0; return }
    if (w in again) { wrap = 0; return }
    if (skipnext) { skipnext = 0; return }
    if (w == "check") { skipnext = 1; wrap = 1; return }
    if (w in wrapper) { wrap = 1; emit(w); return }
    # a command named by a variable ("$TILL_BIN" ...): its arguments are not commands
    if (wrap && w ~ /^"?\$/) { wrap = 0; cmdpos = 0; return }
    # a wrapper's options, durations, user names and paths come before its command
    if (wrap && (w ~ /^-/ || w ~ /^[0-9.]+[smhd]?$/ || w ~ /[\/$"'=]/)) return
    wrap = 0
    emit(w)
    cmdpos = 0
}
function newcmd() { endword(); cmdpos = 1; wrap = 0; skipnext = 0 }
function lex(s,   i, c, c2, c3, t, n, q) {
    if (!linecont && st == "") { cmdpos = 1; wrap = 0 }
    linecont = 0; word = ""; n = length(s)
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1); c2 = substr(s, i, 2); c3 = substr(s, i, 3); t = top()
        if (t == "'") { if (c == "'") pop(); continue }
        if (t == "a") { if (c2 == "))") { pop(); i++ } else if (c == "(") push("b"); continue }
        if (t == "b") { if (c == ")") pop(); else if (c == "(") push("b"); continue }
        if (t == "\"") {
            if (c == "\\") { word = word c2; i++; continue }
            if (c == "\"") { pop(); word = word c; continue }
            if (c3 == "$((") { push("a"); i += 2; word = word "$"; continue }
            if (c2 == "$(") { opensub("("); i++; continue }
            if (c == "`") { opensub("`"); continue }
            word = word c; continue
        }
        # the normal context: the top level, or inside $( ), ( ) or ` `
        if (c == "\\") { if (i == n) { linecont = 1; break } word = word c2; i++; continue }
        if (c == "'") { push("'"); word = word "'"; continue }
        if (c == "\"") { push("\""); word = word "\""; continue }
        if (c == "#" && word == "") break
        if (c3 == "$((") { push("a"); i += 2; word = word "$"; continue }
        if (c2 == "((" && word == "") { push("a"); i++; cmdpos = 0; continue }
        if (c2 == "$(") { opensub("("); i++; continue }
        if (c == "`") { if (t == "`") closesub(); else opensub("`"); continue }
        if (c2 == "<<" && c3 != "<<<") {
            q = substr(s, i + 2); heredoc_strip = (q ~ /^-/); sub(/^-?[ \t]*/, "", q)
            if (match(q, /^['"]?[A-Za-z_][A-Za-z0-9_]*['"]?/)) {
                endword(); heredoc = substr(q, RSTART, RLENGTH); gsub(/['"]/, "", heredoc)
                i = n - length(q) + RLENGTH; continue
            }
        }
        if (c == " " || c == "\t") { endword(); continue }
        if (c == ";" || c == "&" || c == "|") {
            if (c2 == ";;" || c2 == ";&") { endword(); casepat = 1; i++; continue }
            if (c == "&" && substr(s, i - 1, 1) ~ /[<>]/) { word = word c; continue }
            newcmd()
            if (c2 == "&&" || c2 == "||" || c2 == "|&") i++
            continue
        }
        if (c == "(") {
            if (c2 == "()" && word != "") { word = word "()"; i++; endword(); continue }
            endword(); opensub("("); continue
        }
        if (c == ")") {
            if (casepat) { word = ""; casepat = 0; cmdpos = 1; wrap = 0; continue }
            if (t == "(") closesub(); else { endword(); cmdpos = 0 }; continue
        }
        if (c == ">" || c == "<") {
            # a redirection: its target is not a command (and stays out of the words)
            if (word !~ /^[0-9]*$/) endword(); word = ""
            while (substr(s, i + 1, 1) ~ /[<>&|]/) i++
            if (substr(s, i + 1, 1) == "(") { opensub("("); i++; continue }
            while (substr(s, i + 1, 1) ~ /[ \t]/) i++
            while (i < n && substr(s, i + 1, 1) !~ /[ \t;&|()<>]/) {
                i++; c = substr(s, i, 1)
                if (c == "\"" || c == "'") { q = index(substr(s, i + 1), c); if (q) i += q; else { push(c); break } }
            }
            continue
        }
        word = word c
    }
    if (!linecont) endword()
}

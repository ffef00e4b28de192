#!/bin/bash
# `pcilab exec` end to end (TAP): an ordinary uninstrumented program using
# /dev/iommu through the LD_PRELOAD shim, served by pcilab in-process.
#   usage: exec.sh PCILAB CLIENT SOURCE_DIR
# The client prints its own TAP plan and lines; this script adds checks of
# the command itself around it and renumbers into one stream.
PCILAB=$1
CLIENT=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$T/err" 2>/dev/null | head -30; }

# The program must not inherit the sanitizer runtime of an instrumented
# pcilab through LD_PRELOAD; only the shim is preloaded.
unset LD_PRELOAD

timeout -s KILL 100 "$PCILAB" exec -- "$CLIENT" > "$T/out" 2> "$T/err"
status=$?
want=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$T/out")
[ -n "$want" ] || want=0
echo "1..$((want + 6))"
got=0
while IFS= read -r line; do
	case "$line" in
	"ok "*|"not ok "*)
		got=$((got + 1))
		desc=${line#*- }
		case "$line" in ok*) ok "client: $desc" ;; *) not_ok "client: $desc" ;; esac ;;
	"#"*) echo "$line" ;;
	esac
done < "$T/out"
if [ "$got" = "$want" ] && [ "$want" -gt 0 ]; then ok "client ran all $want checks"; else not_ok "client ran $got of $want checks"; fi
if [ "$status" = 0 ]; then ok "pcilab exec exits with the client's status 0"; else not_ok "pcilab exec exit $status"; fi
if grep -qiE "AddressSanitizer|LeakSanitizer|runtime error" "$T/err"; then not_ok "no sanitizer report"; else ok "no sanitizer report"; fi

# Exit statuses pass through; a missing program is 127; bad usage 2.
"$PCILAB" exec -- sh -c 'exit 7' > /dev/null 2> "$T/err"
s=$?; if [ "$s" = 7 ]; then ok "exit status passed through"; else not_ok "exit status $s, expected 7"; fi
"$PCILAB" exec -- /nonexistent/program > /dev/null 2> "$T/err"
s=$?; if [ "$s" = 127 ] && grep -q "nonexistent" "$T/err"; then ok "missing program: 127 with a message"; else not_ok "missing program: status $s"; fi
"$PCILAB" exec > /dev/null 2> "$T/err"
s=$?; if [ "$s" = 2 ]; then ok "no program: usage, status 2"; else not_ok "no program: status $s"; fi

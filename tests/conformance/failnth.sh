#!/bin/bash
# Fault injection under `pcilab exec` (TAP): the emulated /sys/kernel/debug
# and per-thread /proc/.../fail-nth files, and fail-nth driving failures of
# the daemon's iommufd (docs/daemon.md, "Fault injection").
#   usage: failnth.sh PCILAB CLIENT
# The client prints its own TAP; this script checks the exit status, that
# no sanitizer complained, and that pcilab removed the private debugfs.
PCILAB=$1
CLIENT=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$T/err" 2>/dev/null | head -30; }

unset LD_PRELOAD
mkdir "$T/tmp"
TMPDIR=$T/tmp timeout -s KILL 100 "$PCILAB" exec -- "$CLIENT" > "$T/out" 2> "$T/err"
status=$?
want=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$T/out")
[ -n "$want" ] || want=0
echo "1..$((want + 4))"
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
left=$(find "$T/tmp" -mindepth 1 | head -5)
if [ -z "$left" ]; then ok "the private debugfs went with pcilab's directory"; else echo "# left: $left"; not_ok "files left in TMPDIR"; fi

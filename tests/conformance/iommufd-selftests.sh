#!/bin/bash
# The kernel's own iommufd selftests (iommufd.c, iommufd_fail_nth.c from
# Debian's linux-source-6.12), built unmodified and run under `pcilab exec`
# by scripts/selftests.sh, reported as one TAP stream for `make check`.
#
#   usage: iommufd-selftests.sh BUILD_DIR SOURCE_DIR
#
# Every harness test becomes one TAP line, judged against
# tests/selftests/known-failures.txt (see its header): an unlisted test that
# fails, skips or never runs is "not ok"; a listed one that fails is a known
# failure (TODO); a listed one that passes is "not ok" until its line goes.
#
# The *_huge variants map MAP_HUGETLB buffers of up to 128 MiB. As root this
# script reserves hugetlb pages for the run and restores the old count after;
# when it cannot, it says so and reports those variants as skipped.
set -u
build=$1
src=$2
known=$src/tests/selftests/known-failures.txt
want_huge=128		# 2 MiB pages: the largest fixture takes 64
nr_file=/proc/sys/vm/nr_hugepages

huge_note=
old_nr=
if [ -w "$nr_file" ]; then
	old_nr=$(cat "$nr_file")
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	if [ "${free:-0}" -lt "$want_huge" ]; then
		echo $((old_nr + want_huge - free)) > "$nr_file" 2>/dev/null
	fi
	trap 'echo "$old_nr" > "$nr_file" 2>/dev/null' EXIT
fi
free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo 2>/dev/null)
if [ "${free:-0}" -lt 64 ]; then
	huge_note="only ${free:-0} free hugetlb pages (need 64; run as root to reserve them in $nr_file)"
	echo "# iommufd-selftests: $huge_note: the *_huge variants are skipped"
fi

# Tests whose outcome Linux ties to the caller's privileges: RLIMIT_MODE
# needs CAP_SYS_RESOURCE (capable(), drivers/iommu/iommufd/main.c), which
# the root of some sandboxes lacks; there Linux fails the test with EPERM
# too, so it is reported as skipped, with the reason.
cap_eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
declare -A env_skip
if [ $(( 0x${cap_eff:-0} >> 24 & 1 )) = 0 ]; then
	env_skip[iommufd:iommufd.global_options]="the caller lacks CAP_SYS_RESOURCE (CapEff $cap_eff): Linux refuses IOMMU_OPTION_RLIMIT_MODE with EPERM as well"
fi

# The daemon side runs in BUILD_DIR's pcilab (instrumented in make check);
# the selftests and the shim are ordinary programs.
"$src/scripts/selftests.sh" "$build" > "$build/selftests.summary" 2>&1
sed 's/^/# /' "$build/selftests.summary"

declare -A reason
while IFS= read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	name=${line%%[[:space:]]*}
	why=${line#"$name"}
	reason[$name]=$(sed -E 's/^[[:space:]]+//' <<< "$why")
done < "$known"

n=0
declare -A seen
emit() {	# STATUS NAME [DETAIL]
	n=$((n + 1))
	echo "$1 $n - $2${3:+ # $3}"
}
judge() {	# NAME RESULT(pass|fail|skip) [HARNESS_REASON]
	local name=$1 res=$2 why=${3:-}
	seen[$name]=1
	if [ -n "${reason[$name]+x}" ]; then
		if [ "$res" = pass ]; then
			emit "not ok" "$name" "passes now: remove it from tests/selftests/known-failures.txt"
		else
			emit "not ok" "$name" "TODO known failure: ${reason[$name]}"
		fi
		return
	fi
	case "$res" in
	pass) emit ok "$name" ;;
	skip) emit "not ok" "$name" "the harness skipped it: $why" ;;
	fail)
		if [ -n "${env_skip[$name]+x}" ]; then
			emit ok "$name" "SKIP ${env_skip[$name]}"
		elif [ -n "$huge_note" ] && [[ $name == *_huge.* ]]; then
			emit ok "$name" "SKIP $huge_note"
		else
			emit "not ok" "$name"
		fi ;;
	esac
}

for prog in iommufd iommufd_fail_nth; do
	log=$build/selftests/$prog.log
	if [ ! -f "$log" ]; then
		emit "not ok" "$prog" "did not run (see the lines above)"
		continue
	fi
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -1)
	got=0
	while IFS= read -r line; do
		[[ $line =~ ^(not\ ok|ok)\ [0-9]+\ ([^ ]+)(\ #\ (SKIP|XFAIL)\ ?(.*))?$ ]] || continue
		got=$((got + 1))
		name=$prog:${BASH_REMATCH[2]}
		if [ "${BASH_REMATCH[4]}" = SKIP ]; then
			judge "$name" skip "${BASH_REMATCH[5]}"
		elif [ "${BASH_REMATCH[1]}" = ok ]; then
			judge "$name" pass
		else
			judge "$name" fail
		fi
	done < "$log"
	# A crash mid-run leaves tests unreported: each missing one is a failure.
	if [ -z "$plan" ] || [ "$got" -lt "$plan" ]; then
		emit "not ok" "$prog: ran $got of ${plan:-?} tests" "see $log and $build/selftests/$prog.err"
	fi
	if grep -qE "AddressSanitizer|LeakSanitizer|runtime error" "$build/selftests/$prog.err"; then
		emit "not ok" "$prog: the daemon reported a sanitizer error" "see $build/selftests/$prog.err"
		grep -m5 -E "AddressSanitizer|LeakSanitizer|runtime error" "$build/selftests/$prog.err" | sed 's/^/# /'
	fi
done

# A listed test that no longer exists makes the list stale.
for name in "${!reason[@]}"; do
	[ -n "${seen[$name]+x}" ] || emit "not ok" "$name" "listed in known-failures.txt but not run by the selftests"
done
echo "1..$n"

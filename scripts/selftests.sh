#!/usr/bin/env bash
# Build the kernel's own iommufd selftests (tools/testing/selftests/iommu/
# iommufd.c and iommufd_fail_nth.c from Debian's linux-source-6.12),
# unmodified, and run each under `pcilab exec`, where /dev/iommu is
# pcilab's iommufd reached through the LD_PRELOAD shim. Prints the
# harness's pass/fail/skip counts per program and in total.
#
# The selftests are built as ordinary programs (no sanitizers), so that
# the shim can be preloaded into them; tests/selftests/compat.h is
# force-included to supply the few uAPI names the shipped selftests use
# that the 6.12 headers lack.
#
# usage: selftests.sh BUILD_DIR [FILTER ARGS...]
#   extra arguments go to both selftest binaries (kselftest harness
#   options, e.g. -f FIXTURE or -t TEST); PCILAB_SELFTEST_TIMEOUT=SECONDS
#   bounds each program's run (default 900).
# Exit status: 0 if every test that ran passed, 1 otherwise, 2 bad usage or
# build failure.
set -uo pipefail

if [ $# -lt 1 ]; then
	echo "usage: $0 BUILD_DIR [HARNESS ARGS...]" >&2
	exit 2
fi
build=$(cd "$1" && pwd) || exit 2
shift
top=$(cd "$(dirname "$0")/.." && pwd)
linux=$("$top/scripts/extract-linux.sh") || exit 2
src=$linux/tools/testing/selftests/iommu
pcilab=$build/tools/pcilab/pcilab
out=$build/selftests
timeout_s=${PCILAB_SELFTEST_TIMEOUT:-900}
cc=${CC:-cc}

if [ ! -x "$pcilab" ] || [ ! -f "$build/shim/libpcilab-preload.so" ]; then
	echo "selftests.sh: build $build first (ninja -C $build)" >&2
	exit 2
fi
mkdir -p "$out"

total_pass=0 total_fail=0 total_skip=0 status=0
for t in iommufd iommufd_fail_nth; do
	if ! "$cc" -O1 -g -Wall -Wno-unused-function -D_GNU_SOURCE \
		-include "$top/tests/selftests/compat.h" \
		-isystem "$linux/usr/include" \
		-I "$linux/tools/testing/selftests" \
		-I "$linux/drivers/iommu/iommufd" \
		"$src/$t.c" -o "$out/$t" -lpthread 2> "$out/$t.build.log"; then
		echo "selftests.sh: building $t failed:" >&2
		sed 's/^/  /' "$out/$t.build.log" | head -40 >&2
		exit 2
	fi
	# LD_PRELOAD must reach only the selftest (pcilab exec sets it).
	env -u LD_PRELOAD timeout -s KILL "$timeout_s" \
		"$pcilab" exec -- "$out/$t" "$@" > "$out/$t.log" 2> "$out/$t.err"
	rc=$?
	# The harness's own summary if it got that far; else count TAP lines.
	totals=$(grep -E '^# Totals: ' "$out/$t.log" | tail -1)
	if [ -n "$totals" ]; then
		pass=$(sed -E 's/.* pass:([0-9]+).*/\1/' <<< "$totals")
		fail=$(sed -E 's/.* fail:([0-9]+).*/\1/' <<< "$totals")
		skip=$(sed -E 's/.* skip:([0-9]+).*/\1/' <<< "$totals")
		err=$(sed -E 's/.* error:([0-9]+).*/\1/' <<< "$totals")
		fail=$((fail + err))
	else
		skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$out/$t.log" || true)
		pass=$(( $(grep -cE '^ok [0-9]+ ' "$out/$t.log") - skip ))
		fail=$(grep -cE '^not ok [0-9]+ ' "$out/$t.log")
		echo "# $t: no harness summary (exit $rc); counted TAP lines"
	fi
	echo "$t: pass $pass, fail $fail, skip $skip (exit $rc; log $out/$t.log)"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
	[ "$fail" = 0 ] && [ "$rc" = 0 ] || status=1
done
echo "total: pass $total_pass, fail $total_fail, skip $total_skip"
exit $status

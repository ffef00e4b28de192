#!/bin/sh
# usage: scripts/run-fuzz.sh BUILD_DIR SECONDS
#
# Run every libFuzzer target of BUILD_DIR (built with -Dfuzz=true, i.e.
# `make fuzz`) for SECONDS each. A target fuzz/.../fuzz-NAME starts from
# the seed corpus fuzz/corpus/NAME (read only) and writes what it finds to
# BUILD_DIR/fuzz/corpus-NAME; crashes land in BUILD_DIR/fuzz/crashes-NAME.
# A dictionary fuzz/dict/NAME.dict is used when present.
# Exit status: non-zero if any target found a crash.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
fi
build=$1
secs=$2
src=$(cd "$(dirname "$0")/.." && pwd)
status=0
found=0

for exe in "$build"/fuzz/fuzz-*; do
	[ -x "$exe" ] && [ -f "$exe" ] || continue
	name=${exe##*/fuzz-}
	case $name in replay-*) continue ;; esac
	found=1
	work="$build/fuzz/corpus-$name"
	crashes="$build/fuzz/crashes-$name"
	mkdir -p "$work" "$crashes"
	set -- -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$crashes/"
	if [ -f "$src/fuzz/dict/$name.dict" ]; then
		set -- "$@" -dict="$src/fuzz/dict/$name.dict"
	fi
	echo "== fuzz-$name for ${secs}s"
	if ! "$exe" "$@" "$work" "$src/fuzz/corpus/$name"; then
		echo "fuzz-$name: FAILED, reproducer in $crashes/ (turn it into a named regression test)" >&2
		status=1
	fi
done

if [ $found -eq 0 ]; then
	echo "no fuzz targets in $build/fuzz (configure with CC=clang -Dfuzz=true)" >&2
	exit 1
fi
exit $status

#!/bin/sh
# Run every benchmark binary of a build (BUILD_DIR/bench/bench-*) and print
# its output, headed by what machine it ran on. Usage: run-bench.sh BUILD_DIR
set -eu

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$1

model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
echo "machine: ${model:-unknown CPU}, $(nproc) CPUs online, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "build:   $build"
echo

status=0
found=0
for b in "$build"/bench/bench-*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	found=1
	echo "### $(basename "$b")"
	if ! "$b"; then
		echo "!!! $(basename "$b") failed" >&2
		status=1
	fi
	echo
done
if [ "$found" -eq 0 ]; then
	echo "no benchmarks in $build/bench" >&2
	exit 1
fi
exit $status

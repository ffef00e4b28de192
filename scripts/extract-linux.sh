#!/usr/bin/env bash
# Unpack the parts of Debian's linux-source-6.12 that pcilab builds against:
# the uAPI headers (include/uapi), exported for userspace the way the
# kernel's `make headers_install` does it (its own scripts/headers_install.sh
# and unifdef, into CACHE_DIR/usr/include), and the iommu selftests with the
# kselftest harness. Nothing of it is ever copied into the source tree; it lands in a
# cache directory (default: .cache/linux-6.12 under the source root) that
# every build directory shares.
#
# usage: extract-linux.sh [CACHE_DIR]   prints CACHE_DIR on success
set -euo pipefail

tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-$top/.cache/linux-6.12}
stamp=$cache/.extracted-v2

if [ -f "$stamp" ]; then
	echo "$cache"
	exit 0
fi
if [ ! -r "$tarball" ]; then
	echo "extract-linux.sh: $tarball not found; install linux-source-6.12 (scripts/install-deps.sh)" >&2
	exit 1
fi

echo "extract-linux.sh: unpacking uAPI headers and selftests from $tarball" >&2
tmp=$(mktemp -d "${cache%/*}/.extract.XXXXXX" 2>/dev/null || { mkdir -p "${cache%/*}"; mktemp -d "${cache%/*}/.extract.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tarball" -C "$tmp" --strip-components=1 \
	'linux-source-6.12/include/uapi' \
	'linux-source-6.12/arch/x86/include/uapi' \
	'linux-source-6.12/tools/testing/selftests/iommu' \
	'linux-source-6.12/tools/testing/selftests/kselftest.h' \
	'linux-source-6.12/tools/testing/selftests/kselftest_harness.h' \
	'linux-source-6.12/drivers/iommu/iommufd/iommufd_test.h' \
	'linux-source-6.12/tools/include' \
	'linux-source-6.12/scripts/headers_install.sh' \
	'linux-source-6.12/scripts/unifdef.c'

# make headers_install: strip kernel-only parts of every uAPI header.
${CC:-cc} -O2 -w -o "$tmp/scripts/unifdef" "$tmp/scripts/unifdef.c"
# Paths stay relative to the kernel tree: headers_install.sh matches its
# list of tolerated CONFIG_ leaks against them.
export_headers() {	# SRC_DIR (relative to the tree) SUBDIR
	( cd "$tmp/$1" && find "$2" -maxdepth 1 -name '*.h' ) |
		sed "s|^|$1/|" |
		xargs -P "$(nproc)" -n 16 sh -c '
			for f; do
				out=usr/include/${f#*/uapi/}
				mkdir -p "$(dirname "$out")"
				sh scripts/headers_install.sh "$f" "$out" || exit 255
			done' sh
}
mkdir -p "$tmp/usr/include"
cd "$tmp"
export_headers include/uapi linux
export_headers include/uapi asm-generic
export_headers arch/x86/include/uapi asm
cd - >/dev/null
rm -rf "$cache"
mkdir -p "${cache%/*}"
mv "$tmp" "$cache"
trap - EXIT
touch "$stamp"
echo "$cache"

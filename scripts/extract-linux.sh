#!/usr/bin/env bash
# Unpack the parts of Debian's linux-source-6.12 that pcilab builds against:
# the uAPI headers (include/uapi) and the iommu selftests with the kselftest
# harness. Nothing of it is ever copied into the source tree; it lands in a
# cache directory (default: .cache/linux-6.12 under the source root) that
# every build directory shares.
#
# usage: extract-linux.sh [CACHE_DIR]   prints CACHE_DIR on success
set -euo pipefail

tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-$top/.cache/linux-6.12}
stamp=$cache/.extracted-v1

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
	'linux-source-6.12/tools/include'
rm -rf "$cache"
mkdir -p "${cache%/*}"
mv "$tmp" "$cache"
trap - EXIT
touch "$stamp"
echo "$cache"

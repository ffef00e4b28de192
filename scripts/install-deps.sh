#!/usr/bin/env bash
# Install the Debian 12 packages pcilab builds, tests and runs with.
# As root: apt-get installs whatever is missing. Otherwise: print the exact
# apt-get line and fail, so the user knows what to run.
set -euo pipefail

pkgs=(
	build-essential meson ninja-build pkg-config   # toolchain (C11, Meson + Ninja)
	clang libclang-rt-14-dev                       # libFuzzer targets
	libyaml-dev                                    # platform files
	libssl-dev openssl                             # OpenSSL 3: SPDM crypto, X.509 (CLI for tests)
	libcmocka-dev                                  # unit tests
	pciutils pci.ids libpci-dev                    # lspci -F as independent decoder, names
	linux-source-6.12                              # uAPI headers and iommufd selftests
	xz-utils                                       # to unpack linux-source
)

missing=()
for p in "${pkgs[@]}"; do
	# dpkg-query prints "install ok installed" only for a fully installed package.
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "pcilab: missing Debian packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "pcilab: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

#!/bin/bash
# Conformance of `pcilab lspci` with pciutils' lspci (TAP).
#   usage: lspci-conformance.sh PCILAB SOURCE_DIR
# (a) `pcilab lspci -xxxx` of a platform, decoded by real `lspci -F -vvv`,
#     shows each capability with the values the platform file configures;
# (b) `pcilab lspci -F dump -vvv` equals `lspci -F dump -vvv` on every block
#     our decoder claims, and the live view (`pcilab lspci -vvv`) equals the
#     dump view but for the BAR sizes only a live system knows;
# (c) dump -> replay -> dump is byte-identical.
PCILAB=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
fails=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() {	# check DESC COMMAND...
	local d=$1; shift
	if "$@" > "$T/out" 2>&1; then ok "$d"; else not_ok "$d"; sed 's/^/# /' "$T/out" | head -40; fi
}
has() {		# has FILE FIXED-STRING
	grep -qF -- "$2" "$1" || { echo "missing: $2"; return 1; }
}

command -v lspci > /dev/null || { echo "1..0 # SKIP pciutils' lspci is not installed"; exit 0; }

echo "1..15"

# ---- (a) ----------------------------------------------------------------------
"$PCILAB" lspci -xxxx > "$T/default.dump" 2> "$T/err"
check "default platform: pcilab lspci -xxxx" test -s "$T/default.dump"
"$PCILAB" --platform "$SRC/platforms/all-caps.yaml" lspci -xxxx > "$T/allcaps.dump" 2> "$T/err"
check "all-caps platform: pcilab lspci -xxxx" test -s "$T/allcaps.dump"
lspci -F "$T/default.dump" -vvv > "$T/default.real" 2>/dev/null
lspci -F "$T/allcaps.dump" -vvv > "$T/allcaps.real" 2>/dev/null

clean() {	# no "<?>" (but for vendor-specific contents), chain errors or unknown IDs
	# pciutils 3.9 does not decode IDE (Extended Capability ID 0x30,
	# PCIe r6.2 §7.9.26); it still walks past it.
	! grep -n -e '<?>' -e 'chain broken' -e 'chain looped' -e 'Capability ID' \
		-e '!!!' -e '<access denied>' "$1" | grep -v -e 'Vendor Specific' -e 'Designated Vendor-Specific' \
		-e 'Extended Capability ID 0x30$'
}
check "default platform decodes cleanly in lspci" clean "$T/default.real"
check "all-caps platform decodes cleanly in lspci" clean "$T/allcaps.real"

A="$T/allcaps.real"
check "all-caps: DSN, PM, MSI, MSI-X values" sh -c "
	grep -qF 'Device Serial Number fe-dc-ba-98-76-54-32-10' '$A' &&
	grep -qF 'Power Management version 2' '$A' &&
	grep -qF 'AuxCurrent=375mA PME(D0+,D1+,D2+,D3hot+,D3cold+)' '$A' &&
	grep -qF 'MSI: Enable- Count=1/32 Maskable+ 64bit+' '$A' &&
	grep -qF 'MSI-X: Enable- Count=2048 Masked-' '$A' &&
	grep -qF 'Vector table: BAR=0 offset=00010000' '$A' &&
	grep -qF 'PBA: BAR=2 offset=00000100' '$A'"
check "all-caps: SR-IOV, PASID, ATS, PRI values" sh -c "
	grep -qF 'Initial VFs: 32, Total VFs: 64' '$A' &&
	grep -qF 'Device ID: 0100' '$A' &&
	grep -qF 'Supported Page Size: 00000553' '$A' &&
	grep -qF 'PASIDCap: Exec+ Priv+, Max PASID Width: 10' '$A' &&
	grep -qF 'ATSCap:	Invalidate Queue Depth: 10' '$A' &&
	grep -qF 'Page Request Capacity: 00000200' '$A'"
check "all-caps: ACS, DPC, DOE, ARI, L1SS values" sh -c "
	grep -qF 'ACSCap:	SrcValid+ TransBlk+ ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl+ DirectTrans+' '$A' &&
	grep -qF 'ACSCap:	SrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd+ EgressCtrl+ DirectTrans-' '$A' &&
	grep -qF 'RP PIO Log 6' '$A' &&
	grep -qF 'Interrupt Message Number 005' '$A' &&
	grep -qF 'ARICap:	MFVC+ ACS+, Next Function: 0' '$A' &&
	grep -qF 'PortCommonModeRestoreTime=40us PortTPowerOnTime=1700us' '$A'"
check "all-caps: PCIe link, slot and device values" sh -c "
	grep -qF 'LnkCap:	Port #7, Speed 32GT/s, Width x16' '$A' &&
	grep -qF 'Slot #42, PowerLimit 25W' '$A' &&
	grep -qF 'LnkSta:	Speed 5GT/s (downgraded), Width x12 (downgraded)' '$A' &&
	grep -qF 'Express (v2) Legacy Endpoint' '$A' &&
	grep -qF 'DevCap:	MaxPayload 4096 bytes' '$A' &&
	grep -qF 'Subsystem: Red Hat, Inc.' '$A'"

# ---- (b) ----------------------------------------------------------------------
cp "$SRC/tests/conformance/data/small-machine.lspci" "$T/small.dump"
for p in default allcaps small; do
	"$PCILAB" lspci -F "$T/$p.dump" -vvv > "$T/$p.ours" 2>&1
	lspci -F "$T/$p.dump" -vvv > "$T/$p.theirs" 2>/dev/null
	check "$p: pcilab lspci -F -vvv matches lspci -F -vvv" \
		python3 "$SRC/tests/conformance/lspci_compare.py" "$T/$p.ours" "$T/$p.theirs"
done
# live view = dump view, but for sizes and the raw upper halves of 64-bit BARs
"$PCILAB" --platform "$SRC/platforms/all-caps.yaml" lspci -vvv > "$T/live" 2>&1
sed -E 's/ \[size=[0-9]+[KMGT]?\]//' "$T/live" > "$T/live.nosize"
grep -v -E '^	Region [0-9]: Memory at <unassigned> \(32-bit, non-prefetchable\)' "$T/allcaps.ours" |
	sed -E 's/ \[size=[0-9]+[KMGT]?\]//' > "$T/allcaps.noupper"
check "all-caps: live view equals the dump view but for sizes" diff -u "$T/allcaps.noupper" "$T/live.nosize"

# ---- (c) ----------------------------------------------------------------------
"$PCILAB" --platform-dump "$T/default.dump" lspci -xxxx > "$T/default.replayed" 2>&1
check "default platform: dump -> replay -> dump is identical" cmp "$T/default.dump" "$T/default.replayed"
"$PCILAB" --platform-dump "$T/small.dump" lspci -xxxx > "$T/small.a" 2>&1
"$PCILAB" --platform-dump "$T/small.a" lspci -xxxx > "$T/small.b" 2>&1
check "small machine: replayed dump -> replay -> dump is identical" cmp "$T/small.a" "$T/small.b"
# A real cloud VM (`lspci -xxxx` as root): virtio functions with 64-bit
# non-prefetchable BARs above 4 GiB on the root bus, a host bridge with an
# all-zero extended config space. Firmware's assignments must be kept.
"$PCILAB" --platform-dump "$SRC/tests/conformance/data/cloud-vm.lspci" lspci -xxxx > "$T/vm.replayed" 2>&1
check "cloud VM: real dump -> replay -> dump is identical" \
	cmp "$SRC/tests/conformance/data/cloud-vm.lspci" "$T/vm.replayed"
exit 0

#!/bin/bash
# The pcilab command line as a user meets it (TAP): the main job, --help on
# every command, exit statuses, and clear messages for bad input files.
#   usage: cli.sh PCILAB SOURCE_DIR
PCILAB=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$T/out" "$T/err" 2>/dev/null | head -30; }
# expect STATUS DESC COMMAND...: run, compare the exit status
expect() {
	local want=$1 d=$2 got
	shift 2
	"$@" > "$T/out" 2> "$T/err"
	got=$?
	if [ "$got" = "$want" ]; then ok "$d"; else echo "# exit $got, expected $want" > "$T/err.x"; cat "$T/err.x" >> "$T/err"; not_ok "$d"; fi
}
# grep_out FILE PATTERN DESC
grep_in() {
	if grep -qE -- "$2" "$1"; then ok "$3"; else not_ok "$3"; fi
}

echo "1..53"

# The main job on the built-in platform: every function the platform file
# describes is found through config space, and nothing is left unassigned.
expect 0 "pcilab demo exits 0" "$PCILAB" demo
cp "$T/out" "$T/demo"
grep_in "$T/demo" "enumerated 18 functions" "demo: 18 functions enumerated"
grep_in "$T/demo" "0000:05:00.0 .*SR-IOV|SR-IOV" "demo: SR-IOV capability shown"
grep_in "$T/demo" "BAR [0-9] +\[mem 0x80[0-9a-f]+-0x[0-9a-f]+ 64bit pref\]" "demo: a 64-bit prefetchable BAR placed above 4G"
grep_in "$T/demo" "Enumeration reported no problems" "demo: no problems on the default platform"
if grep -q "not assigned" "$T/demo"; then not_ok "demo: every BAR assigned"; else ok "demo: every BAR assigned"; fi

grep_in "$T/demo" "group +[0-9]+ +0000:04:00.0, 0000:04:00.1 +\(multi-function" "demo: multi-function device without ACS shares one IOMMU group"
grep_in "$T/demo" "0000:08:00.0, 0000:09:01.0, 0000:09:02.0, 0000:0a:00.0 +\(DMA aliased" "demo: everything behind the PCIe-to-PCI bridge shares one IOMMU group"
grep_in "$T/demo" "IOMMU driver: intel-iommu" "demo: the VT-d driver runs the platform's DMAR unit"
grep_in "$T/demo" "verdict +AUTHENTICATED" "demo: the DOE device is authenticated over CMA-SPDM"

# pcilab attest: text, JSON, a trust store that does not hold the root.
expect 0 "pcilab attest exits 0 on the default platform" "$PCILAB" attest
expect 0 "pcilab attest --json exits 0" "$PCILAB" attest --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d and all(x["status"]=="authenticated" for x in d), d' "$T/out" 2>"$T/err"; then
	ok "attest --json is valid JSON saying authenticated"
else
	not_ok "attest --json is valid JSON saying authenticated"
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" \
	-out "$T/other-root.pem" -subj /CN=other -days 1 > /dev/null 2>&1
expect 1 "attest against a foreign root CA fails (exit 1)" "$PCILAB" attest --trust "$T/other-root.pem"
grep_in "$T/out" "verdict +FAILED" "attest against a foreign root says FAILED"

# A platform whose BAR cannot fit: reported, the rest still works.
cat > "$T/toobig.yaml" <<'YAML'
name: too-big
host-bridges:
  - segment: 0
    mmio: {base: 0xc0000000, size: 0x10000000}
    devices:
      - address: 01.0
        kind: root-port
        children:
          - address: 00.0
            kind: endpoint
            vendor: 0x1b36
            device: 0x0010
            class: 0x010802
            bars:
              - {index: 0, type: mem32, size: 1G}
              - {index: 2, type: mem32, size: 16K}
YAML
expect 0 "demo on a platform whose BAR does not fit still exits 0" "$PCILAB" --platform "$T/toobig.yaml" demo
grep_in "$T/out" "BAR 0 .*can't assign" "demo: the BAR that does not fit is reported"
grep_in "$T/out" "BAR 2 +\[mem 0x[0-9a-f]+-0x[0-9a-f]+\]$" "demo: the other BAR is assigned"

# Behaviour models and the IOMMU choice from the platform file.
cat > "$T/dma.yaml" <<'YAML'
name: dma
iommu: none
host-bridges:
  - mmio: {base: 0xc0000000, size: 256M}
    devices:
      - {address: 02.0, kind: endpoint, model: dma-test}
YAML
expect 0 "a dma-test endpoint without IDs boots" "$PCILAB" --platform "$T/dma.yaml" lspci -nn
grep_in "$T/out" "^00:02.0 .*\[1234:d7a0\]" "the dma-test model brings its IDs (1234:d7a0)"
expect 0 "iommu: none boots and forms groups" "$PCILAB" --platform "$T/dma.yaml" demo

# Help everywhere, usage errors are status 2.
expect 0 "pcilab --help" "$PCILAB" --help
grep_in "$T/out" "usage: pcilab" "pcilab --help prints usage"
expect 0 "pcilab demo --help" "$PCILAB" demo --help
expect 0 "pcilab lspci --help" "$PCILAB" lspci --help
expect 2 "unknown command is a usage error" "$PCILAB" frobnicate
expect 2 "missing option argument is a usage error" "$PCILAB" lspci --platform
expect 2 "bad --log-level is a usage error" "$PCILAB" --log-level loud demo

# Bad platform files: status 2, one message naming file:line:col.
printf 'name: x\nhost-bridges:\n  - segment: 0\n    devices:\n      - address: 01.0\n        kind: endpoint\n        vendor: 0x1b36\n        device: 1\n        class: 0x020000\n        bars:\n          - {index: 0, type: mem32, size: 3000}\n' > "$T/bar.yaml"
expect 2 "BAR size not a power of two: exit 2" "$PCILAB" --platform "$T/bar.yaml" demo
grep_in "$T/err" "bar.yaml:11:[0-9]+: .*power of two" "BAR size error names file:line:col"
printf 'name: x\nhost-bridges: [\n' > "$T/syntax.yaml"
expect 2 "YAML syntax error: exit 2" "$PCILAB" --platform "$T/syntax.yaml" lspci
grep_in "$T/err" "syntax.yaml:[0-9]+:[0-9]+: " "syntax error names file:line:col"
expect 2 "missing platform file: exit 2" "$PCILAB" --platform "$T/nonexistent.yaml" demo
expect 2 "malformed lspci dump: exit 2" "$PCILAB" --platform-dump "$SRC/README.md" lspci

# pcilab tdisp: IDE_KM + TDISP through the kernel TSM, and the config lock.
expect 0 "pcilab tdisp exits 0 on the default platform" "$PCILAB" tdisp
grep_in "$T/out" "key slots +6/6 programmed, 6/6 started" "tdisp: six IDE keys programmed and started"
grep_in "$T/out" "stream state +Secure" "tdisp: the Selective IDE stream reads Secure"
grep_in "$T/out" "TDI +CONFIG_UNLOCKED -> CONFIG_LOCKED -> RUN" "tdisp: TDI locked and started"
grep_in "$T/out" "write Command \(0x04\) while RUN -> TDI ERROR" "tdisp: a config write under the lock sends the TDI to ERROR"
expect 0 "pcilab tdisp --json 06:00.0" "$PCILAB" tdisp --json 06:00.0
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d[0]; sys.exit(0 if r["ok"] and r["stream_state"]=="Secure" and r["tdi_states"][-1]=="RUN" and r["lock_write_state"]=="ERROR" and r["stop"]["tdi_state"]=="CONFIG_UNLOCKED" else 1)' "$T/out"; then
	ok "tdisp --json is valid JSON: Secure, RUN, ERROR after the lock, unlocked after STOP"
else
	not_ok "tdisp --json is valid JSON: Secure, RUN, ERROR after the lock, unlocked after STOP"
fi
expect 1 "tdisp on a function without IDE fails (exit 1)" "$PCILAB" tdisp 00:00.0
expect 2 "tdisp with a bad stream id is a usage error" "$PCILAB" tdisp --stream 300
expect 0 "pcilab tdisp --help" "$PCILAB" tdisp --help
grep_in "$T/demo" "stream state +Secure" "demo: IDE stream brought up"
grep_in "$T/demo" "TDI +CONFIG_UNLOCKED -> CONFIG_LOCKED -> RUN" "demo: TDI locked and started"

# --attest-at-boot / PCILAB_ATTEST_AT_BOOT=1: CMA at enumeration, one line
# per CMA-capable function on stderr; stdout stays the command's own.
expect 0 "--attest-at-boot lspci exits 0" "$PCILAB" --attest-at-boot lspci
grep_in "$T/err" "^pci 0000:06:00\.0: CMA: authenticated \(SPDM 1\.[0-9], ECDSA-P(256|384)\)$" "attest-at-boot: the DOE device authenticated at boot"
if grep -q "CMA:" "$T/out" || ! grep -q "^06:00.0 " "$T/out"; then not_ok "attest-at-boot: stdout is plain lspci"; else ok "attest-at-boot: stdout is plain lspci"; fi
expect 0 "PCILAB_ATTEST_AT_BOOT=1 lspci exits 0" env PCILAB_ATTEST_AT_BOOT=1 "$PCILAB" lspci
grep_in "$T/err" "^pci 0000:06:00\.0: CMA: authenticated" "PCILAB_ATTEST_AT_BOOT=1 authenticates at boot"
expect 0 "lspci without the option exits 0" "$PCILAB" lspci
if grep -q "CMA:" "$T/err"; then not_ok "no CMA at boot unless asked"; else ok "no CMA at boot unless asked"; fi

#!/usr/bin/env python3
"""Compare pcilab's lspci -vvv output with real pciutils' on the same dump.

usage: lspci_compare.py OURS THEIRS
Splits both outputs into blocks (a device's header lines, then one block per
"Capabilities: [...]" line with its detail lines) and compares them block by
block. A differing block is a failure unless our decoder does not claim it
(it printed "Capability ID", "Extended Capability ID" or "<?>" for it);
those are reported as notes. Prints TAP diagnostics, exits 1 on failure.
"""
import re
import sys


def blocks(text):
    out = {}
    dev = None
    key = None
    for line in text.splitlines():
        if line and not line[0].isspace():
            dev = line.split(' ', 1)[0]
            key = (dev, 'header')
            out[key] = [line]
            continue
        m = re.match(r'\tCapabilities: \[([0-9a-f]+)', line)
        if m and dev:
            key = (dev, m.group(1))
            out[key] = [line]
            continue
        if key:
            out[key].append(line)
    return out


def unclaimed(lines):
    head = lines[0] if lines else ''
    return ('Capability ID' in head or '<?>' in head)


def main():
    ours = blocks(open(sys.argv[1]).read())
    theirs = blocks(open(sys.argv[2]).read())
    bad = 0
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key, []), theirs.get(key, [])
        if a == b:
            continue
        tag = 'note (not decoded by pcilab)' if unclaimed(a) else 'DIFF'
        if tag == 'DIFF':
            bad += 1
        print('# %s %s [%s]:' % (tag, key[0], key[1]))
        for l in a:
            if l not in b:
                print('#   pcilab: %s' % l.replace('\t', '    '))
        for l in b:
            if l not in a:
                print('#   lspci:  %s' % l.replace('\t', '    '))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())

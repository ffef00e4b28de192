#!/usr/bin/env python3
"""Run every test Meson knows about in BUILD_DIR and count test cases.

Each test speaks TAP (cmocka with CMOCKA_MESSAGE_OUTPUT=TAP, the shell
conformance tests by hand). A test program that exits non-zero after
reporting only passes -- a sanitizer's leak report at exit, a crash -- adds
one failure of its own, so nothing that went wrong is lost in the count.

The last line printed is the summary: "N passed, N failed[, N skipped]".
"""
import json
import os
import re
import subprocess
import sys
import time

TAP_RE = re.compile(r'^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*)$')


def main():
    if len(sys.argv) < 2:
        print("usage: run-tests.py BUILD_DIR [SUITE...]", file=sys.stderr)
        return 2
    build = sys.argv[1]
    only = set(sys.argv[2:])
    tests = json.loads(subprocess.run(
        ['meson', 'introspect', '--tests', build],
        check=True, capture_output=True, text=True).stdout)
    passed = failed = skipped = 0
    failures = []
    for t in tests:
        # Meson names suites "project:suite"; accept either spelling.
        suites = set(t.get('suite', []))
        suites |= {x.split(':', 1)[-1] for x in suites}
        if only and not (only & suites) and t['name'] not in only:
            continue
        env = os.environ.copy()
        env.update(t.get('env') or {})
        env['CMOCKA_MESSAGE_OUTPUT'] = 'TAP'
        env.setdefault('ASAN_OPTIONS', 'detect_leaks=1:abort_on_error=0:halt_on_error=1')
        env.setdefault('UBSAN_OPTIONS', 'print_stacktrace=1:halt_on_error=1')
        start = time.monotonic()
        timeout = t.get('timeout') or 600
        try:
            p = subprocess.run(t['cmd'], env=env, cwd=t.get('workdir') or build,
                               capture_output=True, text=True, timeout=timeout,
                               errors='replace')
            out, err, rc = p.stdout, p.stderr, p.returncode
        except OSError as e:
            out, err, rc = '', 'cannot run: %s' % e, -1
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b'').decode(errors='replace') if isinstance(e.stdout, bytes) else (e.stdout or '')
            err = 'timed out after %ds' % timeout
            rc = -1
        tp = tf = ts = 0
        for line in out.splitlines():
            m = TAP_RE.match(line.strip())
            if not m:
                continue
            desc = m.group(3) or ''
            if m.group(1) == 'ok':
                if re.search(r'#\s*SKIP', desc, re.I):
                    ts += 1
                else:
                    tp += 1
            else:
                if re.search(r'#\s*TODO', desc, re.I):
                    ts += 1
                else:
                    tf += 1
                    failures.append('%s: %s' % (t['name'], desc))
        if rc != 0 and tf == 0:
            tf += 1
            failures.append('%s: exited with status %d' % (t['name'], rc))
        if tp + tf + ts == 0:
            # A program that reported nothing ran no test: that is a failure.
            tf += 1
            failures.append('%s: reported no test results' % t['name'])
        dt = time.monotonic() - start
        status = 'FAIL' if tf else 'ok'
        print('%-4s %-40s %3d passed, %d failed, %d skipped (%.1fs)' %
              (status, t['name'], tp, tf, ts, dt), flush=True)
        if tf:
            sys.stdout.write(''.join('    | %s\n' % l for l in out.splitlines()[-60:]))
            sys.stdout.write(''.join('    ! %s\n' % l for l in err.splitlines()[-80:]))
        passed += tp
        failed += tf
        skipped += ts
    if failures:
        print('\nFailed:')
        for f in failures:
            print('  ' + f)
    print()
    line = '%d passed, %d failed' % (passed, failed)
    if skipped:
        line += ', %d skipped' % skipped
    print(line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

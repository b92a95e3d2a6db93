#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one guest run (and the static checks) into one TAP stream.

Inputs
  --console FILE    kernel log of the guest (ttyS0): scanned for kernel
                    reports; KUnit is read from --kunit-json.
  --kunit-json FILE output of the base tree's "kunit.py parse --json".
  --results FILE    test output (ttyS1) framed by guest/init:
                    NSVM-BEGIN name / ... / NSVM-END name rc=N / NSVM-DONE
  --expect-tests N  the names of the programs the guest had to run (repeat)
  --expect-kunit S  KUnit suites that must have run (repeat)
  --checks FILE     TAP produced by the static checks (repeat)

Every test case becomes one TAP line.  A kernel report in the console
(WARNING, BUG, lockdep, KASAN, kmemleak, panic...), a program that did not
finish, a truncated TAP stream or a missing suite is a failure of its own,
so a run fails even when every test case passed.  The last line is
"N passed, N failed, N skipped"; the exit status is 1 on any failure.
"""

import argparse
import json
import re
import sys

# Kernel reports that fail a run whatever the tests said.  Each pattern is
# matched against console lines with the printk timestamp removed.
REPORTS = [
    (r'^WARNING: ', 'kernel WARNING'),
    (r'^------------\[ cut here \]------------', 'kernel WARNING/BUG'),
    (r'^BUG: ', 'kernel BUG'),
    (r'^kernel BUG at ', 'kernel BUG'),
    (r'^Kernel panic', 'kernel panic'),
    (r'^Oops: ', 'kernel oops'),
    (r'^general protection fault', 'general protection fault'),
    (r'^UBSAN: ', 'UBSAN report'),
    (r'^INFO: (task .* blocked|possible|lockdep|rcu)', 'lockdep/hung task report'),
    (r'^=+$', None),  # separator of lockdep/KASAN reports, not a report itself
    (r'kmemleak: \d+ new suspected memory leaks', 'kmemleak report'),
    (r'^RCU: .*stall|rcu_.*self-detected stall', 'RCU stall'),
]
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')


class Tap:
    """Collects results and prints them as flat TAP."""

    def __init__(self):
        self.lines = []
        self.passed = self.failed = self.skipped = 0

    def add(self, ok, name, directive='', diag=()):
        name = name.replace('#', '_')
        if directive.upper().startswith('SKIP'):
            self.skipped += 1
            line = f'ok {len(self.lines) + 1} {name} # {directive}'
        elif ok:
            self.passed += 1
            line = f'ok {len(self.lines) + 1} {name}'
        else:
            self.failed += 1
            line = f'not ok {len(self.lines) + 1} {name}'
            if directive:
                line += f' # {directive}'
        self.lines.append(line)
        for d in diag:
            self.lines.append(f'#   {d}')

    def emit(self, out):
        n = sum(1 for line in self.lines if not line.startswith('#'))
        print('TAP version 13', file=out)
        print(f'1..{n}', file=out)
        num = 0
        for line in self.lines:
            if line.startswith('#'):
                print(line, file=out)
                continue
            num += 1
            # renumber: diagnostics do not count
            print(re.sub(r'^(not ok|ok) \d+', rf'\g<1> {num}', line), file=out)
        print(f'{self.passed} passed, {self.failed} failed, {self.skipped} skipped',
              file=out)


RESULT = re.compile(r'^(not ok|ok)\b\s*(\d+)?\s*-?\s*([^#]*?)\s*(?:#\s*(.*))?$')
PLAN = re.compile(r'^1\.\.(\d+)')


def depth_of(line):
    """kselftest nests TAP by prefixing '# ' per level."""
    d = 0
    while line.startswith('# '):
        line = line[2:]
        d += 1
    return d, line


def parse_program(tap, prog, lines, rc):
    """One guest program: its deepest TAP level gives the test cases."""
    levels = {}
    bailed = None
    for raw in lines:
        d, line = depth_of(raw.rstrip('\r\n'))
        lv = levels.setdefault(d, {'plan': None, 'results': []})
        m = PLAN.match(line)
        if m:
            lv['plan'] = int(m.group(1))
            continue
        m = RESULT.match(line)
        if m:
            lv['results'].append((m.group(1) == 'ok', m.group(3),
                                  (m.group(4) or '').strip()))
            continue
        if line.startswith('Bail out!'):
            bailed = line
    cases = [d for d in sorted(levels) if levels[d]['results']]
    if not cases:
        # No TAP at all: the exit status is the result (4 = kselftest skip).
        if rc == 4:
            tap.add(True, prog, 'SKIP program exited with 4 (skip)')
        else:
            tap.add(rc == 0, prog, '' if rc == 0 else f'exit status {rc}')
        return
    deepest = levels[cases[-1]]
    for ok, name, directive in deepest['results']:
        if directive.upper().startswith('TODO'):
            directive = ''
        tap.add(ok, f'{prog}: {name}', directive)
    # Containers above the deepest level must agree (kselftest's runner
    # turns a crash or a timeout of the program into a top-level "not ok").
    for d in cases[:-1]:
        for ok, name, directive in levels[d]['results']:
            if not ok:
                tap.add(False, f'{prog}: {name}', directive or 'container reported failure')
    for d, lv in levels.items():
        if lv['plan'] is not None and lv['results'] and len(lv['results']) != lv['plan']:
            tap.add(False, f'{prog}: TAP stream complete',
                    f'plan 1..{lv["plan"]} but {len(lv["results"])} results (truncated?)')
    if bailed:
        tap.add(False, f'{prog}: {bailed}')
    if rc not in (0, 4):
        tap.add(False, f'{prog}: exit status', f'exit status {rc}')


def parse_results(tap, path, expect):
    try:
        text = open(path, errors='replace').read().splitlines()
    except OSError as e:
        tap.add(False, 'guest results', f'cannot read {path}: {e.strerror}')
        return
    seen = set()
    cur, buf = None, []
    done = False
    for line in text:
        line = line.rstrip('\r')
        if line.startswith('NSVM-BEGIN '):
            cur, buf = line.split(' ', 1)[1], []
            continue
        m = re.match(r'^NSVM-END (\S+) rc=(\d+)', line)
        if m and cur == m.group(1):
            parse_program(tap, cur, buf, int(m.group(2)))
            seen.add(cur)
            cur = None
            continue
        if line.startswith('NSVM-DONE'):
            done = True
            continue
        if cur is not None:
            buf.append(line)
    if cur is not None:
        parse_program(tap, cur, buf, 0)
        tap.add(False, f'{cur}: finished', 'program did not finish (guest crashed or hung)')
        seen.add(cur)
    for name in expect:
        if name not in seen:
            tap.add(False, f'{name}: ran', 'program missing from the guest results')
    if not done:
        tap.add(False, 'guest: reached the end of its tests', 'no NSVM-DONE marker')


def walk_kunit(tap, group, prefix):
    name = group.get('name', '?')
    full = f'{prefix}.{name}' if prefix else name
    for case in group.get('test_cases', []):
        status = case.get('status')
        label = f'kunit: {full}.{case.get("name")}'
        if status == 'PASS':
            tap.add(True, label)
        elif status == 'SKIP':
            tap.add(True, label, 'SKIP')
        else:
            tap.add(False, label, 'crashed' if status == 'ERROR' else '')
    for sub in group.get('sub_groups', []):
        walk_kunit(tap, sub, full)


def suite_names(group):
    names = set()
    for sub in group.get('sub_groups', []):
        names.add(sub.get('name'))
    for case in group.get('test_cases', []):
        names.add(case.get('name'))
    return names


def parse_kunit(tap, path, expect):
    try:
        data = json.load(open(path))
    except (OSError, ValueError) as e:
        tap.add(False, 'kunit: results', f'cannot read {path}: {e}')
        return
    for sub in data.get('sub_groups', []):
        walk_kunit(tap, sub, '')
    # top-level suites with no sub-groups are listed as test cases of the root
    for case in data.get('test_cases', []):
        ok = case.get('status') in ('PASS', 'SKIP')
        tap.add(ok, f'kunit: {case.get("name")}',
                'SKIP' if case.get('status') == 'SKIP' else
                ('' if ok else 'suite failed or crashed'))
    seen = suite_names(data)
    for s in expect:
        if s not in seen:
            tap.add(False, f'kunit: suite {s} ran', 'suite missing from the kernel log')


def scan_console(tap, path):
    try:
        lines = open(path, errors='replace').read().splitlines()
    except OSError as e:
        tap.add(False, 'kernel log: free of reports', f'cannot read {path}: {e.strerror}')
        return
    found = []
    for i, raw in enumerate(lines):
        line = TIMESTAMP.sub('', raw.rstrip('\r'))
        for pat, what in REPORTS:
            if what and re.search(pat, line):
                found.append((i, what, line))
                break
    diag = []
    for i, what, line in found[:5]:
        diag.append(f'line {i + 1}: {what}: {line[:150]}')
        for ctx in lines[i + 1:i + 4]:
            diag.append(f'    {TIMESTAMP.sub("", ctx)[:150]}')
    if len(found) > 5:
        diag.append(f'... and {len(found) - 5} more reports')
    tap.add(not found, 'kernel log: no WARNING/BUG/lockdep/KASAN/kmemleak/panic report',
            f'{len(found)} reports' if found else '', diag)


def parse_checks(tap, path):
    try:
        lines = open(path, errors='replace').read().splitlines()
    except OSError as e:
        tap.add(False, f'checks: {path}', f'cannot read: {e.strerror}')
        return
    for line in lines:
        m = RESULT.match(line)
        if m:
            tap.add(m.group(1) == 'ok', m.group(3), (m.group(4) or '').strip())
        elif line.startswith('#') and tap.lines:
            tap.lines.append('#   ' + line.lstrip('# '))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--console')
    ap.add_argument('--kunit-json')
    ap.add_argument('--results')
    ap.add_argument('--expect-tests', action='append', default=[])
    ap.add_argument('--expect-kunit', action='append', default=[])
    ap.add_argument('--checks', action='append', default=[])
    ap.add_argument('--header', action='append', default=[],
                    help='comment line printed before the TAP stream')
    args = ap.parse_args()

    tap = Tap()
    for c in args.checks:
        parse_checks(tap, c)
    if args.kunit_json:
        parse_kunit(tap, args.kunit_json, args.expect_kunit)
    if args.results:
        parse_results(tap, args.results, args.expect_tests)
    if args.console:
        scan_console(tap, args.console)
    for h in args.header:
        print(f'# {h}')
    tap.emit(sys.stdout)
    return 1 if tap.failed or not (tap.passed + tap.skipped) else 0


if __name__ == '__main__':
    sys.exit(main())

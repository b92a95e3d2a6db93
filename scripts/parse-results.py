#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn one guest run (and the static checks) into one TAP stream.

Inputs
  --console FILE    kernel log of the guest (ttyS0): scanned for kernel
                    reports; KUnit is read from --kunit-json.
  --kunit-json FILE output of the base tree's "kunit.py parse --json",
                    one per KTAP stream of the console (repeat).
  --results FILE    test output (ttyS1) framed by guest/init:
                    NSVM-BEGIN name / ... / NSVM-END name rc=N / NSVM-DONE
  --expect-tests N  the names of the programs the guest had to run (repeat)
  --expect-kunit S  KUnit suites that must have run (repeat)
  --checks FILE     TAP produced by the static checks (repeat)
  --kcsan-ours FILE functions of the series' code, one per line (the KCSAN
                    flavor): a KCSAN report none of whose functions (the
                    two of its header, the top frames of each access) is
                    one of them is listed as the base kernel's, and does
                    not fail the run; any other report still does
  --kcsan-known FILE  KCSAN reports of the base kernel at unknown origin
                    that were analysed (configs/kcsan-known): lines
                    "HEADER-FUNCTION STACK-FUNCTION reason"; a report at
                    unknown origin in HEADER-FUNCTION whose known access
                    has STACK-FUNCTION in its stack and no function of
                    --kcsan-ours is listed with the reason instead of
                    failing the run

Every test case becomes one TAP line.  A kernel report in the console
(WARNING, BUG, lockdep, KASAN, kmemleak, panic...), a program that did not
finish, a truncated TAP stream or a missing suite is a failure of its own,
so a run fails even when every test case passed.  The last line is
"N passed, N failed, N skipped"; the exit status is 1 on any failure.

Beyond the test cases, a run fails on: a console line matching REPORTS;
taint bits other than TAINT_TEST or debug_locks=0 at the end of the guest
run (the NSVM-TAINT / NSVM-DEBUG-LOCKS lines of guest/init; decoded with
--chktaint, the tree's tools/debugging/kernel-chktaint); a TAP stream whose
plan does not match its results; a skip that --allowed-skips (default
configs/allowed-skips) does not list.
"""

import argparse
import fnmatch
import json
import os
import re
import subprocess
import sys

# Kernel reports that fail a run whatever the tests said.  Each pattern is
# matched against a console line after its printk prefix is removed: the
# time stamp "[   12.345678]" and, with CONFIG_PRINTK_CALLER, the caller
# field "[  T123]" or "[    C1]" (see PREFIX).  The strings are those of
# Linux 6.12; each pattern has a saved run in tests/harness/ that only it
# catches, and the harness self-test drops the patterns one at a time to
# prove it (NSVM_PARSER_DROP below).
REPORTS = [
    # WARN(), lockdep ("WARNING: possible circular locking dependency
    # detected", "WARNING: suspicious RCU usage", ...), refcount
    (r'^WARNING: ', 'kernel WARNING'),
    # BUG: KASAN / kernel NULL pointer dereference / sleeping function
    # called from invalid context / workqueue lockup / Bad page state ...
    (r'^BUG: ', 'kernel BUG'),
    (r'^kernel BUG at ', 'kernel BUG'),
    # die(): "Oops: general protection fault, ...", "Oops: 0002 [#1] ..."
    (r'^Oops: ', 'kernel oops'),
    (r'^Kernel panic - not syncing', 'kernel panic'),
    (r'^UBSAN: ', 'UBSAN report'),
    # lockdep reports whose header is not a WARNING
    (r'^\[ BUG: ', 'lockdep report'),
    (r'^INFO: trying to register non-static key', 'lockdep report (lockdep is now off)'),
    # hung task detector (CONFIG_DETECT_HUNG_TASK)
    (r'^INFO: task \S+ blocked for more than \d+ seconds', 'hung task'),
    # RCU: "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:", the
    # expedited form, "self-detected stall on CPU", RCU tasks stalls
    (r'^(rcu: )?INFO: \S+ (self-)?detected (expedited )?stall', 'RCU stall'),
    # soft lockup detector: "watchdog: BUG: soft lockup - CPU#0 stuck for 22s!"
    (r'^watchdog: BUG: ', 'soft lockup'),
    # SLUB consistency checks: "BUG kmalloc-64 (Not tainted): Redzone overwritten"
    (r'^BUG \S+ \(.*\): ', 'SLUB object corruption'),
    (r'^kmemleak: \d+ new suspected memory leaks', 'kmemleak report'),
    # kmemleak_stop() / kmemleak_disable(): no more leak reports after this
    (r'^kmemleak: Kernel memory leak detector disabled', 'kmemleak disabled itself'),
]
# Mutation check of the self-test: NSVM_PARSER_DROP=N runs without pattern N.
if os.environ.get('NSVM_PARSER_DROP'):
    del REPORTS[int(os.environ['NSVM_PARSER_DROP'])]
PREFIX = re.compile(r'^(\[\s*(\d+\.\d+|[TC]\d+)\]\s?)+')
# Taint bits a clean run may have: TAINT_TEST (N, bit 18) is set as soon as
# a KUnit test runs.  Any other bit fails the run.
ALLOWED_TAINT = 1 << 18


class Tap:
    """Collects results and prints them as flat TAP.

    A skip counts as a skip only if configs/allowed-skips (or the file given
    with --allowed-skips) has a glob matching "NAME # SKIP REASON"; any
    other skip is a failure: a green run skips only what the configuration
    is known to rule out."""

    def __init__(self, allowed=()):
        self.lines = []
        self.passed = self.failed = self.skipped = 0
        self.allowed = list(allowed)

    def skip_allowed(self, name, directive):
        text = f'{name} # {directive}'
        return any(fnmatch.fnmatchcase(text, g) for g in self.allowed)

    def add(self, ok, name, directive='', diag=()):
        name = name.replace('#', '_')
        if directive.upper().startswith('SKIP') and not self.skip_allowed(name, directive):
            ok = False
            directive = f'unexpected skip ({directive}): not listed in configs/allowed-skips'
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


def read_allowed_skips(path):
    """One glob per line, matched against "NAME # SKIP REASON"; '#' at the
    start of a line is a comment."""
    try:
        lines = open(path).read().splitlines()
    except OSError as e:
        sys.exit(f'parse-results.py: cannot read the allowed skips {path}: {e.strerror}')
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith('#')]


RESULT = re.compile(r'^(not ok|ok)\b\s*(\d+)?\s*-?\s*([^#]*?)\s*(?:#\s*(.*))?$')
PLAN = re.compile(r'^1\.\.(\d+)\s*(?:#\s*(.*))?$')
VERSION = re.compile(r'^K?TAP version \d+')


def depth_of(line):
    """kselftest nests TAP by prefixing '# ' per level."""
    d = 0
    while line.startswith('# '):
        line = line[2:]
        d += 1
    return d, line


def parse_program(tap, prog, lines, rc):
    """One guest program.  Its output may nest TAP streams (kselftest
    prefixes '# ' per level) and hold several streams in a row at one level
    (a "TAP version" line starts the next).  The deepest level that has
    results gives the test cases; every stream must have as many results as
    its plan says (a stream cut before its first result included), and a
    failure reported by an outer level (a crash or a timeout seen by
    kselftest's runner) is a failure too."""
    streams = []   # dicts: depth, plan, plan_directive, results
    current = {}   # depth -> its open stream
    bailed = None

    def stream(d, new=False):
        if new or d not in current:
            current[d] = {'depth': d, 'plan': None, 'plan_directive': '', 'results': []}
            streams.append(current[d])
        return current[d]

    for raw in lines:
        d, line = depth_of(raw.rstrip('\r\n'))
        if VERSION.match(line):
            stream(d, new=True)
            continue
        m = PLAN.match(line)
        if m:
            s = stream(d)
            if s['plan'] is not None:
                s = stream(d, new=True)
            s['plan'] = int(m.group(1))
            s['plan_directive'] = (m.group(2) or '').strip()
            continue
        m = RESULT.match(line)
        if m:
            stream(d)['results'].append((m.group(1) == 'ok', m.group(3),
                                         (m.group(4) or '').strip()))
            continue
        if line.startswith('Bail out!'):
            bailed = line
    depths = sorted({s['depth'] for s in streams if s['results']})
    for s in streams:
        if s['depth'] in depths[-1:]:
            for ok, name, directive in s['results']:
                if directive.upper().startswith('TODO'):
                    directive = ''
                tap.add(ok, f'{prog}: {name}', directive)
    for s in streams:
        if s['depth'] in depths[:-1]:
            for ok, name, directive in s['results']:
                if not ok:
                    tap.add(False, f'{prog}: {name}', directive or 'container reported failure')
    for s in streams:
        if s['plan'] is not None and len(s['results']) != s['plan']:
            tap.add(False, f'{prog}: TAP stream complete',
                    f'plan 1..{s["plan"]} but {len(s["results"])} results (truncated?)')
        elif s['plan'] == 0:
            # "1..0 # SKIP why", at any level: the program skipped all it had
            why = s['plan_directive']
            if not why.upper().startswith('SKIP'):
                why = 'SKIP plan 1..0: no test ran'
            tap.add(True, f'{prog}: all of its tests', why)
    if not streams:
        # No TAP at all: the exit status is the result (4 = kselftest skip).
        if rc == 4:
            tap.add(True, prog, 'SKIP program exited with 4 (skip)')
        else:
            tap.add(rc == 0, prog, '' if rc == 0 else f'exit status {rc}')
        return
    if not depths and not any(s['plan'] is not None for s in streams):
        tap.add(False, f'{prog}: TAP stream complete', 'a TAP header but no plan and no results')
    if bailed:
        tap.add(False, f'{prog}: {bailed}')
    if rc not in (0, 4):
        tap.add(False, f'{prog}: exit status', f'exit status {rc}')


def decode_taint(value, chktaint):
    """The reasons of a taint value, from the tree's kernel-chktaint.

    Decoded here on the host, not in the guest: the guest only prints the
    raw number (no script to carry into the initramfs, nothing that can
    break in busybox), the decoder is the one of the tree that built the
    kernel, and the saved runs of the self-test exercise the same path."""
    if chktaint and os.path.exists(chktaint):
        try:
            out = subprocess.run(['bash', chktaint, str(value)], capture_output=True,
                                 text=True, timeout=30).stdout
            return [ln.strip() for ln in out.splitlines() if ln.strip().startswith('*')]
        except (OSError, subprocess.SubprocessError) as e:
            return [f'(kernel-chktaint failed: {e})']
    bits = [str(b) for b in range(64) if value >> b & 1]
    return [f'bits {", ".join(bits)} (no kernel-chktaint to decode them)']


def kernel_state(tap, state, chktaint):
    """The verdict of guest/init's last look at the kernel: taint bits beyond
    ALLOWED_TAINT and debug_locks (0 once lockdep has reported, or turned
    itself off, e.g. after "trying to register non-static key")."""
    name = 'kernel: not tainted (except TAINT_TEST) and lockdep on at the end'
    if 'end' not in state:
        tap.add(False, name, 'guest printed no NSVM-TAINT line')
        return
    end = state['end']
    boot = state.get('boot', 0)
    bad = end & ~ALLOWED_TAINT
    diag, why = [], []
    if bad:
        why.append(f'tainted {end} (unexpected bits {bad:#x}'
                   f'{", new since boot" if bad & ~boot else ", already at boot"})')
        diag += decode_taint(bad, chktaint)
    dl = state.get('debug_locks')
    if dl is None:
        why.append('guest printed no NSVM-DEBUG-LOCKS line')
    elif dl == '0':
        why.append('debug_locks=0: lockdep turned itself off (after a report, or an error of its own)')
    tap.add(not why, name, '; '.join(why), diag)


def parse_results(tap, path, expect, chktaint):
    try:
        text = open(path, errors='replace').read().splitlines()
    except OSError as e:
        tap.add(False, 'guest results', f'cannot read {path}: {e.strerror}')
        return
    seen = set()
    cur, buf = None, []
    done = False
    state = {}
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
        m = re.match(r'^NSVM-TAINT (boot|end)=(\d+)', line)
        if m:
            state[m.group(1)] = int(m.group(2))
            continue
        m = re.match(r'^NSVM-DEBUG-LOCKS (\S+)', line)
        if m:
            state['debug_locks'] = m.group(1)
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
    else:
        kernel_state(tap, state, chktaint)


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


def parse_kunit(tap, paths, expect):
    """The KUnit results of every KTAP stream (built-in suites at boot, one
    stream per module load), and a failure for each expected suite that
    none of them has."""
    seen = set()
    for path in paths:
        try:
            data = json.load(open(path))
        except (OSError, ValueError) as e:
            tap.add(False, 'kunit: results', f'cannot read {path}: {e}')
            continue
        for sub in data.get('sub_groups', []):
            walk_kunit(tap, sub, '')
        # top-level suites with no sub-groups are test cases of the root
        for case in data.get('test_cases', []):
            ok = case.get('status') in ('PASS', 'SKIP')
            tap.add(ok, f'kunit: {case.get("name")}',
                    'SKIP' if case.get('status') == 'SKIP' else
                    ('' if ok else 'suite failed or crashed'))
        seen |= suite_names(data)
    for s in expect:
        if s not in seen:
            tap.add(False, f'kunit: suite {s} ran', 'suite missing from the kernel log')


# "BUG: KCSAN: data-race in f / g", module symbols as "f [mod]", or with
# one side only: "BUG: KCSAN: data-race in f+0x12/0x40"
KCSAN_HEADER = re.compile(r'^BUG: KCSAN: ([^/]+?) in (\S+)(?: \[\S+\])?(?: / (\S+)(?: \[\S+\])?)?$')
KCSAN_ACCESS = re.compile(r' by (task \d+|interrupt) on cpu \d+:$')
KCSAN_UNKNOWN = 'race at unknown origin'


def kcsan_functions(lines, i):
    """Functions of the KCSAN report starting at lines[i]: the two of its
    header and every frame of each access stack (a race in a base helper
    that the series' code calls without the lock it needs shows the
    series' function further down), and whether it is a race at unknown
    origin: one side is not known, so it may be the series' code."""
    m = KCSAN_HEADER.match(lines[i])
    names = {re.sub(r'\+0x.*', '', f) for f in m.groups()[1:] if f}
    in_stack = False
    unknown = False
    for line in lines[i + 1:i + 200]:
        if line.startswith('Reported by Kernel Concurrency Sanitizer'):
            break
        if line.startswith(KCSAN_UNKNOWN):
            unknown = True
        if KCSAN_ACCESS.search(line):
            in_stack = True
            continue
        f = line.strip()
        if not f:
            in_stack = False
            continue
        # frames: "func+0x1a/0x80 [mod]"; other CPUs' lines have no offset
        if not in_stack or f.startswith('?') or not re.match(r'^\S+\+0x[0-9a-f]+/0x[0-9a-f]+', f):
            continue
        names.add(re.sub(r'\+0x.*', '', f.split()[0]))
    return names, unknown


def kcsan_known_reason(line, names, ours, known):
    """The reason configs/kcsan-known gives for a race at unknown origin
    whose header is @line and whose known side has @names, or None."""
    m = KCSAN_HEADER.match(line)
    head = re.sub(r'\+0x.*', '', m.group(2))
    if names & ours:
        return None
    for func, frame, reason in known:
        if func == head and frame in names:
            return reason
    return None


def scan_console(tap, path, ours=None, known=()):
    try:
        lines = open(path, errors='replace').read().splitlines()
    except OSError as e:
        tap.add(False, 'kernel log: free of reports', f'cannot read {path}: {e.strerror}')
        return
    lines = [PREFIX.sub('', raw.rstrip('\r')) for raw in lines]
    found = []
    base_kcsan = []
    for i, line in enumerate(lines):
        if ours is not None and KCSAN_HEADER.match(line):
            names, unknown = kcsan_functions(lines, i)
            if unknown:
                reason = kcsan_known_reason(line, names, ours, known)
                if reason is None:
                    found.append((i, 'KCSAN race at unknown origin (may be the series\' code)', line))
                else:
                    base_kcsan.append(f'line {i + 1}: {line[:150]} (known, unknown origin: {reason})')
                continue
            if not names & ours:
                base_kcsan.append(f'line {i + 1}: {line[:150]}')
                continue
            found.append((i, 'KCSAN report in the series\' code', line))
            continue
        for pat, what in REPORTS:
            if re.search(pat, line):
                found.append((i, what, line))
                break
    diag = []
    for n, (i, what, line) in enumerate(found[:10]):
        diag.append(f'line {i + 1}: {what}: {line[:150]}')
        # the first report with its stack (a hung task, a WARNING...)
        for ctx in lines[i + 1:i + (40 if n == 0 else 3)]:
            diag.append(f'    {ctx[:150]}')
    if len(found) > 10:
        diag.append(f'... and {len(found) - 10} more reports')
    tap.add(not found, 'kernel log: no WARNING/BUG/lockdep/KASAN/kmemleak/panic/stall report',
            f'{len(found)} reports' if found else '', diag)
    if ours is not None:
        tap.add(True, f'kernel log: {len(base_kcsan)} KCSAN reports in base-kernel code '
                '(none of their functions is the series\')', '', base_kcsan[:20])


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


def split_ktap(console, outdir):
    """Write each KTAP stream of @console to @outdir/kunit.N.log: the
    built-in suites print one at boot, every module with suites its own
    when it is loaded (an unindented "KTAP version" line once the printk
    prefix is removed), and kunit.py reads only the first stream of a
    file."""
    n, out = 0, None
    with open(console, errors='replace') as con:
        for line in con:
            body = PREFIX.sub('', line.rstrip('\n'))
            if body.startswith(('KTAP version', 'TAP version')):
                n += 1
                if out:
                    out.close()
                out = open(os.path.join(outdir, f'kunit.{n}.log'), 'w')
            if out:
                out.write(line)
    if out:
        out.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--console')
    ap.add_argument('--kunit-json', action='append', default=[],
                    help='kunit.py parse --json output, one per KTAP stream')
    ap.add_argument('--results')
    ap.add_argument('--expect-tests', action='append', default=[])
    ap.add_argument('--expect-kunit', action='append', default=[])
    ap.add_argument('--checks', action='append', default=[])
    ap.add_argument('--kcsan-ours', help="functions of the series' code, one per line")
    ap.add_argument('--kcsan-known',
                    help='analysed base-kernel KCSAN reports at unknown origin')
    ap.add_argument('--allowed-skips',
                    default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                         '..', 'configs', 'allowed-skips'))
    ap.add_argument('--chktaint', help="the tree's tools/debugging/kernel-chktaint")
    ap.add_argument('--list-patterns', action='store_true',
                    help='print the console patterns (label TAB regex) and exit')
    ap.add_argument('--split-ktap', nargs=2, metavar=('CONSOLE', 'DIR'),
                    help='write each KTAP stream of CONSOLE to DIR/kunit.N.log and exit')
    ap.add_argument('--header', action='append', default=[],
                    help='comment line printed before the TAP stream')
    args = ap.parse_args()
    if args.split_ktap:
        split_ktap(*args.split_ktap)
        return 0
    if args.list_patterns:
        for pat, what in REPORTS:
            print(f'{what}\t{pat}')
        return 0

    tap = Tap(read_allowed_skips(args.allowed_skips))
    for c in args.checks:
        parse_checks(tap, c)
    if args.kunit_json or args.expect_kunit:
        parse_kunit(tap, args.kunit_json, args.expect_kunit)
    if args.results:
        parse_results(tap, args.results, args.expect_tests, args.chktaint)
    if args.console:
        ours = None
        if args.kcsan_ours:
            with open(args.kcsan_ours) as f:
                ours = {line.strip() for line in f if line.strip()}
        known = []
        if args.kcsan_known:
            with open(args.kcsan_known) as f:
                for line in f:
                    fields = line.split(None, 2)
                    if len(fields) == 3 and not line.startswith('#'):
                        known.append((fields[0], fields[1], fields[2].strip()))
        scan_console(tap, args.console, ours, known)
    for h in args.header:
        print(f'# {h}')
    tap.emit(sys.stdout)
    return 1 if tap.failed or not (tap.passed + tap.skipped) else 0


if __name__ == '__main__':
    sys.exit(main())

# SPDX-License-Identifier: GPL-2.0
"""What the mutation scripts of this directory share: an edit must match the
source exactly once (a fix that was reworked makes the script fail instead
of silently testing nothing), and the command line of a script whose
mutations all edit one file."""
import sys


def replace_once(src, old, new, name, path, fail=sys.exit):
    """@src with @old replaced by @new; fail() if @old is not there once."""
    n = src.count(old)
    if n != 1:
        fail(f'{name}: expected text found {n} times in {path}:\n{old}')
    return src.replace(old, new)


def main_one_file(doc, rel_path, mutations):
    """SCRIPT TREE [NAME...]: apply the named mutations (all when none is
    named) to TREE/@rel_path, each {name: (what, [(old, new)], cases)},
    printing for each the cases that must fail."""
    if len(sys.argv) < 2:
        sys.exit(doc)
    path = sys.argv[1] + rel_path
    names = sys.argv[2:] or list(mutations)
    src = open(path).read()
    for name in names:
        if name not in mutations:
            sys.exit(f'unknown mutation {name}; known: {" ".join(mutations)}')
        what, edits, cases = mutations[name]
        for old, new in edits:
            src = replace_once(src, old, new, name, path)
        print(f'{name}: {what}; must fail: {" ".join(cases)}')
    open(path, 'w').write(src)

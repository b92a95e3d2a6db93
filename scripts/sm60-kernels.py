#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The sm_60 kernels of a C file, for scripts/check-sm60-kernels.sh.

usage: sm60-kernels.py FILE.c DIR

Reads every array "static const uint64_t NAME[] = { ... };" of FILE.c (a
size in the brackets must equal the word count; whitespace and newlines
between the tokens are free), one word and its listing per line:

    0x0123456789abcdefull, /* listing, envytools syntax */

and the table igt_sm60_kernels[] = { { "name", NAME, sizeof(NAME), GPRS },
... }.  Fails (exit 1, one problem per line on stdout) unless the arrays
read are exactly the ones the table names, each has words, and no hex
literal wider than 32 bits (a kernel word in a form not read here) stands
outside them.  Then writes DIR/kernels, one "NAME GPRS MAXREG" line per
table entry in its order (MAXREG: the highest register the listing uses,
-1 for none), and DIR/NAME.words and DIR/NAME.s (the words, the listing).
"""

import re
import sys

WORD = re.compile(r"^\s*0x([0-9a-f]{16})ull,\s*/\* (.*\S) \*/\s*$")
ARRAY = re.compile(r"\bstatic\s+const\s+uint64_t\s+(\w+)\s*\[\s*(\w*)\s*\]\s*=\s*\{")
TABLE = re.compile(r"\bigt_sm60_kernels\s*\[[^\]]*\]\s*=\s*\{")
ENTRY = re.compile(r'\{\s*"([^"]*)"\s*,\s*(\w+)\s*,\s*sizeof\s*\(\s*(\w+)\s*\)\s*,\s*(\d+)\s*,?\s*\}')
WIDE = re.compile(r"0[xX][0-9a-fA-F]{9,}")


def main(path, out):
    text = open(path).read()
    errs = []

    def line(pos):
        return text.count("\n", 0, pos) + 1

    def close(pos):
        """Index of the "}" closing the "{" just before pos."""
        depth, i = 1, pos
        while i < len(text):
            if text.startswith("/*", i):
                i = text.find("*/", i + 2)
                if i < 0:
                    break
                i += 2
                continue
            c = text[i]
            if c == '"':
                i = text.find('"', i + 1)
                if i < 0:
                    break
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return i
            i += 1
        errs.append("line %d: no closing brace" % line(pos))
        return len(text)

    # the kernel arrays
    kernels, spans = {}, []
    for m in ARRAY.finditer(text):
        name, size = m.group(1), m.group(2)
        end = close(m.end())
        spans.append((m.start(), end + 1))
        words, listing = [], []
        for n, l in enumerate(text[m.end():end].split("\n")):
            if not l.strip():
                continue
            w = WORD.match(l)
            if not w:
                errs.append('kernel %s, line %d: not "0x<16 hex digits>ull, /* listing */": %s'
                            % (name, line(m.end()) + n, l.strip()))
                continue
            words.append("0x" + w.group(1))
            listing.append(w.group(2))
        if not text[end + 1:].lstrip().startswith(";"):
            errs.append('kernel %s: no ";" after its closing brace' % name)
        if name in kernels:
            errs.append("kernel %s: defined twice" % name)
        if not words:
            errs.append("kernel %s (line %d): no words" % (name, line(m.start())))
        if size and (not size.isdigit() or int(size) != len(words)):
            errs.append("kernel %s: declared with [%s], has %d words" % (name, size, len(words)))
        kernels[name] = (words, listing)

    # wide hex literals outside them: kernel words the pattern did not see
    masked = list(text)
    for a, b in spans:
        masked[a:b] = [c if c == "\n" else " " for c in text[a:b]]
    for m in WIDE.finditer("".join(masked)):
        errs.append("line %d: %s outside the kernel arrays read" % (line(m.start()), m.group(0)))

    # the table
    table = []
    m = TABLE.search(text)
    if not m:
        errs.append("no table igt_sm60_kernels[] = { ... }")
    else:
        body = text[m.end():close(m.end())]
        table = ENTRY.findall(body)
        if len(table) != body.count("{"):
            errs.append('igt_sm60_kernels[]: %d entries, %d of the form { "name", NAME, sizeof(NAME), GPRS }'
                        % (body.count("{"), len(table)))
        for label, arr, arr2, _ in table:
            if arr != arr2:
                errs.append("igt_sm60_kernels[] entry %s: %s with sizeof(%s)" % (label, arr, arr2))
    named = [t[1] for t in table]
    for k in sorted(set(named) - set(kernels)):
        errs.append("igt_sm60_kernels[] names %s: no such array was read" % k)
    for k in sorted(set(kernels) - set(named)):
        errs.append("kernel %s is not in igt_sm60_kernels[]" % k)
    if len(set(named)) != len(named):
        errs.append("igt_sm60_kernels[] names an array twice")
    if errs:
        print("\n".join(errs))
        return 1

    with open(out + "/kernels", "w") as f:
        for _, arr, _, gprs in table:
            words, listing = kernels[arr]
            with open("%s/%s.words" % (out, arr), "w") as w:
                w.write("\n".join(words) + "\n")
            with open("%s/%s.s" % (out, arr), "w") as s:
                s.write("\n".join(listing) + "\n")
            f.write("%s %s %d\n" % (arr, gprs, maxreg(listing)))
    return 0


def maxreg(listing):
    """The highest register a listing uses: $rN but $r255 (the zero
    register), plus the upper half of a 64-bit address ("e" forms, the
    register in brackets) and of b64 (b128: three more) data."""
    top = -1
    for l in listing:
        toks = l.split()
        wide = 3 if "b128" in toks else 1 if "b64" in toks else 0
        for r in re.finditer(r"(\[)?\$r(\d+)", l):
            n = int(r.group(2))
            if n == 255:
                continue
            if r.group(1):
                n += 1 if "e" in toks else 0
            else:
                n += wide
            top = max(top, n)
    return top


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Static reachability check of callbacks that must not allocate or block.

Input: a directory of objects compiled with
    -fcallgraph-info=su -fdump-tree-optimized-lineno
(gcc writes FILE.ci, a VCG call graph, and FILE.c.NNNt.optimized, the last
GIMPLE of every function, next to each object), and the source directory
the objects were built from.

The .ci files give the nodes (functions) and the direct call edges.  gcc
sends every indirect call to one placeholder node; each such edge carries the
source location of the call, and the GIMPLE dump says, at that location,
where the called pointer was loaded from.  The pointer is resolved to:

  1. a member of a struct: "x->f", "x.a.f", "MEM[(struct T *)p].f": the
     functions stored into member f of struct T anywhere: in a static
     initializer of the sources (designated ".f = fn" or positional, mapped
     to the member through the struct definition) or by a store in a
     function body (GIMPLE "p->f = fn");
  2. an element of a global table "tab[i].f" / "tab[i]": the functions in
     that variable's initializer (at member f when it is known);
  3. a parameter of the calling function: the functions passed as an
     argument to any direct call of that function (transitively through
     the callers' own parameters);
  4. a PHI of the above, or a copy / cast of one.

When the struct type of the member is not known (an embedded member whose
type the struct table does not know), every function stored into a member
of that name is a target ("by name").  Stores whose struct type is unknown
are targets of every call through a member of the same name.  A call that
none of this resolves is reported as "unresolved" and counts as a
violation when it is reachable from a root (conservative).

Limits: only the sources under the given directory are read for
initializers, with the preprocessor not run (a table built by a macro is
missed unless the functions also appear in a store); a function pointer
copied through memory other than a struct member, a global table or a
parameter (e.g. a local array, a cast to an integer) is not followed and
ends as "unresolved"; calls into the core kernel are leaves: only their
names are checked against the forbidden list, which must therefore name
every core function that allocates or sleeps that nouveau calls; static
functions of the same name in two files are merged (over-approximation);
the analysis is path-insensitive (a "if (blockable) mutex_lock() else
mutex_trylock()" reaches mutex_lock).  Cuts (configs/callgraph-cuts)
remove named edges, each with its reason; a cut whose callee is
"<indirect>" removes the unresolved indirect calls of its caller.
"""
import argparse
import fnmatch
import os
import re
import sys
from collections import defaultdict, deque

SKIP_CALLEES = re.compile(r'^(__builtin_|__asan_|__ubsan_|__sanitizer_|__tsan_|__kasan_|__gcov_)')
CLONE = re.compile(r'\.(constprop|isra|part|cold|localalias)(\.\d+)?')


def base_name(name):
    """foo.constprop.0 -> foo"""
    return name.split('.', 1)[0]


# ---------------------------------------------------------------------------
# .ci (VCG) files

NODE_RE = re.compile(r'^node: \{ title: "([^"]*)" label: "([^"]*)"')
EDGE_RE = re.compile(r'^edge: \{ sourcename: "([^"]*)" targetname: "([^"]*)" label: "([^"]*)"')


def short_path(p, top):
    if p.startswith(top):
        return p[len(top):].lstrip('/')
    i = p.find('drivers/gpu/drm/nouveau/')
    return p[i + len('drivers/gpu/drm/nouveau/'):] if i >= 0 else p


def short_loc(loc, top):
    return short_path(loc, top)


class Graph:
    def __init__(self):
        self.defs = {}                 # node id -> (relfile, name)
        self.by_name = defaultdict(set)  # base name and full name -> node ids
        self.edges = defaultdict(list)   # node id -> [(target id or name, loc, how)]
        self.indirect = defaultdict(list)  # node id -> [loc]
        self.files = 0

    def load_ci(self, path, rel, srctop):
        """one .ci file: defined functions are the nodes without a shape
        (declarations are ellipses); a static function's title is
        "file:name", a global one's just "name"."""
        self.files += 1
        local = {}
        with open(path, errors='replace') as f:
            lines = f.readlines()
        for line in lines:
            m = NODE_RE.match(line)
            if m and 'shape' not in line:
                title = m.group(1)
                name = m.group(2).split('\\n', 1)[0]
                name = title.rsplit(':', 1)[1] if ':' in title else title
                nid = rel + ':' + name
                local[title] = nid
                self.defs[nid] = (rel, name)
                self.by_name[name].add(nid)
                self.by_name[base_name(name)].add(nid)
        for line in lines:
            m = EDGE_RE.match(line)
            if not m:
                continue
            src, dst, loc = m.groups()
            sid = local.get(src)
            if sid is None:
                continue
            loc = short_loc(loc, srctop)
            if dst == '__indirect_call':
                self.indirect[sid].append(loc)
            elif dst in local:
                self.edges[sid].append((local[dst], loc, None))
            elif not SKIP_CALLEES.match(dst):
                self.edges[sid].append((dst, loc, None))


# ---------------------------------------------------------------------------
# C source: struct definitions and static initializers (no preprocessor)

TOK_RE = re.compile(r'''
    (?P<ws>\s+)
  | (?P<com>/\*.*?\*/|//[^\n]*)
  | (?P<str>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
  | (?P<id>[A-Za-z_]\w*)
  | (?P<num>\d[\w.]*)
  | (?P<op>->|\.\.\.|<<=|>>=|[-+*/%&|^!=<>]=|&&|\|\||<<|>>|\+\+|--|[{}()\[\];,.=<>+\-*/%&|^!~?:#])
''', re.S | re.X)


def tokenize(text):
    # drop preprocessor lines (with continuations); keep the code between
    text = re.sub(r'^[ \t]*#(?:[^\n]*\\\n)*[^\n]*', '', text, flags=re.M)
    out = []
    for m in TOK_RE.finditer(text):
        k = m.lastgroup
        if k in ('ws', 'com'):
            continue
        out.append(m.group())
    return out


def match_close(toks, i):
    """index of the bracket closing toks[i]"""
    pairs = {'{': '}', '(': ')', '[': ']'}
    o, c = toks[i], pairs[toks[i]]
    d = 0
    for j in range(i, len(toks)):
        if toks[j] == o:
            d += 1
        elif toks[j] == c:
            d -= 1
            if d == 0:
                return j
    return len(toks) - 1


def split_top(toks, sep):
    """split a token list at sep at bracket depth 0"""
    parts, cur, d = [], [], 0
    for t in toks:
        if t in '([{':
            d += 1
        elif t in ')]}':
            d -= 1
        if t == sep and d == 0:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    if cur:
        parts.append(cur)
    return parts


ATTRS = {'const', 'volatile', '__iomem', '__rcu', '__user', '__percpu', 'static',
         'unsigned', 'signed'}


class Member:
    __slots__ = ('name', 'struct', 'array')

    def __init__(self, name, struct, array):
        self.name, self.struct, self.array = name, struct, array


def match_back(toks, j, close, open_):
    """Index of the @open_ token that matches the @close at toks[j], scanning
    backwards (0 if unbalanced)."""
    d = 0
    while j > 0:
        if toks[j] == close:
            d += 1
        elif toks[j] == open_:
            d -= 1
            if d == 0:
                break
        j -= 1
    return j


def parse_members(body):
    """ordered members of a struct body; struct is the embedded struct type"""
    members = []
    for decl in split_top(body, ';'):
        if not decl:
            continue
        if '{' in decl:     # nested anonymous struct/union: its members
            i = decl.index('{')
            j = match_close(decl, i)
            inner = parse_members(decl[i + 1:j])
            rest = [t for t in decl[j + 1:] if re.match(r'[A-Za-z_]\w*$', t) and t not in ATTRS]
            if rest:        # named: one member of an unnamed struct type
                members.append(Member(rest[0], inner, '[' in decl[j + 1:]))
            else:           # anonymous: its members are ours (C11)
                members.append(Member(None, inner, False))
            continue
        parts = split_top(decl, ',')
        prefix = []
        for pi, d in enumerate(parts):
            if '(' in d and '*' in d:   # function pointer: (*name)(...)
                i = d.index('(')
                inner = [t for t in d[i:match_close(d, i)] if re.match(r'[A-Za-z_]\w*$', t)]
                members.append(Member(inner[-1] if inner else None, None, False))
                continue
            idents = []
            j = 0
            while j < len(d):
                t = d[j]
                if t in '[(':
                    j = match_close(d, j) + 1
                    continue
                if t == ':':
                    break
                if re.match(r'[A-Za-z_]\w*$', t):
                    idents.append(j)
                j += 1
            if not idents:
                continue
            name = d[idents[-1]]
            if pi == 0:
                prefix = [t for t in d[:idents[-1]] if t != '*']
                ty = d[:idents[-1]]
            else:
                ty = prefix + d[:idents[-1]]
            st = None
            for k, t in enumerate(ty[:-1]):
                if t in ('struct', 'union') and '*' not in ty:
                    st = ty[k + 1]
            members.append(Member(name, st, '[' in d))
    return members


class Source:
    def __init__(self, funcs):
        self.funcs = funcs          # names of known functions
        self.structs = {}           # name -> [Member]
        self.by_key = defaultdict(set)        # (T, f) -> fns
        self.by_field_untyped = defaultdict(set)  # f -> fns (T unknown)
        self.by_type_any = defaultdict(set)   # T -> fns (member unknown)
        self.by_var = defaultdict(set)        # var -> (f or None, fn)
        self.all_by_field = defaultdict(set)  # f -> fns (any T)
        self.positional = 0
        self.taken = set()
        self.anchor = None

    def load_structs(self, toks):
        i = 0
        n = len(toks)
        while i < n - 2:
            if toks[i] in ('struct', 'union') and re.match(r'[A-Za-z_]\w*$', toks[i + 1]) and toks[i + 2] == '{':
                j = match_close(toks, i + 2)
                if toks[i + 1] not in self.structs:
                    self.add_struct(toks[i + 1], parse_members(toks[i + 3:j]))
                i += 3
                continue
            i += 1

    def add_struct(self, name, members):
        """a member of an unnamed struct type, "struct { ... } buffer;"
        in struct T, gets the type name T.buffer."""
        self.structs[name] = members
        for m in members:
            if m.name and isinstance(m.struct, list):
                sub = '%s.%s' % (name, m.name)
                self.add_struct(sub, m.struct)
                m.struct = sub

    def member(self, st, name):
        """(member, owning struct) of st, looking into anonymous members"""
        mem = self.structs.get(st) if isinstance(st, str) else st
        if not mem:
            return None
        for m in mem:
            if m.name == name:
                return m
            if m.name is None and isinstance(m.struct, list):
                for mm in m.struct:
                    if mm.name == name:
                        return mm
        return None

    def flat(self, st):
        mem = self.structs.get(st) if isinstance(st, str) else st
        if mem is None:
            return None
        out = []
        for m in mem:
            if m.name is None and isinstance(m.struct, list):
                return out + [None]  # positions after it are unsure
            out.append(m)
        return out

    def record(self, st, field, var, fn):
        self.taken.add(fn)
        key_t = st if isinstance(st, str) else None
        if field is not None:
            self.all_by_field[field].add(fn)
        if key_t and field:
            self.by_key[(key_t, field)].add(fn)
        elif field:
            self.by_field_untyped[field].add(fn)
        elif key_t or self.anchor:
            # member unknown: a target of every call through the
            # innermost struct type known around the initializer
            self.by_type_any[key_t or self.anchor].add(fn)
        if var:
            self.by_var[var].add((field, fn))

    def walk_init(self, toks, i, st, array, var, owner=None, afield=None):
        """toks[i] == '{': an initializer of a struct st (array of st if
        array, then the member afield of struct owner when not a variable)"""
        saved = self.anchor
        if isinstance(st, str):
            self.anchor = st
        try:
            self.walk_items(toks, i, st, array, var, owner, afield)
        finally:
            self.anchor = saved

    def walk_items(self, toks, i, st, array, var, owner, afield):
        j = match_close(toks, i)
        items = split_top(toks[i + 1:j], ',')
        pos = 0
        flat = None if array else self.flat(st)
        for it in items:
            if not it:
                continue
            # designators
            path = []
            k = 0
            while k < len(it) and it[k] in ('.', '['):
                if it[k] == '.':
                    path.append(it[k + 1])
                    k += 2
                else:
                    k = match_close(it, k) + 1
                    path.append('[]')
            if path and k < len(it) and it[k] == '=':
                k += 1
            else:
                path = []
            val = it[k:]
            if array:
                # element of an array of st; a designator [N] may precede it
                sub_st, sub_arr, field = st, False, None
                rest = [p for p in path if p != '[]']
                cur = st
                for p in rest:
                    m = self.member(cur, p)
                    field = p
                    owner = cur
                    cur = m.struct if m else None
                if rest:
                    sub_st, sub_arr = cur, bool(m and m.array)
                    self.value(val, sub_st, sub_arr, owner, field, var)
                else:
                    self.value(val, st, False, owner, afield, var, element=True)
                continue
            if path:
                cur, owner, field, m = st, st, None, None
                for p in path:
                    if p == '[]':
                        continue
                    owner = cur
                    m = self.member(cur, p) if cur else None
                    field = p
                    cur = m.struct if m else None
                if flat:
                    for idx, fm in enumerate(flat):
                        if fm is not None and fm.name == path[0]:
                            pos = idx + 1
                            break
                self.value(val, cur, bool(m and m.array), owner, field, var)
                continue
            # positional
            m = None
            if flat is not None and pos < len(flat):
                m = flat[pos]
            pos += 1
            if m is None:
                if any(t in self.funcs for t in val):
                    self.positional += 1
                self.value(val, None, False, st, None, var)
            else:
                self.value(val, m.struct, m.array, st, m.name, var)

    def value(self, val, st, array, owner, field, var, element=False):
        if val and val[0] == '{':
            if element:
                self.walk_init(val, 0, st, False, var)
            else:
                self.walk_init(val, 0, st, array, var, owner, field)
            return
        for q, t in enumerate(val):
            if t in self.funcs and (q + 1 >= len(val) or val[q + 1] != '('):
                self.record(owner, field, var, t)

    def load_inits(self, toks):
        n = len(toks)
        for i in range(1, n - 1):
            if toks[i] != '=' or toks[i + 1] != '{':
                continue
            j = i - 1
            array = False
            while j > 0 and toks[j] == ']':
                array = True
                j = match_back(toks, j, ']', '[') - 1
            while j > 0 and toks[j].startswith('__') and toks[j - 1] not in ('struct', 'union'):
                j -= 1     # __initconst, __maybe_unused...
            if not re.match(r'[A-Za-z_]\w*$', toks[j]):
                continue
            var = toks[j]
            k = j - 1
            while k > 0 and toks[k] in ('*', 'const'):
                k -= 1
            st = None
            if toks[k] == '}':      # anonymous struct type
                b = match_back(toks, k, '}', '{')
                st = parse_members(toks[b + 1:k])
            elif k > 0 and toks[k - 1] in ('struct', 'union'):
                st = toks[k]
            self.walk_init(toks, i + 1, st, array, var)


# ---------------------------------------------------------------------------
# GIMPLE (-fdump-tree-optimized-lineno)

LOC_RE = re.compile(r'\[([^\]\s]+:\d+:\d+)(?: discrim \d+)?\] ?')
FUNC_RE = re.compile(r'^;; Function (\S+) \((\S+),')
SSA_RE = re.compile(r'^(?:_\d+|([A-Za-z_]\w*)_\d+)(\(D\))?$')
STRUCT_RE = re.compile(r'\b(?:struct|union)\s+(\w+)')


def signature(ret, args):
    def one(t):
        m = STRUCT_RE.search(t)
        if m and '*' in t:
            return m.group(1)
        return '*' if '*' in t else '-'
    return (one(ret), tuple(one(a) for a in args))


class GFunc:
    def __init__(self, rel, name):
        self.rel, self.name = rel, name
        self.decl = {}      # var -> type
        self.params = []    # names in order
        self.defs = {}      # ssa -> rhs
        self.phis = {}      # ssa -> [args]
        self.icalls = {}    # loc -> callee ssa (indirect calls)
        self.icall_list = []


def split_args(s):
    out, cur, d = [], '', 0
    for ch in s:
        if ch in '([<':
            d += 1
        elif ch in ')]>':
            d -= 1
        if ch == ',' and d == 0:
            out.append(cur.strip())
            cur = ''
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


CALL_RE = re.compile(r'^(?:(\S+) = )?([A-Za-z_][\w.]*(?:\(D\))?) \((.*)\);$')
ASSIGN_RE = re.compile(r'^(\S.*?) = (.*);$')


class Gimple:
    def __init__(self, src):
        self.src = src
        self.funcs = {}             # rel:name -> GFunc
        # (callee as printed, position or None) -> {fn or ('param', fid, name)}
        self.args = defaultdict(set)
        self.nstores = 0
        self.taken = set()          # functions whose address is stored or passed
        self.deferred = defaultdict(list)  # member -> [(struct, fid, ssa)] stored pointers
        self.sigs = defaultdict(set)  # signature -> functions

    def load(self, path, rel, srctop):
        fn = None
        state = None
        with open(path, errors='replace') as f:
            for raw in f:
                line = raw.rstrip('\n')
                m = FUNC_RE.match(line)
                if m:
                    fn = GFunc(rel, m.group(2))
                    fn.dname = m.group(1)   # "foo.isra" for foo.isra.0
                    self.funcs[rel + ':' + m.group(2)] = fn
                    state = 'head'
                    continue
                if fn is None:
                    continue
                if state == 'head':
                    if line.endswith(')') and ' (' in line and not line.startswith(('Removing', ';;', '__attribute__')):
                        ps = line[line.index(' (') + 2:-1]
                        for p in split_args(ps):
                            pm = re.match(r'^(.*?)\s*\b([A-Za-z_]\w*)$', p)
                            if pm:
                                fn.params.append(pm.group(2))
                                fn.decl[pm.group(2)] = pm.group(1)
                        ret = line[:line.index(' (')].rsplit(' ', 1)[0]
                        self.sigs[signature(ret, [fn.decl[p] for p in fn.params if p != 'void'])].add(
                            base_name(fn.name))
                    elif line == '{':
                        state = 'decl'
                    continue
                if state == 'decl':
                    if line.strip() == '':
                        state = 'body'
                        continue
                    if '<bb ' not in line:
                        # one declaration a line (a local struct type
                        # spans several: its lines are skipped)
                        dm = re.match(r'^\s+(.*\S)\s+(\S+);$', line)
                        if dm:
                            fn.decl[dm.group(2)] = dm.group(1)
                        continue
                    state = 'body'
                if line == '}':
                    fn = None
                    continue
                locm = LOC_RE.match(line.strip())
                loc = short_loc(locm.group(1), srctop) if locm else None
                stmt = LOC_RE.sub('', line).strip()
                stmt = re.sub(r'(?: \[[a-z ]+\])+$', '', stmt)   # [tail call]
                if stmt.startswith('# ') and ' = PHI <' in stmt:
                    lhs, rhs = stmt[2:].split(' = PHI <', 1)
                    fn.phis[lhs] = [re.sub(r'\(\d+\)$', '', a) for a in split_args(rhs.rstrip('>'))]
                    continue
                cm = CALL_RE.match(stmt)
                if cm:
                    callee, args = cm.group(2), split_args(cm.group(3))
                    if self.is_ssa(fn, callee):
                        fn.icalls.setdefault(loc, []).append(callee)
                        fn.icall_list.append((loc, callee))
                    else:
                        # functions passed as arguments, by position (a
                        # clone may have dropped parameters: its callers
                        # are keyed by the full name, looked up as a whole)
                        for ai, a in enumerate(args):
                            a = a.lstrip('&')
                            v = None
                            if a in self.src.funcs:
                                v = a
                                self.taken.add(a)
                            elif self.is_ssa(fn, a) and a.endswith('(D)'):
                                pn = SSA_RE.match(a).group(1)
                                if pn in fn.params and '(*' in fn.decl.get(pn, ''):
                                    v = ('param', rel + ':' + fn.name, pn)
                            elif self.is_ssa(fn, a) and '(*' in (self.type_of(fn, a) or ''):
                                # a pointer loaded or computed here
                                v = ('ssa', rel + ':' + fn.name, a)
                            if v is not None:
                                self.args[(callee, ai)].add(v)
                                self.args[(callee, None)].add(v)
                    continue
                am = ASSIGN_RE.match(stmt)
                if am:
                    lhs, rhs = am.groups()
                    if self.is_ssa(fn, lhs):
                        fn.defs[lhs] = rhs
                    r = rhs.lstrip('&')
                    if r in self.src.funcs and not self.is_ssa(fn, lhs):
                        key = self.ref_key(fn, lhs)
                        self.nstores += 1
                        if key and key[0] == 'var':
                            self.src.by_var[key[1]].add((key[2], r))
                            self.taken.add(r)
                        elif key:
                            self.taken.add(r)
                            self.src.record(key[0], key[1], None, r)
                    elif self.is_ssa(fn, rhs) and not self.is_ssa(fn, lhs) and \
                            '(*' in (self.type_of(fn, rhs) or ''):
                        # a pointer from elsewhere (a parameter, a load)
                        # stored into a member: resolved when needed
                        key = self.ref_key(fn, lhs)
                        if key and key[0] != 'var':
                            self.deferred[key[1]].append((key[0], rel + ':' + fn.name, rhs))

    @staticmethod
    def is_ssa(fn, s):
        m = SSA_RE.match(s)
        if not m:
            return False
        return m.group(1) is None or m.group(1) in fn.decl or m.group(1) in fn.params

    def type_of(self, fn, base):
        m = SSA_RE.match(base)
        if m:
            t = fn.decl.get(base) if m.group(1) is None else fn.decl.get(m.group(1))
        else:
            t = fn.decl.get(base)
        return t

    def ref_key(self, fn, expr):
        """(struct, member) or ('var', name, member) of a memory reference"""
        expr = expr.strip()
        m = re.match(r'^MEM(?: <[^>]*>)? ?\[\((.*?)\)([^\]]*)\](.*)$', expr)
        if m:
            ty, acc = m.group(1), m.group(3)
            sm = STRUCT_RE.search(ty)
            st = sm.group(1) if sm else None
        else:
            m = re.match(r'^\*?\(?([A-Za-z_][\w]*(?:\(D\))?)\)?(.*)$', expr)
            if not m:
                return None
            base, acc = m.group(1), m.group(2)
            if not self.is_ssa(fn, base) and base not in fn.decl:
                # a global variable
                fields = re.findall(r'(?:\.|->)([A-Za-z_]\w*)', acc)
                return ('var', base, fields[-1] if fields else None)
            t = self.type_of(fn, base) or ''
            sm = STRUCT_RE.search(t)
            st = sm.group(1) if sm else None
        fields = re.findall(r'(?:\.|->)([A-Za-z_]\w*)', acc)
        if not fields:
            return None
        cur = st
        for f in fields[:-1]:
            mm = self.src.member(cur, f) if cur else None
            cur = mm.struct if mm and isinstance(mm.struct, str) else None
        return (cur, fields[-1], st)

    def targets(self, fid, ssa, seen=None):
        """functions an SSA pointer may hold: (set of names, how, unresolved)"""
        fn = self.funcs.get(fid)
        if seen is None:
            seen = set()
        if (fid, ssa) in seen or fn is None:
            return set(), set(), set()
        seen.add((fid, ssa))
        how, unres = set(), set()
        m = SSA_RE.match(ssa)
        if m and m.group(2) and m.group(1) in fn.params:
            return self.param_targets(fid, m.group(1), seen)
        if ssa in fn.phis:
            out = set()
            for a in fn.phis[ssa]:
                if a in self.src.funcs:
                    out.add(a)
                    continue
                if a.lstrip('&') in self.src.funcs:
                    out.add(a.lstrip('&'))
                    continue
                if self.is_ssa(fn, a):
                    t, h, u = self.targets(fid, a, seen)
                    out |= t
                    how |= h
                    unres |= u
            return out, how, unres
        rhs = fn.defs.get(ssa)
        if rhs is None:
            return set(), set(), {'no definition of %s' % ssa}
        rhs = re.sub(r'^\([^()]*(?:\([^()]*\)[^()]*)*\) ', '', rhs)  # cast
        r = rhs.lstrip('&')
        if r in self.src.funcs:
            return {r}, {'constant'}, set()
        if self.is_ssa(fn, rhs):
            return self.targets(fid, rhs, seen)
        key = self.ref_key(fn, rhs)
        if key is None:
            fs = self.by_signature(fn.decl.get(ssa) or fn.decl.get(SSA_RE.match(ssa).group(1) or '', ''))
            if fs:
                return fs, {'by type'}, set()
            return set(), set(), {'load "%s"' % rhs}
        if key[0] == 'var':
            fs = {f for (fld, f) in self.src.by_var.get(key[1], ()) if key[2] is None or fld in (key[2], None)}
            if not fs:
                return set(), set(), {'table %s has no known function' % key[1]}
            return fs, {'table %s' % key[1]}, set()
        st, f, outer = key
        # positional entries of the outer struct with no known member
        extra = self.src.by_type_any.get(outer, set()) if outer != st else set()
        # pointers stored into this member at run time (st unknown: any)
        for dst, dfid, dssa in self.deferred.get(f, ()):
            if st is None or dst in (st, None):
                t, h, u = self.targets(dfid, dssa, seen)
                extra = extra | t
                unres |= u
        if st:
            fs = self.src.by_key.get((st, f), set()) | self.src.by_field_untyped.get(f, set()) | \
                self.src.by_type_any.get(st, set()) | extra
            if fs:
                return set(fs), {'%s.%s' % (st, f)}, set()
        fs = self.src.all_by_field.get(f, set()) | extra
        if fs:
            return set(fs), {'*.%s (by name)' % f}, set()
        return set(), set(), {'nothing stored into %s.%s' % (st or '?', f)}

    def by_signature(self, fptype):
        """address-taken functions whose prototype fits a pointer type
        "RET (*<Tnnn>) (ARGS)": same arity, same struct behind every
        struct-pointer argument and the return value"""
        m = re.match(r'^(.*?)\s*\(\*<T[0-9a-f]+>\) \((.*)\)$', fptype or '')
        if not m:
            return set()
        args = [x for x in split_args(m.group(2)) if x != 'void']
        fs = self.sigs.get(signature(m.group(1), args), set())
        return {f for f in fs if f in self.taken or f in self.src.taken}

    def param_targets(self, fid, pname, seen):
        fn = self.funcs[fid]
        out, how, unres = set(), {'parameter %s of %s' % (pname, fn.name)}, set()
        name = fn.dname
        idx = fn.params.index(pname)
        passed = self.args.get((name, idx), set())
        if '.' in name:     # a clone may have dropped parameters: any position
            passed = self.args.get((name, None), set())
        for a in passed:
            if isinstance(a, tuple) and a[0] == 'ssa':
                t, h, u = self.targets(a[1], a[2], seen)
                out |= t
                how |= h
                unres |= u
            elif isinstance(a, tuple):
                _, cfid, cp = a
                if (cfid, cp) in seen:
                    continue
                seen.add((cfid, cp))
                t, h, u = self.param_targets(cfid, cp, seen)
                out |= t
                unres |= u
            else:
                out.add(a)
        if not out:
            unres.add('parameter %s of %s: no function passed' % (pname, fn.name))
        return out, how, unres


# ---------------------------------------------------------------------------

def read_table(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                rows.append(line.split())
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--objdir', required=True, help='object directory (.ci, .optimized)')
    ap.add_argument('--srcdir', required=True, help='source directory of those objects')
    ap.add_argument('--objlist', help="kbuild's MODULE.mod: only these objects are read")
    ap.add_argument('--roots', required=True)
    ap.add_argument('--forbidden', required=True)
    ap.add_argument('--cuts')
    ap.add_argument('--label', default='', help='prefix of the TAP descriptions')
    ap.add_argument('--report', help='write every chain here')
    ap.add_argument('--missing-ok', action='store_true',
                    help='a root missing from the objects is skipped, not failed')
    ap.add_argument('--explain', metavar='ROOT,FUNC[,SINK]',
                    help='print the chain from ROOT through FUNC to a forbidden call (or to SINK), nothing else')
    ap.add_argument('--max-chains', type=int, default=8, help='chains printed per root')
    a = ap.parse_args()

    srctop = os.path.realpath(a.srcdir)
    g = Graph()
    dumps = []
    wanted = None
    if a.objlist:
        # the objects of the module (kbuild's NAME.mod): outputs of a
        # source file that was removed since are not read
        with open(a.objlist) as f:
            wanted = {re.sub(r'^.*?drivers/gpu/drm/nouveau/', '', w)[:-2] + '.c'
                      for w in f.read().split() if w.endswith('.o')}
    for d, _, files in os.walk(a.objdir):
        for fname in files:
            p = os.path.join(d, fname)
            rel = os.path.relpath(p, a.objdir)
            src_rel = rel[:-3] + '.c' if rel.endswith('.ci') else re.sub(r'\.\d+t\.optimized$', '', rel)
            if wanted is not None and src_rel not in wanted:
                continue
            if fname.endswith('.ci'):
                g.load_ci(p, rel[:-3] + '.c', srctop)
            elif re.search(r'\.c\.\d+t\.optimized$', fname):
                dumps.append((p, re.sub(r'\.\d+t\.optimized$', '', rel)))
    if not g.files:
        sys.exit('callgraph: no .ci file under %s (built with -fcallgraph-info=su?)' % a.objdir)
    if not dumps:
        sys.exit('callgraph: no GIMPLE dump under %s (built with -fdump-tree-optimized-lineno?)' % a.objdir)

    forb = {'alloc': [], 'block': [], 'except': []}
    for row in read_table(a.forbidden):
        if row[0] not in forb or len(row) != 2:
            sys.exit('callgraph: %s: bad line %s' % (a.forbidden, ' '.join(row)))
        forb[row[0]].append(row[1])
    cuts = []
    if a.cuts and os.path.exists(a.cuts):
        for row in read_table(a.cuts):
            if len(row) != 3:
                sys.exit('callgraph: %s: bad line "%s" (want: ROOT CALLER CALLEE  # why)'
                         % (a.cuts, ' '.join(row)))
            cuts.append(tuple(row))

    names = set(n for (_, n) in g.defs.values())
    funcs = set(base_name(n) for n in names) | names

    def forbidden_kind(name):
        b = base_name(name)
        if any(fnmatch.fnmatchcase(b, p) for p in forb['except']):
            return None
        if any(fnmatch.fnmatchcase(b, p) for p in forb['alloc']):
            return 'alloc'
        if any(fnmatch.fnmatchcase(b, p) for p in forb['block']):
            return 'block'
        return None

    src = Source(funcs)
    stoks = []
    for d, _, files in os.walk(a.srcdir):
        for fname in files:
            if fname.endswith(('.c', '.h')):
                with open(os.path.join(d, fname), errors='replace') as f:
                    stoks.append(tokenize(f.read()))
    for t in stoks:
        src.load_structs(t)
    for t in stoks:
        src.load_inits(t)
    gim = Gimple(src)
    for p, rel in dumps:
        gim.load(p, rel, srctop)

    # resolve every indirect edge of the .ci files
    n_ind = n_res = 0
    stats = defaultdict(int)
    unresolved_at = {}
    for sid, locs in g.indirect.items():
        gf = gim.funcs.get(sid)
        for loc in locs:
            n_ind += 1
            if gf is None:
                unresolved_at.setdefault(sid, []).append((loc, 'no GIMPLE for %s' % sid))
                continue
            callees = gf.icalls.get(loc) or [c for (_, c) in gf.icall_list]
            tg, how, unres = set(), set(), set()
            for c in callees:
                t, h, u = gim.targets(sid, c)
                tg |= t
                how |= h
                unres |= u
            if not callees:
                unres.add('no indirect call in the GIMPLE of %s' % sid)
            if tg:
                n_res += 1
                for h in how:
                    kind = ('by name' if 'by name' in h else 'by prototype' if h == 'by type' else
                            'table' if h.startswith('table') else 'parameter' if h.startswith('parameter') else
                            'constant' if h == 'constant' else 'member')
                    stats[kind] += 1
            else:
                stats['unresolved'] += 1
            for t in sorted(tg):
                g.edges[sid].append((t, loc, ', '.join(sorted(how))))
            for u in sorted(unres):
                unresolved_at.setdefault(sid, []).append((loc, u))

    def resolve(target):
        if target in g.defs:
            return [target]
        ids = g.by_name.get(target)
        if ids:
            return sorted(i for i in ids if g.defs[i][1] == target) or sorted(ids)
        return [target]     # external function: a leaf

    def cut(root, src_id, dst):
        s = g.defs.get(src_id, (None, src_id))[1]
        d = g.defs[dst][1] if dst in g.defs else dst
        for r, c, e in cuts:
            if fnmatch.fnmatchcase(root, r) and fnmatch.fnmatchcase(base_name(s), c) and \
               fnmatch.fnmatchcase(base_name(d), e):
                used.add((r, c, e))
                return True
        return False
    used = set()

    def label(nid):
        if nid in g.defs:
            rel, name = g.defs[nid]
            return '%s (%s)' % (name, rel)
        return nid

    def bfs(root, start, kinds, stop=None):
        """shortest chain from start to each forbidden call (and each
        unresolved indirect call) reachable; stop: a node to reach instead"""
        prev = {s: None for s in start}
        q = deque(start)
        viol = []
        while q:
            n = q.popleft()
            for t, loc, how in g.edges.get(n, ()):
                for tid in resolve(t):
                    if cut(root, n, tid) or tid in prev:
                        continue
                    prev[tid] = (n, loc, how)
                    if stop is not None:
                        if (g.defs[tid][1] if tid in g.defs else tid) == stop:
                            return prev, [tid]
                        if tid in g.defs:
                            q.append(tid)
                        continue
                    k = forbidden_kind(g.defs[tid][1] if tid in g.defs else tid)
                    if k in kinds:
                        viol.append(tid)
                        continue
                    if tid in g.defs:
                        q.append(tid)
            if stop is None:
                for loc, why in unresolved_at.get(n, ()):
                    if cut(root, n, '<indirect>'):
                        continue
                    key = ('unresolved', n, loc, why)
                    if key not in prev:
                        prev[key] = (n, loc, None)
                        viol.append(key)
        return prev, viol if stop is None else []

    def hops_of(prev, v):
        hops = []
        cur = v
        while prev.get(cur) is not None:
            p, loc, how = prev[cur]
            hops.append((cur, loc, how))
            cur = p
        return cur, list(reversed(hops))

    def hop_line(node, loc, how):
        name = ('UNRESOLVED indirect call: %s' % node[3]) if isinstance(node, tuple) else label(node)
        return '    -> %s   [at %s%s]' % (name, loc, ', via ' + how if how else '')

    if a.explain:
        # the shortest chain ROOT -> ... -> FUNC, then FUNC -> a forbidden call
        root, func, sink = (a.explain.split(',') + [None])[:3]
        start = sorted(i for i in g.by_name.get(root, ()) if g.defs[i][1] == root)
        prev, hit = bfs(root, start, set(), stop=func)
        if not hit:
            print('%s does not reach %s' % (root, func))
            return 1
        first, hops = hops_of(prev, hit[0])
        print('  %s' % label(first))
        for h in hops:
            print(hop_line(*h))
        if sink:
            prev2, viol = bfs(root, hit, set(), stop=sink)
        else:
            prev2, viol = bfs(root, hit, {'alloc', 'block'})
        for v in viol[:1]:
            for h in hops_of(prev2, v)[1]:
                print(hop_line(*h))
        return 0

    roots = read_table(a.roots)
    all_used = set()
    failed = 0
    report = []
    print('# callgraph: %d objects, %d functions, %d indirect call sites, %d resolved (how: %s), '
          '%d initializer/GIMPLE stores (%d positional entries with no known member)'
          % (g.files, len(g.defs), n_ind, n_res,
             ', '.join('%s %d' % (k, v) for k, v in sorted(stats.items())),
             sum(len(v) for v in src.by_key.values()) + gim.nstores, src.positional))
    for row in roots:
        if (len(row) not in (3, 4) or row[1] not in ('blocking', 'nonblocking')
                or row[2] not in ('pass', 'fail') or row[3:] not in ([], ['base'])):
            sys.exit('callgraph: %s: bad line "%s" (want: function blocking|nonblocking pass|fail [base])'
                     % (a.roots, ' '.join(row)))
        root, kind, expect = row[:3]
        base_only = row[3:] == ['base']
        kinds = {'alloc'} if kind == 'blocking' else {'alloc', 'block'}
        start = sorted(g.by_name.get(root, ()))
        start = [s for s in start if g.defs[s][1] == root] or start
        desc = '%scallgraph: %s (%s) reaches no %s' % (
            a.label, root, kind, 'allocator' if kind == 'blocking' else 'allocator or sleeping call')
        if base_only and not a.missing_ok:
            # A root of the base tree only: the series must have removed it.
            if start:
                print('not ok - %scallgraph: %s is gone from this tree' % (a.label, root))
                print('# root %s is marked "base" (6.12 only) but is still defined' % root)
                failed += 1
            else:
                print('ok - %scallgraph: %s is gone from this tree (6.12 only: '
                      'make callgraph CALLGRAPH=base checks it)' % (a.label, root))
            continue
        if not start and a.missing_ok:
            print('ok - %s # SKIP not in this tree' % desc)
            continue
        if not start:
            print('not ok - %s' % desc)
            print('# root %s: no such function in the objects (renamed? inlined everywhere?)' % root)
            failed += 1
            continue
        used.clear()
        prev, viol = bfs(root, start, kinds)

        def chain(v):
            first, hops = hops_of(prev, v)
            return ['  %s' % label(first)] + [hop_line(*h) for h in hops]

        def kind_of(v):
            return forbidden_kind(g.defs[v][1] if v in g.defs else v)
        nalloc = sum(1 for v in viol if not isinstance(v, tuple) and kind_of(v) == 'alloc')
        nblock = sum(1 for v in viol if not isinstance(v, tuple) and kind_of(v) == 'block')
        nunres = sum(1 for v in viol if isinstance(v, tuple))
        summary = '%d functions reachable; %d allocators, %d sleeping calls, %d unresolved indirect calls reached' % (
            sum(1 for k in prev if not isinstance(k, tuple)), nalloc, nblock, nunres)
        report.append('== %s (%s, expected to %s): %s' % (root, kind, expect, summary))
        for v in viol:
            report.extend(chain(v))
        bad = bool(viol)
        if expect == 'pass':
            ok = not bad
            text = desc
        else:
            ok = bad
            text = '%scallgraph: %s (%s) reaches a forbidden call, as configs/callgraph-roots expects ' \
                '(known-bad code kept as a witness): %d chains' % (a.label, root, kind, len(viol))
        if not ok:
            failed += 1
        print('%s - %s' % ('ok' if ok else 'not ok', text))
        print('# %s' % summary)
        for r, c, e in sorted(used):
            print('# cut (configs/callgraph-cuts): %s -> %s' % (c, e))
        all_used.update(used)
        for v in viol[:a.max_chains]:
            for line in chain(v):
                print('#' + line)
        if len(viol) > a.max_chains:
            print('#   ... %d more chains%s' % (len(viol) - a.max_chains,
                                                 ' in ' + a.report if a.report else ''))
        if expect == 'fail' and not bad:
            print('# expected violations but found none: the code was fixed (update configs) or the check went blind')
    for c in cuts:
        if c not in all_used:
            print('# cut %s: %s -> %s matched no edge (stale? remove it)' % c)
    if a.report:
        with open(a.report, 'w') as f:
            f.write('\n'.join(report) + '\n')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

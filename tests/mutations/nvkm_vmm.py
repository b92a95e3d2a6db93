#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Undo the nvkm VMM fixes of issue 10 (patches 0035-0045) in a patched
tree, so that a boot of the result shows which cases of the nvkm_vmm KUnit
suite catch each of them.

    tests/mutations/nvkm_vmm.py TREE NAME...     apply NAME... to TREE
    tests/mutations/nvkm_vmm.py --check TREE [NAME...]
                                                 match only, write nothing
    tests/mutations/nvkm_vmm.py --list           name, boot, cases, patch
    tests/mutations/nvkm_vmm.py --cases NAME...  cases that must fail
    tests/mutations/nvkm_vmm.py --files          files the mutations edit

Every edit must match the source exactly once (after the edits of the
mutations named before it): a fix that was reworked makes the script fail
instead of silently testing nothing.  Several mutations may share a boot
only if no case is expected to fail for two of them, and none of them is
marked "alone": those turn lockdep off for the rest of the boot (a lockdep
report, or a KASAN report, which taints the kernel as making lockdep
unreliable), which would hide what the next lockdep-based case checks.
Combinations that break these rules are refused.

tests/mutations/run-nvkm.sh boots them (one group per boot) and compares
the failing cases with the lists below; docs/evidence/
mutations-nvkm-2026-12-02.txt is such a run.

Not here: routing nvkm_vmm_pfn_clear() through the 6.12 PFNCLR path
(nvkm_vmm_pfn_unmap() under vmm->mutex.vmm).  With the PFN lock held by
another thread, the non-blocking clear case would then block with
preemption disabled, and the thread holding the lock waits for the case:
the boot hangs.  docs/evidence/nvkm-old-path/ has that run, made with the
case skipped.
"""
import sys

import mutate

VMM = 'drivers/gpu/drm/nouveau/nvkm/subdev/mmu/vmm.c'
UVMM = 'drivers/gpu/drm/nouveau/nvkm/subdev/mmu/uvmm.c'
GP100 = 'drivers/gpu/drm/nouveau/nvkm/subdev/mmu/vmmgp100.c'

# gp100_vmm_pfn_inval_(): what a clear writes over a valid PFN PTE (a
# system-memory one keeps its address, marked pending until the flush)
INVAL_HOST = ('\t\t\tif (data & GP100_PFN_APER)\n'
              '\t\t\t\tdata = (data & GP100_PFN_ADDR) |\n'
              '\t\t\t\t       GP100_PFN_PENDING;\n'
              '\t\t\telse\n'
              '\t\t\t\tdata = 0;\n')
# every case with system-memory PFNs (0045)
DMA_CASES = ['nvkm_vmm_test_pfn_dma_4k', 'nvkm_vmm_test_pfn_dma_2m',
             'nvkm_vmm_test_pfn_dma_nonblock', 'nvkm_vmm_test_pfn_dma_map_fails',
             'nvkm_vmm_test_pfn_dma_teardown']

# name: (what it undoes, alone, [(file, old, new)], cases that must fail)
MUTATIONS = {
    'split-fail-drops-refs': (
        '0035: pfn_unmap drops the PTE references before splitting the '
        'node; a failed split WARNs, returns 0 and leaves the node mapped',
        False,
        [(VMM,
          '\t\tnext = nvkm_vmm_pfn_split_merge(vmm, vma, start, size, 0, false);\n'
          '\t\tif (!next) {\n'
          '\t\t\tnvkm_vmm_ptes_pfn_clear(vmm, page, start, size);\n'
          '\t\t\tret = -ENOMEM;\n'
          '\t\t\tcontinue;\n'
          '\t\t}\n'
          '\n'
          '\t\tnvkm_vmm_ptes_unmap_put(vmm, page, start, size, false, true);\n'
          '\t\tvma = next;\n'
          '\t\tvma->refd = NVKM_VMA_PAGE_NONE;\n'
          '\t\tvma->mapped = false;\n',
          '\t\tnvkm_vmm_ptes_unmap_put(vmm, page, start, size, false, true);\n'
          '\t\tnext = nvkm_vmm_pfn_split_merge(vmm, vma, start, size, 0, false);\n'
          '\t\tif (!WARN_ON(!next)) {\n'
          '\t\t\tvma = next;\n'
          '\t\t\tvma->refd = NVKM_VMA_PAGE_NONE;\n'
          '\t\t\tvma->mapped = false;\n'
          '\t\t}\n')],
        ['nvkm_vmm_test_pfn_unmap_split_fails']),
    'merge-other-size': (
        '0036: pfn_split_merge merges a range into a mapped neighbour '
        'whatever page size the neighbour holds references at',
        False,
        [(VMM,
          '\t\tif (prev->memory || prev->mapped != map ||\n'
          '\t\t    (map && prev->refd != page))\n',
          '\t\tif (prev->memory || prev->mapped != map)\n'),
         (VMM,
          '\t\t    next->memory || next->mapped != map ||\n'
          '\t\t    (map && next->refd != page))\n',
          '\t\t    next->memory || next->mapped != map)\n')],
        # random: a 2 MiB prepare next to a 4 KiB one is merged into it
        # (its model check fails; seen alone, 2026-12-02)
        ['nvkm_vmm_test_pfn_map_mixed_sizes', 'nvkm_vmm_test_pfn_random']),
    'map-over-other-size': (
        '0037: PFNMAP writes PTEs of its page size over a node mapped at '
        'the other one',
        False,
        [(VMM,
          '\t\tif (mapped && vma->refd != page - vmm->func->page) {\n'
          '\t\t\tret = -EBUSY;\n'
          '\t\t\tgoto next;\n'
          '\t\t}\n', '')],
        ['nvkm_vmm_test_pfn_map_over_other_size']),
    'unmap-part-of-large-page': (
        '0038: pfn_unmap of part of a 2 MiB page cuts the node and leaves '
        'the PTE and its reference behind',
        False,
        [(VMM,
          '\t\tif (!IS_ALIGNED(start | size, 1ULL << page->shift)) {\n'
          '\t\t\tsize = ALIGN(start + size, 1ULL << page->shift);\n'
          '\t\t\tstart = ALIGN_DOWN(start, 1ULL << page->shift);\n'
          '\t\t\tsize -= start;\n'
          '\t\t}\n', '')],
        ['nvkm_vmm_test_pfn_unmap_part_of_2m']),
    'unlink-without-pfn-lock': (
        '0040: page tables unlinked (pointer, PDE, flush) without '
        'vmm->mutex.pfn, so a PFN walker can use one being freed',
        True,
        [(VMM,
          '\t\tmutex_lock(&vmm->mutex.pfn);\n'
          '\t\tTRA(it, "PDE unmap %s", nvkm_vmm_desc_type(&desc[it->lvl - 1]));\n',
          '\t\tTRA(it, "PDE unmap %s", nvkm_vmm_desc_type(&desc[it->lvl - 1]));\n'),
         (VMM,
          '\t\tnvkm_vmm_flush(it);\n'
          '\t\tmutex_unlock(&vmm->mutex.pfn);\n'
          '\t} else {\n',
          '\t\tnvkm_vmm_flush(it);\n'
          '\t} else {\n')],
        # Before the fixup of 2026-12-02 the case only raced for it, and
        # 400 rounds never lost the race (21/21 passed): it now checks
        # that the flush between the unlink and the free runs under the
        # lock.
        ['nvkm_vmm_test_pfn_clear_concurrent']),
    'clear-without-pfn-lock': (
        '0040/0041: nvkm_vmm_pfn_clear() walks the page tables without '
        'vmm->mutex.pfn (its lockdep assertions go too, or every clear '
        'would WARN)',
        True,
        [(VMM,
          '\tif (block)\n'
          '\t\tmutex_lock(&vmm->mutex.pfn);\n'
          '\telse if (!mutex_trylock(&vmm->mutex.pfn))\n'
          '\t\treturn -EBUSY;\n'
          '\tret = nvkm_vmm_pfn_clear_locked(vmm, addr, end, block);\n'
          '\tmutex_unlock(&vmm->mutex.pfn);\n',
          '\tret = nvkm_vmm_pfn_clear_locked(vmm, addr, end, block);\n'),
         (VMM,
          '\tlockdep_assert_held(&vmm->mutex.pfn);\n\n'
          '\t/* Address bits below each level\'s index. */\n',
          '\t/* Address bits below each level\'s index. */\n'),
         (VMM,
          '\tlockdep_assert_held(&vmm->mutex.pfn);\n\n'
          '\t/* TLB flush depth for PTE writes at the deepest level.',
          '\t/* TLB flush depth for PTE writes at the deepest level.')],
        # clear_nonblock: the clear no longer backs off from a held PFN
        # lock.  clear_concurrent: the walker meets freed page tables, a
        # race (lost in every boot so far: KASAN, then an oops in the
        # clearing thread); KASAN's taint also turns lockdep off, so
        # clear_reclaim_class fails too.
        ['nvkm_vmm_test_pfn_clear_nonblock',
         'nvkm_vmm_test_pfn_clear_concurrent']),
    'put-unallocated-clears-first': (
        '0042 (as first written): a put that does not start in an '
        'allocated node clears and un-prepares the range before failing',
        False,
        [(VMM,
          '\tvma = nvkm_vmm_node_search(vmm, addr);\n'
          '\tif (!vma) {\n'
          '\t\tret = -EINVAL;\n'
          '\t\tgoto done;\n'
          '\t}\n'
          '\tfor (start = addr; vma && start < limit; vma = node(vma, next)) {\n',
          '\tvma = nvkm_vmm_node_search(vmm, addr);\n'
          '\tfor (start = addr; vma && start < limit; vma = node(vma, next)) {\n')],
        ['nvkm_vmm_test_pfn_put_unallocated']),
    'accept-non-replay': (
        '0044: the PFN operations accept a VMM that is not replayable '
        '(page tables mapped on demand, PFN lock in the shared class)',
        False,
        [(VMM,
          '\tif (!vmm->replay)\n'
          '\t\treturn -EINVAL;\n'
          '\tif (!imem || !imem->kmap_nolock)\n',
          '\tif (!imem || !imem->kmap_nolock)\n')],
        ['nvkm_vmm_test_pfn_refused']),
    'accept-locking-instmem': (
        '0044: the PFN operations accept an instmem that takes a lock to '
        'map an object already mapped (gk20a with an IOMMU)',
        False,
        [(VMM,
          '\tif (!imem || !imem->kmap_nolock)\n'
          '\t\treturn -EOPNOTSUPP;\n',
          '\tif (!imem)\n'
          '\t\treturn -EOPNOTSUPP;\n')],
        ['nvkm_vmm_test_pfn_refused']),
    'pfn-lock-shared-class': (
        '0044: the PFN lock of replayable VMMs stays in the lock class of '
        'every other VMM',
        True,
        [(VMM,
          '\tlockdep_set_class(&vmm->mutex.pfn, &nvkm_vmm_pfn_replay_key);\n',
          '')],
        ['nvkm_vmm_test_pfn_clear_reclaim_class']),
    'uvmm-any-size': (
        '0043: the PFN methods without an array accept arguments longer '
        'than their structure',
        False,
        [(UVMM, '\tif (uvmm->vmm->managed.raw || *argc < size || (!more && *argc != size))\n',
          '\tif (uvmm->vmm->managed.raw || *argc < size)\n')],
        ['nvkm_vmm_test_nvif_pfn_methods']),
    'uvmm-any-version': (
        '0043: the PFN methods accept any argument version',
        False,
        [(UVMM, '\tif (*(u8 *)argv != 0)\t/* version */\n\t\treturn NULL;\n', '')],
        ['nvkm_vmm_test_nvif_pfn_methods']),
    'uvmm-raw-accepted': (
        '0043: the PFN methods work on a VMM the client manages raw',
        False,
        [(UVMM, '\tif (uvmm->vmm->managed.raw || *argc < size || (!more && *argc != size))\n',
          '\tif (*argc < size || (!more && *argc != size))\n')],
        ['nvkm_vmm_test_nvif_pfn_methods']),
    'commit-allocates-atomic': (
        '0042: commit makes a GFP_ATOMIC allocation under the PFN lock '
        '(fs_reclaim_acquire() and lockdep cannot see one; fail-nth can)',
        False,
        [(VMM, '\tmutex_lock(&vmm->mutex.pfn);\n'
               '\tif (!nvkm_vmm_pfn_walk(vmm, page, addr, addr + size,\n'
               '\t\t\t       NVKM_VMM_PFN_CHECK)) {\n',
          '\tmutex_lock(&vmm->mutex.pfn);\n'
          '\tkfree(kmalloc(8, GFP_ATOMIC));\n'
          '\tif (!nvkm_vmm_pfn_walk(vmm, page, addr, addr + size,\n'
          '\t\t\t       NVKM_VMM_PFN_CHECK)) {\n')],
        ['nvkm_vmm_test_pfn_fail_nth']),
    'page-tables-not-held': (
        '0044: page tables of replayable VMMs are CPU-mapped on demand, so '
        'PTE and PDE writes under the PFN lock take the instmem mutex',
        True,
        [(VMM,
          '\tif (!vmm->replay || !pt)\n'
          '\t\treturn;\n'
          '\tif (hold)\n'
          '\t\tnvkm_kmap(pt->memory);\n'
          '\telse\n'
          '\t\tnvkm_done(pt->memory);\n',
          '\t/* mutation: mapped on demand, as other VMMs */\n')],
        # in_reclaim: lockdep reports reclaim -> PFN lock -> instmem mutex
        # -> reclaim.  clear_nonblock: a sleep in atomic context (the
        # instmem mutex), a failure since the fixup of 2026-12-02.  Also
        # seen: every case before the report that links a page table fails
        # on the fake instmem's count of cold maps under the PFN lock
        # (map_4k ... clear_crossing), and random and clear_reclaim_class
        # on lockdep being off.
        ['nvkm_vmm_test_pfn_clear_in_reclaim',
         'nvkm_vmm_test_pfn_clear_nonblock',
         'nvkm_vmm_test_pfn_commit_in_reclaim']),
    'unmap-before-flush': (
        '0041: a clear DMA-unmaps a system-memory page as it invalidates '
        'its PTE, before the TLB flush (and even when it cannot flush)',
        False,
        [(GP100,
          INVAL_HOST,
          '\t\t\tif (data & GP100_PFN_APER)\n'
          '\t\t\t\tgp100_vmm_pfn_dma_unmap(vmm,\n'
          '\t\t\t\t\t(data & GP100_PFN_ADDR) << 4,\n'
          '\t\t\t\t\tpte_size == 8 ? PAGE_SIZE : 1UL << 21);\n'
          '\t\t\tdata = 0;\n')],
        DMA_CASES),
    'pending-not-unmapped': (
        '0041: a clear zeroes system-memory PTEs like VRAM ones, so no '
        'DMA unmap ever follows',
        False,
        [(GP100,
          INVAL_HOST,
          '\t\t\tdata = 0;\n')],
        DMA_CASES),
    'unref-skips-pending': (
        '0042: unreferencing PFN PTEs (VMM destruction) invalidates and '
        'flushes them but never DMA-unmaps them',
        False,
        [(VMM,
          '\tnvkm_vmm_pfn_ptes(vmm, func, pgt, pgt->pt[type], ptei, ptes,\n'
          '\t\t\t  NVKM_VMM_PFN_ZAP);\n'
          '\tnvkm_vmm_pfn_ptes(vmm, func, pgt, pgt->pt[type], ptei, ptes,\n'
          '\t\t\t  NVKM_VMM_PFN_UNPREP);\n',
          '\tnvkm_vmm_pfn_ptes(vmm, func, pgt, pgt->pt[type], ptei, ptes,\n'
          '\t\t\t  NVKM_VMM_PFN_UNPREP);\n')],
        ['nvkm_vmm_test_pfn_dma_teardown']),
    'zap-2m-as-4k': (
        '0041: 2 MiB system-memory pages are DMA-unmapped with the size of '
        'a small page',
        False,
        [(GP100, '\tgp100_vmm_pfn_zap_(vmm, pt, ptei, ptes, 16, 1UL << 21);\n',
          '\tgp100_vmm_pfn_zap_(vmm, pt, ptei, ptes, 16, PAGE_SIZE);\n')],
        ['nvkm_vmm_test_pfn_dma_2m']),
}


def die(msg):
    sys.exit(f'nvkm_vmm.py: {msg}')


def known(names):
    for name in names:
        if name not in MUTATIONS:
            die(f'unknown mutation {name!r}; known: {" ".join(MUTATIONS)}')


def check_group(names):
    """One boot: no 'alone' mutation with others, no case expected twice."""
    if len(set(names)) != len(names):
        die(f'a mutation is named twice: {" ".join(names)}')
    if len(names) > 1:
        alone = [n for n in names if MUTATIONS[n][1]]
        if alone:
            die(f'{" ".join(alone)} turn(s) lockdep off: boot alone')
        seen = {}
        for name in names:
            for case in MUTATIONS[name][3]:
                if case in seen:
                    die(f'{case} is expected to fail for both {seen[case]} '
                        f'and {name}: boot them apart')
                seen[case] = name


def apply(tree, names, write):
    files = {}
    for name in names:
        what, _, edits, cases = MUTATIONS[name]
        for path, old, new in edits:
            if path not in files:
                try:
                    with open(f'{tree}/{path}') as f:
                        files[path] = f.read()
                except OSError as e:
                    die(f'{name}: cannot read {tree}/{path}: {e.strerror}')
            files[path] = mutate.replace_once(files[path], old, new, name,
                                              f'{tree}/{path}', die)
        print(f'{name}: {what}; must fail: {" ".join(cases)}')
    if write:
        for path, src in files.items():
            with open(f'{tree}/{path}', 'w') as f:
                f.write(src)


def main():
    args = sys.argv[1:]
    if not args or args[0] in ('-h', '--help'):
        sys.exit(__doc__)
    if args[0] == '--list':
        for name, (what, alone, _, cases) in MUTATIONS.items():
            print(f'{name}\t{"alone" if alone else "shared"}\t'
                  f'{",".join(cases)}\t{what}')
    elif args[0] == '--files':
        print('\n'.join(sorted({e[0] for m in MUTATIONS.values()
                                for e in m[2]})))
    elif args[0] == '--cases':
        known(args[1:])
        for name in args[1:]:
            print('\n'.join(MUTATIONS[name][3]))
    elif args[0] == '--check':
        if len(args) < 2:
            die('--check needs a tree')
        names = args[2:]
        known(names)
        if names:
            check_group(names)
            apply(args[1], names, False)
        else:   # each on its own, all against the unmutated tree
            for name in MUTATIONS:
                apply(args[1], [name], False)
    elif args[0].startswith('-'):
        die(f'unknown option {args[0]}; see --help')
    else:
        if len(args) < 2:
            die('name the mutations to apply (--list shows them)')
        known(args[1:])
        check_group(args[1:])
        apply(args[0], args[1:], True)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Undo the test_hmm fixes of patches 0002 (ioctls over user-given ranges),
0003 (a device write to a read-only page of its own device memory) and
0031 (the sequence check of commands that map pages they took) in a
patched lib/test_hmm.c, so that a boot of the result shows that the
hmm-tests cases written for them fail.

    tests/mutations/test_hmm.py TREE [NAME...]

applies the named mutations (all when none is named) to
TREE/lib/test_hmm.c and prints, for each, the hmm-tests cases that must
fail.  tests/mutations/hmm-ranges/ is the guest program that runs just
the cases of 0002 and 0003: boot it with
    NSVM_GUEST_TESTS='5*' scripts/boot.sh test tests/mutations/hmm-ranges
after rebuilding test_hmm.ko (scripts/build.sh test); tests/mutations/hmm-zap/
runs those of 0031:
    NSVM_GUEST_TESTS=none scripts/boot.sh test tests/mutations/hmm-zap
"""
import mutate

FILE = '/lib/test_hmm.c'

# name: (what it undoes, [(old, new)], cases that must fail)
MUTATIONS = {
    'check-every-page': (
        'HMM_DMIRROR_CHECK_EXCLUSIVE looks up every page of its range',
        [('\txa_for_each_range(&dmirror->pt, pfn, entry, start >> PAGE_SHIFT,\n'
          '\t\t\t  (end >> PAGE_SHIFT) - 1) {\n',
          '\tfor (pfn = start >> PAGE_SHIFT; pfn < (end >> PAGE_SHIFT); pfn++) {\n'
          '\t\tentry = xa_load(&dmirror->pt, pfn);\n')],
        ['exclusive_check_huge_range']),
    'snapshot-unkillable': (
        'HMM_DMIRROR_SNAPSHOT neither reschedules nor stops when killed',
        [('\t\t/* Only the size of the result buffer bounds the range */\n'
          '\t\tif (fatal_signal_pending(current)) {\n'
          '\t\t\tret = -EINTR;\n'
          '\t\t\tbreak;\n'
          '\t\t}\n'
          '\t\tcond_resched();\n\n', '')],
        ['snapshot_huge_range_is_killable']),
    'device-write-warns': (
        'a device write to a read-only device private page of this device '
        'is not faulted again without an owner: WARN_ON() and -EFAULT',
        [('\t\tif (is_device_private_page(page) &&\n'
          '\t\t    !(*pfns & HMM_PFN_WRITE) &&\n'
          '\t\t    (range->default_flags & HMM_PFN_REQ_WRITE)) {\n'
          '\t\t\trange->end = pfn << PAGE_SHIFT;\n'
          '\t\t\treturn -EACCES;\n'
          '\t\t}\n\n', '')],
        ['migrate_device_write_after_fork',
         'migrate_device_write_after_mprotect']),
    'excl-maps-unchecked': (
        'HMM_DMIRROR_EXCLUSIVE maps the pages it took whatever ran since '
        'the guard\'s sequence was taken',
        [('\tif (mmu_interval_read_retry(&g->notifier, g->seq)) {\n'
          '\t\tmutex_unlock(&dmirror->mutex);\n'
          '\t\treturn -EAGAIN;\n',
          '\tif (false) {\n'
          '\t\tmutex_unlock(&dmirror->mutex);\n'
          '\t\treturn -EAGAIN;\n')],
        ['hmm_mode.range.exclusive_zap_before_map',
         'hmm_mode.whole.exclusive_zap_before_map',
         'hmm_mode.nouveau612.exclusive_zap_before_map']),
    'migrate-maps-unchecked': (
        'HMM_DMIRROR_MIGRATE_TO_DEV maps the copies whatever ran since the '
        'guard\'s sequence was taken',
        [('\tretry = mmu_interval_read_retry(&g->notifier, g->seq);\n',
          '\tretry = false;\n')],
        ['hmm_mode.range.migrate_zap_before_map',
         'hmm_mode.whole.migrate_zap_before_map',
         'hmm_mode.nouveau612.migrate_zap_before_map']),
    'guard-does-not-clear': (
        'the guard\'s callback moves its sequence but leaves the clearing '
        'to the mirror\'s own callbacks (alone: the first two hide it)',
        [('\tmmu_interval_set_seq(mni, cur_seq);\n'
          '\tdmirror_do_update(dmirror, range->start, range->end);\n',
          '\tmmu_interval_set_seq(mni, cur_seq);\n')],
        ['hmm_mode.range.exclusive_zap_before_map',
         'hmm_mode.range.migrate_zap_before_map',
         'hmm_mode.whole.exclusive_zap_before_map',
         'hmm_mode.whole.migrate_zap_before_map',
         '(a few stale rounds of 40 each; nouveau612 passes: its '
         'mmu_notifier clears after every interval)']),
}


if __name__ == '__main__':
    mutate.main_one_file(__doc__, FILE, MUTATIONS)

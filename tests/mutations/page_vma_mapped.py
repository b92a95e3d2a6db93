#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Undo the mm fix of patch 0004 (device exclusive entries taken for
migration entries by page_vma_mapped_walk()) in a patched tree, so that a
boot of the result shows that the hmm-tests case written for it fails.

    tests/mutations/page_vma_mapped.py TREE [NAME...]

applies the named mutations (all when none is named) to
TREE/mm/page_vma_mapped.c and prints the hmm-tests cases that must fail.
tests/mutations/hmm-ranges/ runs them: after rebuilding the kernel
(scripts/build.sh test),
    NSVM_GUEST_TESTS='5*' scripts/boot.sh test tests/mutations/hmm-ranges
The mutated kernel leaks a reference on each device coherent page the
case makes exclusive, so test_hmm cannot unload after it.
"""
import mutate

FILE = '/mm/page_vma_mapped.c'

MUTATIONS = {
    'exclusive-is-migration': (
        'check_pte() with PVMW_MIGRATION accepts device exclusive entries, '
        'so remove_migration_pte() turns them into present PTEs',
        [('\t\tif (!is_migration_entry(entry))\n\t\t\treturn false;\n',
          '\t\tif (!is_migration_entry(entry) &&\n'
          '\t\t    !is_device_exclusive_entry(entry))\n'
          '\t\t\treturn false;\n')],
        ['exclusive_survives_eviction (device coherent)']),
}


if __name__ == '__main__':
    mutate.main_one_file(__doc__, FILE, MUTATIONS)

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Undo the mm fix of patch 0005 (the anon_vma of pages that
migrate_device_range() finds by PFN) in a patched tree, so that a boot of
the result shows that the hmm-tests case written for it fails.

    tests/mutations/migrate_device.py TREE [NAME...]

applies the named mutations (all when none is named) to
TREE/mm/migrate_device.c and prints the hmm-tests cases that must fail.
The case itself passes: what fails the run is the KASAN use-after-free the
mutated kernel reports under it.  tests/mutations/hmm-ranges/ runs it:
after rebuilding the kernel (scripts/build.sh test),
    NSVM_GUEST_TESTS='5*' scripts/boot.sh test tests/mutations/hmm-ranges
"""
import mutate

FILE = '/mm/migrate_device.c'

MUTATIONS = {
    'range-walks-unpinned': (
        'migrate_device_range() treats its pages as found through a VMA: '
        'no anon_vma pin, unmapped pages migrated and their rmap walked',
        [('\tmigrate_device_unmap(src_pfns, npages, NULL, true);\n',
          '\tmigrate_device_unmap(src_pfns, npages, NULL, false);\n')],
        ['evict_page_held_only_by_pipe (device coherent; by a KASAN report)']),
}


if __name__ == '__main__':
    mutate.main_one_file(__doc__, FILE, MUTATIONS)

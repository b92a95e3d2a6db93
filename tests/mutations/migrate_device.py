#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Undo the mm fixes of patches 0005 (the anon_vma of pages that
migrate_device_range() finds by PFN) and 0006 (pages nobody maps are not
migrated) in a patched tree, so that a boot of the result shows that the
tests written for them fail.

    tests/mutations/migrate_device.py TREE [NAME...]

applies the named mutations (all when none is named) to
TREE/mm/migrate_device.c and prints the cases that must fail.

range-walks-unpinned: the hmm-tests case itself passes; what fails the run
is the KASAN use-after-free the mutated kernel reports under it.  Since
0006 the eviction no longer takes the unmapped page that case builds, so
apply this mutation to the tree at patch 0005 (that commit of
build/linux), not to the whole series.  tests/mutations/hmm-ranges/ runs
it: after rebuilding the kernel (scripts/build.sh test),
    NSVM_GUEST_TESTS='5*' scripts/boot.sh test tests/mutations/hmm-ranges

range-migrates-unmapped, range-skips-mapped (one at a time: they edit the
same line): the KUnit suite migrate_device runs at boot; the first also
makes the kernel warn in mem_cgroup_migrate().  After rebuilding:
    NSVM_GUEST_TESTS=none scripts/boot.sh test
"""
import mutate

FILE = '/mm/migrate_device.c'

MUTATIONS = {
    'range-walks-unpinned': (
        'migrate_device_range() treats its pages as found through a VMA: '
        'no anon_vma pin, unmapped pages migrated and their rmap walked',
        [('\tmigrate_device_unmap(src_pfns, npages, NULL, true);\n',
          '\tmigrate_device_unmap(src_pfns, npages, NULL, false);\n')],
        ['evict_page_held_only_by_pipe (device coherent; by a KASAN report;'
         ' at patch 0005)']),
    'range-migrates-unmapped': (
        'migrate_device_range() marks a page for migration that no process '
        'maps (the page a CPU fault has already migrated)',
        [('\t\tif (!folio_mapped(folio)) {\n\t\t\tsrc_pfns[i] = 0;\n',
          '\t\tif (false) {\n\t\t\tsrc_pfns[i] = 0;\n')],
        ['migrate_device.range_skips_page_nobody_maps',
         'migrate_device.range_of_mixed_pages',
         '(and a mem_cgroup_migrate() warning)']),
    'range-skips-mapped': (
        'migrate_device_range() leaves every page alone, mapped or not',
        [('\t\tif (!folio_mapped(folio)) {\n\t\t\tsrc_pfns[i] = 0;\n',
          '\t\tif (true) {\n\t\t\tsrc_pfns[i] = 0;\n')],
        ['migrate_device.range_migrates_page_a_process_maps']),
}


if __name__ == '__main__':
    mutate.main_one_file(__doc__, FILE, MUTATIONS)

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Undo the review fixes of issue 11 in a patched nouveau_svm_range.c, so
that a boot of the result shows which KUnit cases catch each of them.

    tests/mutations/nouveau_svm_range.py TREE [NAME...]

applies the named mutations (all when none is named) to
TREE/drivers/gpu/drm/nouveau/nouveau_svm_range.c and prints, for each, the
cases of the nouveau_svm_range suite (run when nouveau.ko loads) that must
fail.  Every mutation must match the source exactly once: a fix that was
reworked makes the script fail instead of silently testing nothing.
"""
import mutate

FILE = '/drivers/gpu/drm/nouveau/nouveau_svm_range.c'

# name: (what it undoes, [(old, new)], cases that must fail)
MUTATIONS = {
    'clear-driver-view': (
        'invalidate() clears only the driver\'s view of the range, not the '
        'range the core still has while a split is queued',
        [('\t\tstart = max(range->start, mni->interval_tree.start);\n'
          '\t\tend = min(range->end, mni->interval_tree.last + 1);\n',
          '\t\tstart = max(range->start, r->start);\n'
          '\t\tend = min(range->end, r->end);\n')],
        ['invalidation_during_split_clears_old_range']),
    'migrate-owner-is-device': (
        'a migration by any svmm of the device skips the clear (6.12 keyed '
        'it on the device)',
        [('\tif (range->event != MMU_NOTIFY_MIGRATE || range->owner != rs) {\n',
          '\tif (range->event != MMU_NOTIFY_MIGRATE ||\n'
          '\t    (range->owner != rs && range->owner != rs->owner)) {\n')],
        ['migrate_by_device_not_this_svmm_clears']),
}



if __name__ == '__main__':
    mutate.main_one_file(__doc__, FILE, MUTATIONS)

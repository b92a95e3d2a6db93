#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Undo the fixes of issue 9 in a patched mm/mmu_notifier.c, so that a boot
of the result shows which KUnit cases catch each of them.

    tests/mutations/mmu_notifier.py TREE [NAME...]

applies the named mutations (all when none is named) to TREE/mm/mmu_notifier.c
and prints, for each, the KUnit cases of the mmu_interval_notifier suite that
must fail.  Every mutation must match the source exactly once: a fix that was
reworked makes the script fail instead of silently testing nothing.
"""
import mutate

# name: (what it undoes, [(old, new)], cases that must fail)
MUTATIONS = {
    'update-reuses-seq': (
        'item 1: idle update()/removal reuse invalidate_seq - 1 instead of '
        'burning a fresh odd value',
        [('\tsubscriptions->invalidate_seq += 2;\n'
          '\treturn subscriptions->invalidate_seq - 1;\n',
          '\treturn subscriptions->invalidate_seq - 1;\n')],
        # update_after_invalidation_does_not_reuse_reader_seq targets the
        # "- 3" fallback of the old code, which this simpler undo does not
        # bring back: it passes here (seen 2026-12-02)
        ['update_outside_invalidation_fails_earlier_read_section',
         'update_twice_does_not_return_to_reader_seq']),
    'removal-keeps-seq': (
        'item 4: remove()/remove_deferred() leave the interval sequence alone',
        # both removals share mn_itree_remove_locked(): its queued and its
        # immediate path
        [('\t\tinterval_sub->pending &= ~MMU_INTERVAL_PENDING_UPDATE;\n'
          '\t\tWRITE_ONCE(interval_sub->invalidate_seq,\n'
          '\t\t\t   subscriptions->invalidate_seq);\n'
          '\t\treturn MN_ITREE_QUEUED;\n',
          '\t\tinterval_sub->pending &= ~MMU_INTERVAL_PENDING_UPDATE;\n'
          '\t\treturn MN_ITREE_QUEUED;\n'),
         ('\tinterval_sub->pending = MMU_INTERVAL_DEAD;\n'
          '\tWRITE_ONCE(interval_sub->invalidate_seq,\n'
          '\t\t   mn_itree_fresh_seq(subscriptions));\n'
          '\treturn MN_ITREE_REMOVED;\n',
          '\tinterval_sub->pending = MMU_INTERVAL_DEAD;\n'
          '\treturn MN_ITREE_REMOVED;\n')],
        ['removal_fails_earlier_read_section']),
    'find-next-skips-same-start': (
        'item 5: find_next() restart skips intervals with the same start',
        [('\t\twhile (node && node->start < prev_start)\n',
          '\t\twhile (node && node->start <= prev_start)\n')],
        ['find_next_restart_keeps_intervals_with_same_start']),
    'insert-after-release-walk': (
        'item 7: insert_safe() after the exit release walk is accepted',
        [('\tif (subscriptions->itree_released) {\n'
          '\t\tspin_unlock(&subscriptions->lock);\n'
          '\t\treturn -ESRCH;\n',
          '\tif (0) {\n'
          '\t\tspin_unlock(&subscriptions->lock);\n'
          '\t\treturn -ESRCH;\n')],
        ['insert_safe_after_exit_release_returns_esrch']),
    'synchronize-waits-for-all': (
        'item 8: synchronize() waits until no release batch at all runs',
        [('\tif (oldest)\n\t\tret = (long)(oldest->ticket - ticket) > 0;\n',
          '\tif (oldest)\n\t\tret = false;\n')],
        ['synchronize_is_not_starved_by_later_releases']),
    'nonblock-start-leaves-itree-open': (
        'item 9 (upstream in 6.12.118): a failed non-blocking start leaves '
        'the itree side of the invalidation open',
        [('\tif (ret && has_itree && !mmu_notifier_range_blockable(range))\n'
          '\t\tmn_itree_inv_end(subscriptions);\n', '')],
        ['nonblock_start_failing_in_classic_notifier_ends_interval_side']),
    'release-order-reversed': (
        '0015: the release() calls of one inv_end come last-queued first '
        '(the apply order itself is only visible to a benchmark)',
        [('\t\t/* release() calls in the same order */\n'
          '\t\tif (last_release)\n',
          '\t\t/* mutation: release() calls in the reverse order */\n'
          '\t\tif (0)\n')],
        ['releases_come_in_the_order_removals_were_queued']),
}



if __name__ == '__main__':
    mutate.main_one_file(__doc__, '/mm/mmu_notifier.c', MUTATIONS)

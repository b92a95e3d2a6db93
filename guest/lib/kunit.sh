# SPDX-License-Identifier: GPL-2.0
# Loading a module whose KUnit suites run in its init (installed as
# /nsvm/lib/kunit.sh).

# modprobe_with_suites ARGS...: modprobe ARGS with the hung-task timeout
# raised to 330 s for the load.  modprobe waits for each KUnit case
# uninterruptibly, and a randomized case of 10,000 steps can keep it
# waiting past the test kernel's 60 s on a loaded host under TCG (seen
# with two guests on two cores): the hung-task report panics the kernel.
# KUnit ends a case itself after 300 s, so a case that hangs is still
# reported, by KUnit, before the detector would.
modprobe_with_suites() {
	local t=/proc/sys/kernel/hung_task_timeout_secs old rc

	old=$(cat $t 2>/dev/null)
	if [ -n "$old" ] && [ "$old" != 0 ] && [ "$old" -lt 330 ]; then
		echo 330 > $t
	else
		old=
	fi
	modprobe "$@"
	rc=$?
	[ -n "$old" ] && echo "$old" > $t
	return $rc
}

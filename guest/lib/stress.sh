# SPDX-License-Identifier: GPL-2.0
# The parts of the reliability campaign (installed as /nsvm/lib/stress.sh),
# shared by guest/tests/40-stress (the short form) and
# guest/stress/10-stress (make stress).  Each function prints exactly one
# TAP result line without a number (the caller prints the plan), with its
# figures as "# " lines before it.  NSVM_SEED fixes the seeds (printed).
. /nsvm/lib/test-hmm.sh
. /nsvm/lib/kunit.sh
hs=/nsvm/stress/hmm-stress

# hmm_part NAME CMD...: load test_hmm, run CMD (an hmm-stress part, which
# prints one result line), unload test_hmm; exactly one result line comes
# out: CMD's, or "not ok - NAME" if the load failed, if CMD printed none
# (killed by a signal) or if the unload failed (its cause as a comment).
hmm_part() {
	local name=$1 out rc
	shift
	if ! load_test_hmm > /dev/null; then
		echo "not ok - $name # modprobe test_hmm failed"
		return 1
	fi
	out=/tmp/part.$$
	# its other lines as they come (progress), the result held back
	{ "$@" 2>&1; echo $? > $out.rc; } | tee $out | grep -v -E '^(not )?ok '
	rc=$(cat $out.rc)
	if ! unload_test_hmm; then
		echo "# $name: test_hmm did not unload after the part"
		[ $rc = 0 ] && rc=1
	fi
	if grep -q -E '^(not )?ok ' $out; then
		if [ $rc = 0 ]; then
			grep -E '^(not )?ok ' $out
		else
			grep -E '^(not )?ok ' $out | sed 's/^ok /not ok /'
		fi
	else
		echo "not ok - $name: no result (exit status $rc)"
		[ $rc = 0 ] && rc=1
	fi
	rm -f $out $out.rc
	return $rc
}

# fuzz_part NAME CALLS [-p PERCENT]: seeded ioctl fuzzing (one process)
fuzz_part() {
	local name=$1 calls=$2
	shift 2
	hmm_part "$name" $hs fuzz -t "$name" -n "$calls" "$@"
}

# inject_part MODE: systematic fault injection (fail-nth) over a scenario
inject_part() {
	hmm_part "inject $1" $hs inject -m "$1"
}

# kmemleak_check WHAT: any leak kmemleak reports fails (printed, then
# cleared so that the next check reports only new ones).  As 99-kmemleak
# does: an object must be older than 5 s and unreferenced at two scans.
kmemleak_check() {
	local k=/sys/kernel/debug/kmemleak n
	[ -w $k ] || return 0
	sleep 6
	echo scan > $k
	echo scan > $k
	n=$(grep -c '^unreferenced object' $k)
	if [ "$n" -gt 0 ]; then
		echo "# kmemleak after $1: $n unreferenced objects"
		sed 's/^/#   /' $k | head -n 40
		echo clear > $k
		return 1
	fi
	return 0
}

# lifetime_part ROUNDS SCAN_EVERY: load test_hmm, start a process holding a
# mirror with live intervals in every mode on every device, rmmod must be
# refused (EWOULDBLOCK: the module is in use), kill them (exit with live
# intervals), rmmod must work; kmemleak scan every SCAN_EVERY rounds.
lifetime_part() {
	local rounds=$1 every=$2 r=0 bad=0 holds=0 mode dev pids n t answer
	while [ $r -lt "$rounds" ]; do
		r=$((r + 1))
		if ! load_test_hmm > /dev/null; then
			echo "# round $r: modprobe test_hmm failed"
			bad=$((bad + 1))
			break
		fi
		pids='' n=0
		for mode in range whole nouveau612; do
			for dev in 0 1 2 3; do
				[ -e /dev/hmm_dmirror$dev ] || continue
				$hs hold $mode $dev > /tmp/hold.$mode.$dev 2>&1 &
				pids="$pids $!"
				n=$((n + 1))
			done
		done
		t=0
		while [ "$(cat /tmp/hold.* 2>/dev/null | grep -c '^ready')" -lt $n ] && [ $t -lt 120 ]; do
			sleep 1
			t=$((t + 1))
		done
		if [ "$(cat /tmp/hold.* | grep -c '^ready')" -lt $n ]; then
			echo "# round $r: not every holder got ready within 120 s:"
			grep -v '^ready' /tmp/hold.* | sed 's/^/#   /'
			bad=$((bad + 1))
		fi
		holds=$((holds + n))
		answer=$($hs rmmod test_hmm)
		if [ "$answer" != EWOULDBLOCK ]; then
			echo "# round $r: rmmod test_hmm with $n live mirrors answered '$answer', not EWOULDBLOCK"
			bad=$((bad + 1))
		fi
		# shellcheck disable=SC2086 # a list of pids
		kill -9 $pids
		# shellcheck disable=SC2086
		wait $pids 2> /dev/null
		rm -f /tmp/hold.*
		if ! unload_test_hmm; then
			echo "# round $r: test_hmm did not unload after its users were killed"
			bad=$((bad + 1))
			break
		fi
		if [ $((r % every)) = 0 ] && ! kmemleak_check "round $r"; then
			bad=$((bad + 1))
		fi
	done
	echo "# lifetime: $r rounds, $holds mirrors killed with live intervals, $bad failures"
	if [ $bad = 0 ]; then
		echo "ok - module lifetime: $r rounds of test_hmm with live mirrors in every mode"
	else
		echo "not ok - module lifetime: $bad failures in $r rounds"
	fi
	[ $bad = 0 ]
}

# nouveau_rounds ROUNDS: nouveau load/unload without a device; the KUnit
# suites it carries run at the first of these loads only (filter_glob).
nouveau_rounds() {
	local rounds=$1 r=0 bad=0 glob=/sys/module/kunit/parameters/filter_glob old
	if [ ! -e "/lib/modules/$(uname -r)/kernel/drivers/gpu/drm/nouveau/nouveau.ko" ]; then
		echo "not ok - nouveau lifetime: nouveau.ko missing"
		return 1
	fi
	old=$(cat $glob 2>/dev/null)
	[ "$old" = "(null)" ] && old=
	while [ $r -lt "$rounds" ]; do
		r=$((r + 1))
		# the suites run at the first load only
		[ $r = 2 ] && [ -w $glob ] && echo 'nsvm-no-such-suite' > $glob
		if ! modprobe_with_suites nouveau || ! modprobe -r nouveau; then
			echo "# round $r: nouveau load/unload failed"
			bad=$((bad + 1))
			break
		fi
	done
	[ -w $glob ] && echo "$old" > $glob
	kmemleak_check "$r nouveau rounds" || bad=$((bad + 1))
	if [ $bad = 0 ]; then
		echo "ok - nouveau lifetime: $r load/unload rounds"
	else
		echo "not ok - nouveau lifetime: $bad failures in $r rounds"
	fi
	[ $bad = 0 ]
}

# oom_part MODE: OOM kill of a child holding a mirror in a memory cgroup
oom_part() {
	hmm_part "oom $1" $hs oom "$1"
}

# race_part MODE SECONDS SEED: device threads against an mm thread, with a
# coherence check at quiescent points (hmm-stress race)
race_part() {
	hmm_part "race $1" $hs race -m "$1" -t "$2" -s "$3"
}

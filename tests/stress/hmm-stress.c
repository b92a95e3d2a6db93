// SPDX-License-Identifier: GPL-2.0
/*
 * hmm-stress: the guest half of the reliability campaign against
 * lib/test_hmm.c (guest/tests/40-stress in make test, guest/stress/ in
 * make stress).  Every sub-command prints exactly one TAP result line
 * (without a number; the guest script prints the plan) and "# " lines
 * with its figures; a failure names the seed and the command that
 * reproduces it.
 *
 *   hmm-stress fuzz [-s SEED] [-n CALLS] [-p PERCENT] [-t LABEL] [-m MODE] [-v]
 *	Seeded ioctl fuzzing of every test_hmm command on several files in
 *	random modes, mixed with munmap/mmap/mprotect/mremap/madvise/fork and
 *	close/reopen.  Pass: every call succeeds or fails with an errno of
 *	the command's documented set (table allowed[] below), successful
 *	answers are well formed (every page done; a READ into the buffer
 *	equal to what the CPU reads), and test_hmm's interval objects are
 *	back to their count before once every file and mapping is gone.  -p: allocation failures with that probability in
 *	this task (failslab + fail_page_alloc, make-it-fail task filter);
 *	ENOMEM is then allowed everywhere.  -v: every step is also written
 *	to the kernel log ("hmm-stress: step N: ..."), so that a report
 *	can be placed between the steps around it.
 *
 *   hmm-stress inject [-m MODE]
 *	Systematic fault injection through /proc/thread-self/fail-nth: each
 *	step of a fixed scenario is repeated with its 1st, 2nd, ... slab or
 *	page allocation failing until a run sees no injection.  Pass: every
 *	injected failure ends as success or a documented errno, and the
 *	mirror still agrees with the CPU afterwards (no stale page).  Prints
 *	how many injections hit each allocation site (from the stacks that
 *	verbose fault injection writes to the kernel log).
 *
 *   hmm-stress race [-s SEED] [-t SECONDS] [-m MODE]
 *	Two device threads (read, write, migrations, exclusive access,
 *	snapshot) race one mm thread (munmap, MAP_FIXED remap, mprotect,
 *	MADV_DONTNEED, mremap with and without MREMAP_DONTUNMAP, fork with
 *	COW writes on both sides, the file replaced under the device
 *	threads) on one window.  Twice a second every thread stops and each
 *	readable page must read the same through the device as through the
 *	CPU; an unmapped page must not be readable.  Prints ops per second.
 *
 *   hmm-stress hold MODE DEV
 *	Opens /dev/hmm_dmirrorDEV, faults, splits and migrates mirrored
 *	ranges, prints "ready" and waits to be killed (module lifetime test).
 *
 *   hmm-stress rmmod NAME
 *	delete_module(NAME, O_NONBLOCK); prints "ok" or the errno's name.
 *
 *   hmm-stress oom MODE
 *	A child holding a populated mirror in MODE (device pages and an
 *	exclusive range too) allocates past the limit of a memory cgroup of
 *	its own and is OOM-killed; as soon as the kill is counted,
 *	process_mrelease() reaps it through the non-blockable notifiers
 *	(the OOM reaper waits 2 s, after such a victim has exited).  Pass:
 *	killed, test_hmm's interval objects back to their count before,
 *	the cgroup's memory under 1 MiB, and in range mode no notifier
 *	refused the reap (process_mrelease() EAGAIN, or the reaper's
 *	"unable to reap").  Prints which of reap and exit came first.
 *
 * MODE: range, whole or nouveau612 (HMM_DMIRROR_MODE_*).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_hmm_uapi.h"

#define PAGE		4096UL
#define NFILES		4
#define WIN_PAGES	1024UL		/* the window the mm operations change */
#define BUF_PAGES	1100UL		/* room for a READ of the whole window */

static const char *const mode_names[] = {
	[HMM_DMIRROR_MODE_RANGE] = "range",
	[HMM_DMIRROR_MODE_WHOLE] = "whole",
	[HMM_DMIRROR_MODE_NOUVEAU612] = "nouveau612",
};

static int parse_mode(const char *s)
{
	for (unsigned int i = 0; i < 3; i++)
		if (!strcmp(s, mode_names[i]))
			return i;
	fprintf(stderr, "unknown mode '%s' (range, whole, nouveau612)\n", s);
	exit(2);
}

/* ---------------------------------------------------------------- rng */

static uint64_t rng_state;

static uint64_t rnd_r(uint64_t *state)
{
	/* splitmix64: every seed, 0 included, gives a full-period stream */
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	return rnd_r(&rng_state);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

static uint64_t seed_from_env_or_time(void)
{
	const char *s = getenv("NSVM_SEED");
	struct timespec ts;

	if (s && *s)
		return strtoull(s, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec;
}

/* -------------------------------------------------------------- files */

static int ndevs;		/* /dev/hmm_dmirror0 .. ndevs-1 exist */

static void count_devs(void)
{
	char path[64];

	for (ndevs = 0; ndevs < 4; ndevs++) {
		snprintf(path, sizeof(path), "/dev/hmm_dmirror%d", ndevs);
		if (access(path, R_OK | W_OK))
			break;
	}
	if (!ndevs) {
		printf("not ok - no /dev/hmm_dmirror0 (is test_hmm loaded?)\n");
		exit(1);
	}
}

static int open_dev(int dev)
{
	char path[64];
	int fd, tries = 0;

	snprintf(path, sizeof(path), "/dev/hmm_dmirror%d", dev);
	/* ENOMEM: allocations may be failing on purpose (fuzz -p) */
	do {
		fd = open(path, O_RDWR | O_CLOEXEC);
	} while (fd < 0 && errno == ENOMEM && ++tries < 10000);
	if (fd < 0) {
		printf("not ok - open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static int set_mode(int fd, int mode)
{
	struct hmm_dmirror_mode m = { .mode = mode };

	return ioctl(fd, HMM_DMIRROR_SET_MODE, &m) ? -errno : 0;
}

static int dcmd(int fd, unsigned long request, void *addr, void *ptr,
		unsigned long npages)
{
	struct hmm_dmirror_cmd c = {
		.addr = (uintptr_t)addr, .ptr = (uintptr_t)ptr, .npages = npages,
	};

	return ioctl(fd, request, &c) ? -errno : 0;
}

/* maps_window() flags, beside PROT_READ and PROT_WRITE */
#define PG_MAPPED	0x100
#define PG_ANON		0x200	/* no file behind it (a "[...]" name at most) */

/*
 * What /proc/self/maps says of each of the @pages pages from @win: 0 if
 * unmapped, else PG_MAPPED, its PROT_READ/PROT_WRITE and PG_ANON.
 */
static void maps_window(const char *win, unsigned long pages, int *pg)
{
	uintptr_t lo = (uintptr_t)win, hi = lo + pages * PAGE;
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];

	memset(pg, 0, pages * sizeof(*pg));
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long s, e, ino;
		char perms[8];
		int name = 0, v;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %n", &s, &e, perms, &ino, &name) < 4 ||
		    e <= lo || s >= hi)
			continue;
		v = PG_MAPPED | (perms[0] == 'r' ? PROT_READ : 0) |
		    (perms[1] == 'w' ? PROT_WRITE : 0);
		if (!ino && !(name && line[name] && line[name] != '\n' && line[name] != '['))
			v |= PG_ANON;
		for (unsigned long a = s > lo ? s : lo; a < e && a < hi; a += PAGE)
			pg[(a - lo) / PAGE] = v;
	}
	if (f)
		fclose(f);
}

/*
 * The text of the next record of the /dev/kmsg reader @fd (non-blocking),
 * in @rec; NULL once there is none.  A record too long for @rec and
 * records overwritten before they were read are skipped.
 */
static char *kmsg_next(int fd, char *rec, size_t len)
{
	for (;;) {
		ssize_t n = read(fd, rec, len - 1);
		char *msg;

		if (n < 0 && (errno == EINVAL || errno == EPIPE))
			continue;
		if (n <= 0)
			return NULL;
		rec[n] = 0;
		msg = strchr(rec, ';');
		if (msg)
			return msg + 1;
	}
}

/* ------------------------------------------------------ the command table */

/*
 * Every command, with the errors lib/test_hmm.c can return for it (read
 * off its code paths; the uapi header does not list them):
 *  EFAULT  an argument or buffer that cannot be read or written, an address
 *	    range with no VMA, a fault the mm could not serve
 *  EINVAL  a malformed argument (unaligned or wrapping range, reserved
 *	    field, unknown command or mode, over a maximum), an mm that
 *	    exited (a file used by another process after the opener's exit)
 *  ENOMEM  an allocation failed (any command that starts the mirror)
 *  EBUSY   SET_MODE after the mode was fixed; a migration or exclusive
 *	    access that could not take every page; a range that stayed
 *	    invalidated until the retry timeout
 *  ENOENT  the device read that ends a migration or an exclusive access
 *	    found a page missing
 *  EPERM   a write fault on a read-only mapping; CHECK_EXCLUSIVE on a page
 *	    the device holds exclusively
 * A READ never answers ENOENT or EPERM: either would mean a device page
 * table that disagrees with what it just faulted.
 */
#define E(x)	(1ULL << (x))
#define BASE_ERRS (E(EFAULT) | E(EINVAL) | E(ENOMEM))
#define READ_ERRS (BASE_ERRS | E(EBUSY))
#define MIGRATE_ERRS (BASE_ERRS | E(EBUSY) | E(ENOENT))

struct command {
	const char *name;
	unsigned long request;
	uint64_t allowed;
	unsigned int weight;
};

static const struct command commands[] = {
	{ "READ", HMM_DMIRROR_READ, READ_ERRS, 14 },
	{ "WRITE", HMM_DMIRROR_WRITE, READ_ERRS | E(EPERM), 10 },
	{ "MIGRATE_TO_DEV", HMM_DMIRROR_MIGRATE_TO_DEV, MIGRATE_ERRS, 8 },
	{ "MIGRATE_TO_SYS", HMM_DMIRROR_MIGRATE_TO_SYS, BASE_ERRS, 6 },
	{ "SNAPSHOT", HMM_DMIRROR_SNAPSHOT, READ_ERRS, 8 },
	{ "EXCLUSIVE", HMM_DMIRROR_EXCLUSIVE, MIGRATE_ERRS, 6 },
	{ "CHECK_EXCLUSIVE", HMM_DMIRROR_CHECK_EXCLUSIVE, BASE_ERRS | E(EPERM), 4 },
	/*
	 * Weight 0: RELEASE removes the device memory of the whole device
	 * and waits in memunmap_pages() until each of its pages is freed;
	 * a device page that eviction skipped (still mapped by this very
	 * process) keeps it waiting for ever: a hung task in the first run.
	 * hmm-tests use it once, at the end.  Never sent, kept for the table.
	 */
	{ "RELEASE", HMM_DMIRROR_RELEASE, BASE_ERRS, 0 },
	{ "SET_MODE", HMM_DMIRROR_SET_MODE, E(EFAULT) | E(EINVAL) | E(EBUSY) | E(ENOMEM), 6 },
	{ "INTERVALS", HMM_DMIRROR_INTERVALS, E(EFAULT) | E(EINVAL) | E(ENOMEM), 6 },
	{ "COUNTERS", HMM_DMIRROR_COUNTERS, E(EFAULT), 3 },
	{ "SET_POOL", HMM_DMIRROR_SET_POOL, E(EFAULT) | E(EINVAL), 4 },
	/* any other 'H' number: not a command of test_hmm */
	{ "other", 0, E(EINVAL) | E(EFAULT), 4 },
};
#define NCMDS		(sizeof(commands) / sizeof(commands[0]))
#define CMD_OTHER	(NCMDS - 1)
#define MAXERR		134

struct stats {
	unsigned long calls, ok, err[MAXERR + 1];
};

static struct stats stats[NCMDS];
static unsigned long unexpected;

static const char *errname(int e)
{
	static char other[16];

	switch (e) {
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EBUSY: return "EBUSY";
	case ENOENT: return "ENOENT";
	case EPERM: return "EPERM";
	case EAGAIN: return "EAGAIN";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case EEXIST: return "EEXIST";
	}
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

static void print_stats(void)
{
	for (unsigned int i = 0; i < NCMDS; i++) {
		struct stats *s = &stats[i];
		char line[512];
		int n;

		n = snprintf(line, sizeof(line), "#   %-16s %7lu calls, %7lu ok",
			     commands[i].name, s->calls, s->ok);
		for (int e = 1; e <= MAXERR; e++)
			if (s->err[e] && n < (int)sizeof(line))
				n += snprintf(line + n, sizeof(line) - n, ", %lu %s",
					      s->err[e], errname(e));
		printf("%s\n", line);
	}
}

/* ------------------------------------------------------------- fuzzing */

struct fuzz {
	uint64_t seed;
	unsigned long call;		/* index of the current step */
	bool inject;			/* -p: ENOMEM allowed everywhere */
	const char *percent;
	int mode;			/* -m: every file in this mode; -1: random */
	int fd[NFILES];
	char *win;			/* WIN_PAGES pages the mm steps change */
	char *buf;			/* BUF_PAGES read/write buffer */
	char *ro;			/* one read-only page */
	char *none;			/* one PROT_NONE page */
	char *tail;			/* last page of a mapping, then a hole */
	int trace;			/* -v: /dev/kmsg, else -1 */
	/*
	 * In a forked child (fuzz_child()): the files mirror the parent's
	 * mm, so a device WRITE changes the parent's page and not the
	 * child's copy of it; after one, a device READ cannot be checked
	 * against what the child's CPU reads.
	 */
	bool child_wrote;
};

static struct fuzz fz;

static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("# UNEXPECTED at step %lu: ", fz.call);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (reproduce: hmm-stress fuzz -s %" PRIu64 " -n %lu%s%s)\n",
	       fz.seed, fz.call + 1, fz.inject ? " -p " : "", fz.inject ? fz.percent : "");
	fflush(stdout);
	unexpected++;
}

/* -v: one line per step in the kernel log */
static void step_log(const char *fmt, ...)
{
	char line[200];
	va_list ap;
	int n;

	if (fz.trace < 0)
		return;
	n = snprintf(line, sizeof(line), "hmm-stress: step %lu: ", fz.call);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (write(fz.trace, line, strlen(line)) < 0)
		fz.trace = -1;
}

/* A user address for a device access: mostly in the window */
static uint64_t fuzz_addr(bool writes)
{
	/* the first 7 are never user memory of this program */
	static const uint64_t odd[] = {
		0, PAGE, 0xffffffff81000000ULL, 0xffff888000000000ULL,
		0x800000000000ULL, 0x8000000000000000ULL, ~0ULL & ~(PAGE - 1),
		0x7ffffffff000ULL, 0x7fffffffe000ULL,
	};
	uint64_t r = below(100);

	if (r < 65)
		return (uintptr_t)fz.win + below(WIN_PAGES) * PAGE;
	if (r < 72)
		return (uintptr_t)fz.win + below(WIN_PAGES * PAGE);	/* unaligned */
	if (r < 76)
		return (uintptr_t)fz.buf + below(BUF_PAGES) * PAGE;
	if (r < 78)
		return (uintptr_t)fz.ro;
	if (r < 80)
		return (uintptr_t)fz.none;
	if (r < 82)
		return (uintptr_t)fz.tail;
	if (r < 84 && !writes && !fz.inject) {
		/*
		 * This program's own stack and text, for the commands that
		 * do not write them (migrations move the data, and the CPU
		 * gets it back at its next access unless an allocation
		 * fails: not with -p).
		 */
		int on_stack;

		return chance(50) ? ((uintptr_t)&on_stack & ~(PAGE - 1)) :
				    ((uintptr_t)fuzz_addr & ~(PAGE - 1));
	}
	if (r < 92)
		return odd[below(writes ? 7 : sizeof(odd) / sizeof(odd[0]))];
	/* never mapped by this program: 16 TiB .. 32 TiB */
	return 0x100000000000ULL + (below(1ULL << 44) & (chance(80) ? ~(PAGE - 1) : ~0ULL));
}

static uint64_t fuzz_npages(void)
{
	static const uint64_t odd[] = {
		1ULL << 40, ~0ULL, 1ULL << 52, (1ULL << 52) + 1, ~0ULL >> 12,
		(~0ULL >> 12) + 1, 1ULL << 63, 0x100000,
	};
	uint64_t r = below(100);

	if (r < 70)
		return below(65);
	if (r < 85)
		return 65 + below(WIN_PAGES);
	return odd[below(sizeof(odd) / sizeof(odd[0]))];
}

/* Where the driver copies to or from: a buffer of ours, or an odd place */
static uint64_t fuzz_ptr(void)
{
	uint64_t r = below(100);

	if (r < 75)
		return (uintptr_t)fz.buf + (chance(90) ? 0 : below(BUF_PAGES * PAGE));
	if (r < 80)
		return (uintptr_t)fz.win + below(WIN_PAGES) * PAGE;
	if (r < 84)
		return (uintptr_t)fz.ro;
	if (r < 88)
		return (uintptr_t)fz.none;
	if (r < 92)
		return 0;
	if (r < 96)
		return 0xffffffff81000000ULL;
	return 0x100000000000ULL + below(1ULL << 44);
}

/* The argument block: a buffer of ours, or a pointer that cannot be used */
static void *fuzz_arg(void *good, size_t size)
{
	uint64_t r = below(100);

	if (r < 90)
		return good;
	if (r < 92)
		return NULL;
	if (r < 94)
		return (void *)0xffffffff81000000ULL;
	if (r < 96)
		return fz.none;
	if (r < 98)
		return fz.ro;		/* readable; an answer cannot be written */
	/* straddling the end of a mapping */
	memcpy(fz.tail + PAGE - size / 2, good, size / 2);
	return fz.tail + PAGE - size / 2;
}

/* @asked: entries the buffer had room for; a->count: intervals there are */
static void check_intervals(const struct hmm_dmirror_intervals *a, uint64_t asked,
			    const struct hmm_dmirror_interval *iv)
{
	uint64_t n = a->count < asked ? a->count : asked;
	uint64_t prev_end = 0;

	for (uint64_t i = 0; i < n; i++) {
		if (iv[i].start >= iv[i].end || iv[i].start < prev_end ||
		    (iv[i].start | iv[i].end) & (PAGE - 1)) {
			fail("INTERVALS answer %" PRIu64 ": [%#" PRIx64 ", %#" PRIx64
			     ") after %#" PRIx64, i, iv[i].start, iv[i].end, prev_end);
			return;
		}
		prev_end = iv[i].end;
	}
}

/* The views of the mirror and of the core agree once the mm is idle */
static void check_views(int fd)
{
	static struct hmm_dmirror_interval iv[64];
	struct hmm_dmirror_intervals a;

	for (int tries = 0; tries < 50; tries++) {
		bool same = true;

		a = (struct hmm_dmirror_intervals){ .ptr = (uintptr_t)iv, .count = 64 };
		if (ioctl(fd, HMM_DMIRROR_INTERVALS, &a)) {
			if (!(fz.inject && errno == ENOMEM))
				fail("INTERVALS on a good argument: %s", errname(errno));
			return;
		}
		check_intervals(&a, 64, iv);
		for (uint64_t i = 0; i < a.count && i < 64; i++)
			same &= iv[i].start == iv[i].core_start && iv[i].end == iv[i].core_end;
		if (same)
			return;
		usleep(10000);	/* a background invalidation may be running */
	}
	fail("INTERVALS: the mirror's and the core's views still differ after 0.5 s");
}

/*
 * A successful device READ of window pages into the start of the buffer
 * must have read what the CPU sees there now: a stale device mapping
 * would answer the old page's data.
 */
static void check_read(const struct hmm_dmirror_cmd *cmd)
{
	uintptr_t lo = (uintptr_t)fz.win;
	uint64_t len = cmd->npages * PAGE;

	if (fz.child_wrote || cmd->ptr != (uintptr_t)fz.buf || cmd->addr < lo ||
	    cmd->npages > WIN_PAGES || cmd->addr + len > lo + WIN_PAGES * PAGE)
		return;
	for (uint64_t off = 0; off < len; off += PAGE)
		if (memcmp(fz.buf + off, (char *)(uintptr_t)cmd->addr + off, PAGE)) {
			fail("READ of %#llx: page %llu differs from what the CPU reads",
			     (unsigned long long)cmd->addr,
			     (unsigned long long)(off / PAGE));
			return;
		}
}

static void fuzz_ioctl(unsigned int ci)
{
	const struct command *c = &commands[ci];
	unsigned long request = c->request;
	struct hmm_dmirror_cmd cmd;
	struct hmm_dmirror_mode mode;
	struct hmm_dmirror_intervals iva;
	struct hmm_dmirror_counters ctr;
	struct hmm_dmirror_pool pool;
	static struct hmm_dmirror_interval iv[64];
	int fd = fz.fd[below(NFILES)];
	uint64_t asked = 0;
	void *arg;
	int ret, e;

	switch (ci) {
	case 8:		/* SET_MODE */
		mode.mode = chance(85) ? below(3) : (uint32_t)rnd();
		mode.reserved = chance(90) ? 0 : (uint32_t)rnd();
		arg = fuzz_arg(&mode, sizeof(mode));
		break;
	case 9:		/* INTERVALS */
		iva.ptr = chance(85) ? (uintptr_t)iv : fuzz_ptr();
		iva.count = chance(85) ? below(65) :
			    (chance(50) ? HMM_DMIRROR_INTERVALS_MAX + below(3) - 1 : rnd());
		if (iva.ptr == (uintptr_t)iv && iva.count > 64)
			iva.ptr = (uintptr_t)fz.buf;	/* BUF_PAGES pages hold 144k entries */
		if (iva.ptr == (uintptr_t)fz.buf && iva.count > BUF_PAGES * PAGE / sizeof(*iv))
			iva.ptr = 0x100000000000ULL;	/* the answer cannot fit: EFAULT */
		iva.reserved = chance(92) ? 0 : rnd();
		asked = iva.count;
		arg = fuzz_arg(&iva, sizeof(iva));
		break;
	case 10:	/* COUNTERS */
		arg = fuzz_arg(&ctr, sizeof(ctr));
		break;
	case 11:	/* SET_POOL */
		pool.target = chance(80) ? below(20) :
			      (chance(50) ? HMM_DMIRROR_POOL_MAX + below(3) - 1 : rnd());
		arg = fuzz_arg(&pool, sizeof(pool));
		break;
	case CMD_OTHER:
		/* an 'H' number no command has, any direction and size */
		do {
			request = _IOC(below(4), 'H', below(256), below(1 << 14));
		} while (request == HMM_DMIRROR_READ || request == HMM_DMIRROR_WRITE ||
			 request == HMM_DMIRROR_MIGRATE_TO_DEV ||
			 request == HMM_DMIRROR_MIGRATE_TO_SYS ||
			 request == HMM_DMIRROR_SNAPSHOT || request == HMM_DMIRROR_EXCLUSIVE ||
			 request == HMM_DMIRROR_CHECK_EXCLUSIVE ||
			 request == HMM_DMIRROR_RELEASE || request == HMM_DMIRROR_SET_MODE ||
			 request == HMM_DMIRROR_INTERVALS || request == HMM_DMIRROR_COUNTERS ||
			 request == HMM_DMIRROR_SET_POOL);
		/* with a command block as its argument */
		__attribute__((fallthrough));
	default:
		cmd.addr = fuzz_addr(ci == 1);
		cmd.ptr = fuzz_ptr();
		cmd.npages = fuzz_npages();
		/*
		 * A snapshot writes a byte per page, mapped or not, until its
		 * buffer ends: a huge one mostly into a page before a hole,
		 * or each would take minutes.
		 */
		if (ci == 4 && cmd.npages > 65 + WIN_PAGES && chance(90))
			cmd.ptr = (uintptr_t)fz.tail;
		cmd.cpages = rnd();
		cmd.faults = rnd();
		arg = fuzz_arg(&cmd, sizeof(cmd));
		break;
	}

	if (arg == &cmd)
		step_log("%s fd %d addr %#llx npages %#llx\n", c->name, fd,
			 (unsigned long long)cmd.addr, (unsigned long long)cmd.npages);
	else
		step_log("%s fd %d request %#lx\n", c->name, fd, request);
	ret = ioctl(fd, request, arg);
	e = ret ? errno : 0;
	stats[ci].calls++;
	if (!ret) {
		stats[ci].ok++;
	} else {
		stats[ci].err[e > 0 && e <= MAXERR ? e : MAXERR]++;
		if (e > 0 && e < 64 && ((c->allowed | (fz.inject ? E(ENOMEM) : 0)) & E(e)))
			return;
		fail("%s (request %#lx) on fd %d returned %s, not one of its errors",
		     c->name, request, fd, errname(e));
		return;
	}

	/* what a successful call answers */
	switch (ci) {
	case 9:
		if (arg == &iva && iva.ptr == (uintptr_t)iv)
			check_intervals(&iva, asked, iv);
		break;
	case 10:
		if (arg == &ctr && (ctr.mode > 2 || ctr.pool_size > HMM_DMIRROR_POOL_MAX ||
				    ctr.pool_target > HMM_DMIRROR_POOL_MAX))
			fail("COUNTERS: mode %llu pool %llu/%llu", (unsigned long long)ctr.mode,
			     (unsigned long long)ctr.pool_size,
			     (unsigned long long)ctr.pool_target);
		break;
	case CMD_OTHER:
		fail("request %#lx, not a test_hmm command, succeeded", request);
		break;
	case 8: case 11:
		break;
	default:
		/* the data commands do every page they are asked for */
		if (arg == &cmd && ci <= 5 && ci != 3 && cmd.npages < (1ULL << 52) &&
		    cmd.cpages != cmd.npages)
			fail("%s: %llu pages done of %llu asked", c->name,
			     (unsigned long long)cmd.cpages, (unsigned long long)cmd.npages);
		if (ci == 0 && arg == &cmd)
			check_read(&cmd);
	}
}

/* A command, in proportion to its weight */
static unsigned int pick_cmd(void)
{
	unsigned int total = 0, i;
	uint64_t r;

	for (i = 0; i < NCMDS; i++)
		total += commands[i].weight;
	r = below(total);
	for (i = 0; r >= commands[i].weight; i++)
		r -= commands[i].weight;
	return i;
}

/* A piece of the window: start page and length in pages */
static void piece(unsigned long *first, unsigned long *n)
{
	*n = 1 + below(chance(70) ? 16 : 512);
	*first = below(WIN_PAGES - *n + 1);
}

static int prot_of(uint64_t r)
{
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ,
		PROT_NONE, PROT_WRITE,
	};

	return prots[r % 5];
}

static void fuzz_child(uint64_t seed)
{
	rng_state = seed;
	unexpected = 0;
	/* the child uses the files of its parent: their mm is the parent's */
	for (int i = 0; i < 4; i++) {
		unsigned int ci = pick_cmd();

		/* a failed WRITE may have written some pages already */
		fz.child_wrote |= ci == 1;
		fuzz_ioctl(ci);
	}
	fflush(stdout);
	_exit(unexpected ? 1 : 0);
}


static void fuzz_mm_step(void)
{
	static int pg[WIN_PAGES];
	unsigned long first, n, dst;
	char *p;
	int fd;

	static const char *const names[] = {
		"munmap", "mmap", "mprotect", "madvise", "mremap", "touch",
		"fork", "reopen", "mmap-dev", "views",
	};
	unsigned int op;

	piece(&first, &n);
	p = fz.win + first * PAGE;
	op = below(10);
	step_log("%s %p pages %lu\n", names[op], p, n);
	switch (op) {
	case 0:		/* munmap: shrinks, splits or removes intervals */
		munmap(p, n * PAGE);
		break;
	case 1:		/* a fresh mapping over a piece */
		mmap(p, n * PAGE, prot_of(rnd()),
		     MAP_FIXED | MAP_ANONYMOUS | (chance(80) ? MAP_PRIVATE : MAP_SHARED), -1, 0);
		break;
	case 2:
		mprotect(p, n * PAGE, prot_of(rnd()));
		break;
	case 3:
		madvise(p, n * PAGE, chance(50) ? MADV_DONTNEED : MADV_HUGEPAGE);
		break;
	case 4:		/* move a piece within the window */
		dst = below(WIN_PAGES - n + 1);
		if (dst != first)
			mremap(p, n * PAGE, n * PAGE,
			       MREMAP_MAYMOVE | MREMAP_FIXED | (chance(30) ? MREMAP_DONTUNMAP : 0),
			       fz.win + dst * PAGE);
		break;
	case 5:		/* touch: CPU faults, migrations back from the device */
		maps_window(fz.win, WIN_PAGES, pg);
		for (unsigned long i = first; i < first + n; i += 1 + below(4)) {
			/* drawn whatever happens next: the stream stays the seed's */
			uint64_t at = below(PAGE), v = rnd();

			/*
			 * Anonymous pages only, made writable first: the
			 * device file's mmap has no fault handler, so its
			 * pages SIGBUS once MADV_DONTNEED dropped them.
			 */
			if (!(pg[i] & PG_ANON) || mprotect(fz.win + i * PAGE, PAGE, PROT_READ | PROT_WRITE))
				continue;
			fz.win[i * PAGE + at] = (char)v;
		}
		break;
	case 6: {	/* a child uses our files, then exits */
		uint64_t seed = rnd();
		pid_t pid;
		int status;

		fflush(stdout);
		pid = fork();
		if (pid == 0)
			fuzz_child(seed);
		if (pid > 0 && waitpid(pid, &status, 0) == pid &&
		    !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			fail("the forked child (seed %" PRIu64 ") ended with status %#x", seed,
			     status);
		break;
	}
	case 7: {	/* close a file with live intervals, open another */
		int i = below(NFILES);

		close(fz.fd[i]);
		fz.fd[i] = open_dev(below(ndevs));
		if (chance(70) || fz.mode >= 0)
			set_mode(fz.fd[i], fz.mode >= 0 ? fz.mode : (int)below(3));
		break;
	}
	case 8:		/* the device file's own mmap (pages of the driver) */
		fd = fz.fd[below(NFILES)];
		mmap(p, n * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_SHARED, fd, 0);
		break;
	default:
		check_views(fz.fd[below(NFILES)]);
		break;
	}
}

/* Interval objects of test_hmm (all devices), once down to @target or 5 s */
static long live_objects_at(long target)
{
	struct hmm_dmirror_counters c;
	int fd = open_dev(0);
	long n = -1;

	for (int tries = 0; tries < 500; tries++) {
		if (ioctl(fd, HMM_DMIRROR_COUNTERS, &c))
			break;
		n = c.objects;
		if (n <= target)
			break;
		usleep(10000);
	}
	close(fd);
	return n;
}

static long live_objects(void)
{
	return live_objects_at(0);
}

static void write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val)) {
		printf("not ok - write '%s' to %s: %s\n", val, path, strerror(errno));
		exit(1);
	}
	close(fd);
}

static char saved[16][32];

/* failslab and fail_page_alloc: GFP_KERNEL allocations too, order 0 too */
static void injection_setup(bool on, const char *probability, const char *verbose,
			    bool task_filter)
{
	static const char *const files[] = {
		"/sys/kernel/debug/failslab/ignore-gfp-wait",
		"/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait",
		"/sys/kernel/debug/fail_page_alloc/min-order",
		/* device and user pages are GFP_HIGHUSER: __GFP_HIGHMEM */
		"/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem",
		"/sys/kernel/debug/failslab/probability",
		"/sys/kernel/debug/fail_page_alloc/probability",
		"/sys/kernel/debug/failslab/verbose",
		"/sys/kernel/debug/fail_page_alloc/verbose",
		"/sys/kernel/debug/failslab/task-filter",
		"/sys/kernel/debug/fail_page_alloc/task-filter",
		"/sys/kernel/debug/failslab/times",
		"/sys/kernel/debug/fail_page_alloc/times",
		/* every injection's stack in the log, not 10 per 5 s */
		"/sys/kernel/debug/failslab/verbose_ratelimit_interval_ms",
		"/sys/kernel/debug/fail_page_alloc/verbose_ratelimit_interval_ms",
	};
	const char *want[] = {
		"N", "N", "0", "N", probability, probability, verbose, verbose,
		task_filter ? "Y" : "N", task_filter ? "Y" : "N", "-1", "-1", "0", "0",
	};

	for (unsigned int i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (on) {
			int fd = open(files[i], O_RDONLY);
			ssize_t n;

			if (fd < 0) {
				printf("not ok - %s: %s (fault injection not in this kernel?)\n",
				       files[i], strerror(errno));
				exit(1);
			}
			n = read(fd, saved[i], sizeof(saved[i]) - 1);
			saved[i][n > 0 ? n : 0] = 0;
			close(fd);
			write_file(files[i], want[i]);
		} else {
			write_file(files[i], saved[i]);
		}
	}
}

static int cmd_fuzz(int argc, char **argv)
{
	unsigned long calls = 5000;
	const char *percent = NULL, *label = "fuzz";
	long left, baseline;
	int mif = -1;
	int opt;

	fz.seed = seed_from_env_or_time();
	fz.mode = -1;
	fz.trace = -1;
	while ((opt = getopt(argc, argv, "s:n:p:t:m:v")) != -1) {
		switch (opt) {
		case 't': label = optarg; break;
		case 'm': fz.mode = parse_mode(optarg); break;
		case 's': fz.seed = strtoull(optarg, NULL, 0); break;
		case 'n': calls = strtoul(optarg, NULL, 0); break;
		case 'p': percent = optarg; break;
		case 'v':
			/* user lines are rate limited unless this is "on" */
			write_file("/proc/sys/kernel/printk_devkmsg", "on\n");
			fz.trace = open("/dev/kmsg", O_WRONLY);
			break;
		default: return 2;
		}
	}
	rng_state = fz.seed;
	count_devs();
	fz.win = mmap(NULL, WIN_PAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fz.buf = mmap(NULL, BUF_PAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	fz.ro = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz.win == MAP_FAILED || fz.buf == MAP_FAILED || fz.ro == MAP_FAILED) {
		printf("not ok - fuzz: mmap: %s\n", strerror(errno));
		return 1;
	}
	/* ro: read-only page, none: PROT_NONE page, tail: RW page, then a hole */
	fz.none = fz.ro + PAGE;
	fz.tail = fz.ro + 2 * PAGE;
	mprotect(fz.none, PAGE, PROT_NONE);
	mprotect(fz.tail, PAGE, PROT_READ | PROT_WRITE);
	munmap(fz.tail + PAGE, PAGE);	/* usually unmapped already */
	memset(fz.win, 0x5a, WIN_PAGES * PAGE);
	for (int i = 0; i < NFILES; i++) {
		fz.fd[i] = open_dev(below(ndevs));
		if (chance(75) || fz.mode >= 0)
			set_mode(fz.fd[i], fz.mode >= 0 ? fz.mode : (int)below(3));
	}
	printf("# fuzz: seed %" PRIu64 ", %lu steps, %d devices%s%s%s\n", fz.seed, calls,
	       ndevs, percent ? ", allocation failures with probability " : "",
	       percent ?: "", percent ? " %" : "");
	fflush(stdout);
	baseline = live_objects();
	if (percent) {
		fz.inject = true;
		fz.percent = percent;
		/* opened now: with failures on, even its open() could fail */
		mif = open("/proc/self/make-it-fail", O_WRONLY);
		if (mif < 0) {
			printf("not ok - %s: /proc/self/make-it-fail: %s\n", label, strerror(errno));
			return 1;
		}
		injection_setup(true, percent, "0", true);
		if (write(mif, "1", 1) != 1) {
			printf("not ok - %s: make-it-fail: %s\n", label, strerror(errno));
			injection_setup(false, NULL, NULL, true);
			return 1;
		}
	}
	for (fz.call = 0; fz.call < calls; fz.call++) {
		if (chance(80))
			fuzz_ioctl(pick_cmd());
		else
			fuzz_mm_step();
		if (fz.call && fz.call % 20000 == 0) {
			printf("# fuzz: %lu steps, %lu unexpected\n", fz.call, unexpected);
			fflush(stdout);
		}
	}
	if (percent) {
		/* proc_fault_inject_write() allocates nothing: it cannot fail */
		if (write(mif, "0", 1) != 1)
			fail("make-it-fail: %s", strerror(errno));
		close(mif);
		injection_setup(false, NULL, NULL, true);
	}
	/* the device file's mappings in the window hold its files open */
	munmap(fz.win, WIN_PAGES * PAGE);
	munmap(fz.buf, BUF_PAGES * PAGE);
	for (int i = 0; i < NFILES; i++)
		close(fz.fd[i]);
	left = live_objects_at(baseline);
	print_stats();
	if (left != baseline)
		fail("%ld interval objects of test_hmm allocated 5 s after every file was closed, %ld before",
		     left, baseline);
	printf("%s - %s: %lu steps, seed %" PRIu64 "%s%s%s, %lu unexpected\n",
	       unexpected ? "not ok" : "ok", label, calls, fz.seed,
	       percent ? ", allocation failure probability " : "", percent ?: "",
	       percent ? " %" : "", unexpected);
	return unexpected ? 1 : 0;
}

/* ---------------------------------------------------- systematic injection */

#define IWIN	64UL	/* pages in the scenario's window */

struct site {
	char name[96];
	unsigned long hits;
};

static struct site sites[128];
static unsigned int nsites;
static int kmsg = -1;

static bool allocator_frame(const char *f)
{
	static const char *const skip[] = {
		"dump_stack", "should_fail", "__should_fail", "should_failslab",
		"__should_failslab", "kmem_cache_alloc", "__kmem_cache", "kmalloc",
		"__kmalloc", "__alloc", "alloc_pages", "__folio_alloc", "folio_alloc",
		"kvmalloc", "__kvmalloc", "kvzalloc", "kzalloc", "kcalloc", "kvcalloc",
		"slab_pre_alloc_hook", "__slab_alloc", "___slab_alloc", "prepare_alloc_pages",
		"alloc_slab", "new_slab", "allocate_slab", "kasan", "__kasan", "show_stack",
		"fail_dump", "should_fail_alloc_page", "vma_alloc_folio", "alloc_frozen",
		"__pte_alloc", "pte_alloc", "mas_alloc", "mas_node_count", "mas_preallocate",
		"mas_store_prealloc", "mas_wr", "mas_expected", "mt_alloc", "vm_area_alloc",
		"vm_area_dup", "xas_nomem", "xas_alloc", "xa_", "__xa_", "xas_create",
		"xas_store", "radix_tree", "kmem_cache_alloc_noprof", "__kmalloc_noprof",
		"__kmalloc_cache_noprof", "kmalloc_trace", "alloc_pages_mpol",
		"__get_free_pages", "get_zeroed_page", "__pmd_alloc", "__pud_alloc",
		"__p4d_alloc", "pmd_alloc", "pud_alloc", "anon_vma", "__anon_vma",
	};

	for (unsigned int i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strncmp(f, skip[i], strlen(skip[i])))
			return true;
	return false;
}

/* The caller of the allocator in the stack of the last injection */
static void record_site(void)
{
	char rec[1024], name[96] = "";
	int state = 0;	/* 1: after FAULT_INJECTION, 2: in its Call Trace */
	char *msg;

	while ((msg = kmsg_next(kmsg, rec, sizeof(rec)))) {
		char *f;

		if (strstr(msg, "FAULT_INJECTION: forcing a failure")) {
			state = 1;
			continue;
		}
		if (state == 1 && strstr(msg, "Call Trace:"))
			state = 2;
		if (state != 2 || name[0])
			continue;
		f = msg + strspn(msg, " ");
		if (!strncmp(f, "</TASK>", 7)) {
			state = 0;
			continue;
		}
		if (*f == '?' || *f == '<' || !strchr(f, '+') || !strchr(f, '/'))
			continue;	/* not a frame */
		if (allocator_frame(f))
			continue;
		/* "func+0x1a/0x80 [module]" -> "func [module]" */
		snprintf(name, sizeof(name), "%.*s%s%.*s", (int)strcspn(f, "+"), f,
			 strchr(f, '[') ? " " : "",
			 strchr(f, '[') ? (int)strcspn(strchr(f, '['), "\n") : 0,
			 strchr(f, '[') ? strchr(f, '[') : "");
	}
	if (!name[0])
		snprintf(name, sizeof(name), "(no stack in the log)");
	for (unsigned int i = 0; i < nsites; i++)
		if (!strcmp(sites[i].name, name)) {
			sites[i].hits++;
			return;
		}
	if (nsites < sizeof(sites) / sizeof(sites[0])) {
		strcpy(sites[nsites].name, name);
		sites[nsites++].hits = 1;
	}
}

static void arm(unsigned int nth)
{
	char v[16];

	lseek(kmsg, 0, SEEK_END);
	snprintf(v, sizeof(v), "%u", nth);
	write_file("/proc/thread-self/fail-nth", v);
}

/* true if the armed failure happened (fail-nth reads 0 then) */
static bool disarm(void)
{
	char v[16] = "";
	int fd = open("/proc/thread-self/fail-nth", O_RDWR);
	ssize_t n = read(fd, v, sizeof(v) - 1);
	bool fired = n > 0 && atoi(v) == 0;

	if (write(fd, "0", 1) != 1)
		fired = false;
	close(fd);
	return fired;
}

struct scenario {
	int fd, dev, mode;
	char *win;
	char *dat;
};

static void sc_setup(struct scenario *s, unsigned int upto);

enum { ST_OPEN, ST_MODE, ST_READ, ST_WRITE, ST_SPLIT, ST_SHRINK, ST_MIGRATE,
       ST_EXCLUSIVE, ST_SNAPSHOT, ST_MIGRATE_BACK, ST_REMAP, ST_CLOSE, ST_N };

static const char *const step_names[ST_N] = {
	"open", "set mode", "device read (faults, inserts)", "device write",
	"munmap middle (split)", "munmap head (shrink)", "migrate to device",
	"exclusive access", "snapshot", "migrate to system", "MAP_FIXED remap",
	"close with live intervals",
};

/* What each step may answer (ENOMEM: the injected failure itself) */
static const uint64_t step_errs[ST_N] = {
	[ST_OPEN] = E(ENOMEM), [ST_MODE] = E(ENOMEM),
	[ST_READ] = READ_ERRS, [ST_WRITE] = READ_ERRS | E(EPERM),
	[ST_SPLIT] = E(ENOMEM), [ST_SHRINK] = E(ENOMEM),
	[ST_MIGRATE] = MIGRATE_ERRS, [ST_EXCLUSIVE] = MIGRATE_ERRS,
	[ST_SNAPSHOT] = READ_ERRS, [ST_MIGRATE_BACK] = BASE_ERRS,
	[ST_REMAP] = E(ENOMEM), [ST_CLOSE] = 0,
};

/* Run step @st of the scenario; 0 or -errno */
static int sc_step(struct scenario *s, unsigned int st)
{
	int ret = 0;

	switch (st) {
	case ST_OPEN: {
		char path[64];

		snprintf(path, sizeof(path), "/dev/hmm_dmirror%d", s->dev);
		s->fd = open(path, O_RDWR | O_CLOEXEC);
		ret = s->fd < 0 ? -errno : 0;
		break;
	}
	case ST_MODE:
		ret = set_mode(s->fd, s->mode);
		break;
	case ST_READ:
		ret = dcmd(s->fd, HMM_DMIRROR_READ, s->win, s->dat, IWIN);
		break;
	case ST_WRITE:
		ret = dcmd(s->fd, HMM_DMIRROR_WRITE, s->win, s->dat, IWIN);
		break;
	case ST_SPLIT:
		ret = munmap(s->win + 20 * PAGE, 4 * PAGE) ? -errno : 0;
		break;
	case ST_SHRINK:
		ret = munmap(s->win, 2 * PAGE) ? -errno : 0;
		break;
	case ST_MIGRATE:
		ret = dcmd(s->fd, HMM_DMIRROR_MIGRATE_TO_DEV, s->win + 32 * PAGE, s->dat, 8);
		break;
	case ST_EXCLUSIVE:
		ret = dcmd(s->fd, HMM_DMIRROR_EXCLUSIVE, s->win + 48 * PAGE, s->dat, 4);
		break;
	case ST_SNAPSHOT:
		ret = dcmd(s->fd, HMM_DMIRROR_SNAPSHOT, s->win + 2 * PAGE, s->dat, 18);
		break;
	case ST_MIGRATE_BACK:
		ret = dcmd(s->fd, HMM_DMIRROR_MIGRATE_TO_SYS, s->win + 32 * PAGE, s->dat, 8);
		break;
	case ST_REMAP:
		ret = mmap(s->win + 8 * PAGE, 8 * PAGE, PROT_READ | PROT_WRITE,
			   MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -errno : 0;
		break;
	case ST_CLOSE:
		ret = close(s->fd) ? -errno : 0;
		s->fd = -1;
		break;
	}
	return ret;
}

static void sc_teardown(struct scenario *s)
{
	if (s->fd >= 0)
		close(s->fd);
	munmap(s->win, IWIN * PAGE);
	munmap(s->dat, IWIN * PAGE);
}

/* A fresh scenario with steps 0..upto-1 done (no injection) */
static void sc_setup(struct scenario *s, unsigned int upto)
{
	s->fd = -1;
	s->win = mmap(NULL, IWIN * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s->dat = mmap(NULL, IWIN * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (s->win == MAP_FAILED || s->dat == MAP_FAILED) {
		printf("not ok - inject: mmap: %s\n", strerror(errno));
		exit(1);
	}
	madvise(s->win, IWIN * PAGE, MADV_NOHUGEPAGE);
	memset(s->win, 0x11, IWIN * PAGE);
	for (unsigned int st = 0; st < upto; st++) {
		int ret = sc_step(s, st);

		if (ret && !(st == ST_EXCLUSIVE && s->mode == HMM_DMIRROR_MODE_NOUVEAU612)) {
			printf("not ok - inject: step '%s' fails without injection: %s\n",
			       step_names[st], errname(-ret));
			exit(1);
		}
	}
}

/*
 * After a step, injected or not: every page the process still maps must
 * read the same through the device as through the CPU, also after the CPU
 * changed it, and a page it no longer maps must not be readable.
 */
static int sc_coherent(struct scenario *s, char *why, size_t len)
{
	int fd = s->fd;

	if (fd < 0) {
		fd = open_dev(s->dev);
		set_mode(fd, s->mode);
	}
	for (unsigned long i = 0; i < IWIN; i++) {
		char *p = s->win + i * PAGE;
		unsigned char v;
		int ret;

		if (mincore(p, PAGE, &v) && errno == ENOMEM) {
			ret = dcmd(fd, HMM_DMIRROR_READ, p, s->dat, 1);
			if (ret != -EFAULT) {
				snprintf(why, len, "page %lu is unmapped, the device read %s", i,
					 ret ? errname(-ret) : "it");
				goto bad;
			}
			continue;
		}
		memset(p, (int)(0x40 + i), PAGE);
		for (int tries = 0; tries < 5; tries++) {
			ret = dcmd(fd, HMM_DMIRROR_READ, p, s->dat, 1);
			if (ret != -EBUSY)
				break;
		}
		if (ret) {
			snprintf(why, len, "device read of mapped page %lu: %s", i, errname(-ret));
			goto bad;
		}
		if (memcmp(s->dat, p, PAGE)) {
			snprintf(why, len, "page %lu: the device reads %#x, the CPU wrote %#x", i,
				 (unsigned char)s->dat[0], (unsigned char)p[0]);
			goto bad;
		}
	}
	if (fd != s->fd)
		close(fd);
	return 0;
bad:
	if (fd != s->fd)
		close(fd);
	return -1;
}

static int cmd_inject(int argc, char **argv)
{
	unsigned long injections = 0, runs = 0, bad = 0, fallbacks = 0;
	unsigned long per_step[ST_N] = { 0 };
	int mode = HMM_DMIRROR_MODE_RANGE, opt;
	char why[160];

	while ((opt = getopt(argc, argv, "m:")) != -1) {
		switch (opt) {
		case 'm': mode = parse_mode(optarg); break;
		default: return 2;
		}
	}
	count_devs();
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg < 0) {
		printf("not ok - inject: /dev/kmsg: %s\n", strerror(errno));
		return 1;
	}
	injection_setup(true, "0", "2", false);	/* 2: with the stack */
	for (unsigned int st = 0; st < ST_N; st++) {
		unsigned int nth;

		for (nth = 1; nth < 1000; nth++) {
			struct scenario s = { .dev = 0, .mode = mode };
			bool fired;
			int ret;

			sc_setup(&s, st);
			arm(nth);
			ret = sc_step(&s, st);
			fired = disarm();
			runs++;
			if (fired) {
				injections++;
				per_step[st]++;
				/* kmemleak's and KASAN's own allocations fall back */
				fallbacks += !ret;
				record_site();
			}
			if (ret && !(-ret < 64 && (step_errs[st] & E(-ret)))) {
				printf("# UNEXPECTED: %s mode, step '%s', allocation %u failed: %s\n",
				       mode_names[mode], step_names[st], nth, errname(-ret));
				bad++;
			} else if (st >= ST_MODE && sc_coherent(&s, why, sizeof(why))) {
				printf("# UNEXPECTED: %s mode, step '%s', allocation %u %s: %s\n",
				       mode_names[mode], step_names[st], nth,
				       fired ? "failed" : "(none failed)", why);
				bad++;
			}
			sc_teardown(&s);
			if (!fired)
				break;
		}
		if (nth == 1000) {
			printf("# UNEXPECTED: %s mode, step '%s' still reached an allocation at its 1000th\n",
			       mode_names[mode], step_names[st]);
			bad++;
		}
	}
	injection_setup(false, NULL, NULL, false);
	printf("# inject %s: %lu runs, %lu injected allocation failures, %lu of them with a fallback (the step succeeded)\n",
	       mode_names[mode], runs, injections, fallbacks);
	for (unsigned int st = 0; st < ST_N; st++)
		printf("#   step %-32s %4lu injections\n", step_names[st], per_step[st]);
	printf("#   allocation sites (the allocator's caller in the logged stack):\n");
	for (unsigned int i = 0; i < nsites; i++)
		printf("#     %5lu  %s\n", sites[i].hits, sites[i].name);
	printf("%s - inject %s: %lu injected allocation failures over %u steps, %lu unexpected\n",
	       bad ? "not ok" : "ok", mode_names[mode], injections, ST_N, bad);
	return bad ? 1 : 0;
}

/* ----------------------------------------------------------- lifetime */

static int cmd_hold(int argc, char **argv)
{
	size_t len = 4UL << 20;
	char *p, *dat;
	int fd, mode, dev, ret;

	if (argc != 3)
		return 2;
	mode = parse_mode(argv[1]);
	dev = atoi(argv[2]);
	fd = open_dev(dev);
	ret = set_mode(fd, mode);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dat = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ret || p == MAP_FAILED || dat == MAP_FAILED) {
		printf("hold: setup failed: %s\n", ret ? errname(-ret) : strerror(errno));
		return 1;
	}
	memset(p, 0x33, len);
	ret = dcmd(fd, HMM_DMIRROR_READ, p, dat, len / PAGE);
	ret = ret ?: dcmd(fd, HMM_DMIRROR_READ, p + len / 2, dat, 16);
	ret = ret ?: (munmap(p + PAGE * 100, PAGE * 8) ? -errno : 0);
	if (!ret && mode != HMM_DMIRROR_MODE_NOUVEAU612) {
		ret = dcmd(fd, HMM_DMIRROR_MIGRATE_TO_DEV, p + len / 2, dat, 32);
		ret = ret ?: dcmd(fd, HMM_DMIRROR_EXCLUSIVE, p + len / 4, dat, 4);
	}
	if (ret) {
		printf("hold %s on %d: %s\n", argv[1], dev, errname(-ret));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int cmd_rmmod(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	if (syscall(SYS_delete_module, argv[1], O_NONBLOCK)) {
		printf("%s\n", errno == EWOULDBLOCK ? "EWOULDBLOCK" : errname(errno));
		return 1;
	}
	printf("ok\n");
	return 0;
}

/* ---------------------------------------------------------------- OOM */

static long read_long(const char *path)
{
	char v[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, v, sizeof(v) - 1) : -1;

	if (fd >= 0)
		close(fd);
	return n > 0 ? strtol(v, NULL, 10) : -1;
}

/* "oom_kill N" of a cgroup's memory.events */
static long oom_kills(const char *cg)
{
	char path[128], buf[512], *p;
	long n = -1;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/memory.events", cg);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len > 0) {
		buf[len] = 0;
		p = strstr(buf, "oom_kill ");
		if (p)
			n = strtol(p + 9, NULL, 10);
	}
	return n;
}

/* The victim: a populated mirror (device pages too), then too much memory */
static void oom_victim(const char *cg, int mode)
{
	size_t len = 16UL << 20;
	char pidstr[32], path[128], *p, *dat;
	int fd;

	snprintf(pidstr, sizeof(pidstr), "%d", getpid());
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	write_file(path, pidstr);
	write_file("/proc/self/oom_score_adj", "1000");
	fd = open_dev(0);
	set_mode(fd, mode);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dat = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || dat == MAP_FAILED)
		_exit(3);
	memset(p, 0x77, len);
	for (size_t off = 0; off < len; off += 64 * PAGE)
		dcmd(fd, HMM_DMIRROR_READ, p + off, dat, 64);
	dcmd(fd, HMM_DMIRROR_MIGRATE_TO_DEV, p, dat, 64);
	dcmd(fd, HMM_DMIRROR_EXCLUSIVE, p + 64 * PAGE, dat, 16);
	for (;;) {
		char *q = mmap(NULL, 8UL << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (q != MAP_FAILED)
			memset(q, 0x55, 8UL << 20);
	}
}

static int cmd_oom(int argc, char **argv)
{
	const char *cg = "/sys/fs/cgroup/nsvm-oom";
	unsigned long reaped = 0, unable = 0;
	char rec[1024], tag1[32], tag2[32], path[128];
	long usage = -1, base, left, kills0, mrelease = 1;
	int mode, status = 0, klog, pidfd, tries = 0;
	pid_t pid;

	if (argc != 2)
		return 2;
	mode = parse_mode(argv[1]);
	count_devs();
	mkdir("/sys/fs/cgroup", 0755);
	if (access("/sys/fs/cgroup/cgroup.controllers", R_OK) &&
	    system("mount -t cgroup2 none /sys/fs/cgroup")) {
		printf("not ok - oom %s: cannot mount cgroup2\n", argv[1]);
		return 1;
	}
	write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	rmdir(cg);
	if (mkdir(cg, 0755)) {
		printf("not ok - oom %s: mkdir %s: %s\n", argv[1], cg, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	write_file(path, "48M");
	base = live_objects();
	kills0 = oom_kills(cg);
	klog = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	lseek(klog, 0, SEEK_END);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		oom_victim(cg, mode);
	pidfd = pid > 0 ? syscall(SYS_pidfd_open, pid, 0) : -1;
	if (pid < 0 || pidfd < 0) {
		printf("not ok - oom %s: fork/pidfd_open: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/*
	 * The OOM reaper waits 2 s after the kill, long after a victim like
	 * this one has exited.  Reap it from here instead, as soon as the
	 * kill is counted: process_mrelease() runs the same non-blockable
	 * unmap (0: reaped, EAGAIN: a notifier refused, ESRCH: the victim
	 * exited first, which leaves this run without an answer).  EAGAIN is
	 * retried as the OOM reaper retries (oom_reap_task(): 10 tries, 100 ms
	 * apart): the victim's own exit may hold the mirror lock in its
	 * release walk at that moment, a refusal that says nothing of the
	 * mode.
	 */
	for (;;) {
		if (oom_kills(cg) > kills0) {
			do {
				if (tries++)
					usleep(100000);
				mrelease = syscall(SYS_process_mrelease, pidfd, 0) ?
					   -errno : 0;
			} while (mrelease == -EAGAIN && tries < 10);
			break;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = 0;	/* ended without an OOM kill */
			break;
		}
	}
	if (pid && waitpid(pid, &status, 0) != pid) {
		printf("not ok - oom %s: wait: %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(pidfd);
	/* the OOM reaper's own lines, if it came to it (2 s after the kill) */
	sleep(3);
	snprintf(tag1, sizeof(tag1), "pid:%d (", pid);
	snprintf(tag2, sizeof(tag2), "process %d (", pid);
	for (;;) {
		char *msg = kmsg_next(klog, rec, sizeof(rec));

		if (!msg)
			break;
		if (strstr(msg, "oom_reaper: reaped process") && strstr(msg, tag2))
			reaped++;
		if (strstr(msg, "oom_reaper: unable to reap") && strstr(msg, tag1))
			unable++;
	}
	close(klog);
	left = live_objects_at(base);
	snprintf(path, sizeof(path), "%s/memory.current", cg);
	/* objects freed after an RCU grace period may linger a moment */
	for (int tries = 0; tries < 100 && (usage = read_long(path)) >= (1L << 20); tries++)
		usleep(50000);
	rmdir(cg);
	printf("# oom %s (process_mrelease() tried %d times): victim %s; "
	       "process_mrelease() right after the OOM kill: %s; oom_reaper: %lu reaped, "
	       "%lu unable to reap; test_hmm interval objects %ld (before: %ld); "
	       "cgroup memory after: %ld bytes\n",
	       argv[1], tries,
	       !pid ? "ended without an OOM kill" :
	       WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? "OOM-killed" : "not killed",
	       mrelease == 0 ? "0 (reaped before the exit did)" :
	       mrelease == -EAGAIN ? "EAGAIN (an mmu notifier refused the non-blocking unmap)" :
	       mrelease == -ESRCH ? "ESRCH (the exit came first: no answer)" :
	       mrelease == 1 ? "not called" : errname(-mrelease),
	       reaped, unable, left, base, usage);
	if (!pid || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL || left != base ||
	    usage < 0 || usage >= (1L << 20) ||
	    (mrelease && mrelease != -ESRCH && mrelease != -EAGAIN) ||
	    (mode == HMM_DMIRROR_MODE_RANGE && (unable || mrelease == -EAGAIN))) {
		printf("not ok - oom %s: see the line above\n", argv[1]);
		return 1;
	}
	printf("ok - oom %s: OOM-killed with a populated mirror, %s\n", argv[1],
	       mrelease == 0 ? "reaped through the non-blocking notifiers" :
	       mrelease == -EAGAIN ? "the mode refused the non-blocking unmap (expected of it)" :
	       "the exit came before the reap (no answer this run)");
	return 0;
}

/* --------------------------------------------------------------- race */

#define RWIN		256UL	/* pages of the raced window */
#define RDEV		2	/* device threads */

struct race {
	int fd, mode;
	char *win;
	uint64_t seed;
	pthread_barrier_t stop, go;
	int pause_req, done;
	unsigned long dev_ops, mm_ops, forks, reopens, checks, compared, bad;
};

static struct race rc_;

/* Every thread stops at a quiescent point when the checker asks */
static void race_quiesce(void)
{
	if (!__atomic_load_n(&rc_.pause_req, __ATOMIC_ACQUIRE))
		return;
	pthread_barrier_wait(&rc_.stop);
	pthread_barrier_wait(&rc_.go);
}

static uint64_t race_errs(unsigned long req)
{
	for (unsigned int i = 0; i < NCMDS; i++)
		if (commands[i].request == req)
			return commands[i].allowed;
	return 0;
}

static void *race_device(void *arg)
{
	uint64_t st = rc_.seed ^ (uintptr_t)arg * 0x51ed27ULL;
	static const unsigned long reqs[] = {
		HMM_DMIRROR_READ, HMM_DMIRROR_READ, HMM_DMIRROR_WRITE,
		HMM_DMIRROR_MIGRATE_TO_DEV, HMM_DMIRROR_MIGRATE_TO_SYS,
		HMM_DMIRROR_EXCLUSIVE, HMM_DMIRROR_SNAPSHOT,
	};
	char *buf = malloc(16 * PAGE);

	while (!__atomic_load_n(&rc_.done, __ATOMIC_ACQUIRE)) {
		unsigned long n = 1 + rnd_r(&st) % 16;
		unsigned long first = rnd_r(&st) % (RWIN - n + 1);
		unsigned long req = reqs[rnd_r(&st) % 7];
		int ret;

		race_quiesce();
		if (req == HMM_DMIRROR_WRITE)
			memset(buf, (int)rnd_r(&st), n * PAGE);
		ret = dcmd(rc_.fd, req, rc_.win + first * PAGE, buf, n);
		if (ret && !(-ret < 64 && (race_errs(req) & E(-ret)))) {
			printf("# UNEXPECTED: %s mode, request %#lx on pages %lu+%lu: %s\n",
			       mode_names[rc_.mode], req, first, n, errname(-ret));
			__atomic_add_fetch(&rc_.bad, 1, __ATOMIC_RELAXED);
		}
		__atomic_add_fetch(&rc_.dev_ops, 1, __ATOMIC_RELAXED);
	}
	free(buf);
	return NULL;
}


/* CPU writes to the readable and writable pages of a piece (@prot: maps_window) */
static void race_stamp_prot(const int *prot, unsigned long first, unsigned long n,
			    uint64_t v)
{
	for (unsigned long i = first; i < first + n; i++)
		if ((prot[i] & (PROT_READ | PROT_WRITE)) == (PROT_READ | PROT_WRITE))
			memset(rc_.win + i * PAGE + (v % 64) * 64, (int)v, 64);
}

static void race_stamp(unsigned long first, unsigned long n, uint64_t v)
{
	int prot[RWIN];

	maps_window(rc_.win, RWIN, prot);
	race_stamp_prot(prot, first, n, v);
}

static void *race_mm(void *arg)
{
	uint64_t st = rc_.seed ^ 0xabcdefULL;

	(void)arg;
	while (!__atomic_load_n(&rc_.done, __ATOMIC_ACQUIRE)) {
		unsigned long n = 1 + rnd_r(&st) % 32;
		unsigned long first = rnd_r(&st) % (RWIN - n + 1);
		unsigned long dst = rnd_r(&st) % (RWIN - n + 1);
		char *p = rc_.win + first * PAGE;
		uint64_t v = rnd_r(&st);

		race_quiesce();
		switch (v % 9) {
		case 0:
			munmap(p, n * PAGE);
			break;
		case 1:		/* MAP_FIXED over a piece: new pages, new data */
			if (mmap(p, n * PAGE, PROT_READ | PROT_WRITE,
				 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED)
				memset(p, (int)(v >> 8), n * PAGE);
			break;
		case 2:
			mprotect(p, n * PAGE, (v >> 8) & 1 ? PROT_READ : PROT_READ | PROT_WRITE);
			break;
		case 3:
			madvise(p, n * PAGE, MADV_DONTNEED);
			break;
		case 4:
			if (dst != first)
				mremap(p, n * PAGE, n * PAGE,
				       MREMAP_MAYMOVE | MREMAP_FIXED |
				       ((v >> 8) % 3 == 0 ? MREMAP_DONTUNMAP : 0),
				       rc_.win + dst * PAGE);
			break;
		case 5: {	/* fork: both write while both live (COW copies) */
			int prot[RWIN], hold[2];
			pid_t pid;
			char c;

			maps_window(rc_.win, RWIN, prot);
			if (pipe(hold))
				break;
			pid = fork();
			if (pid == 0) {
				/* no malloc or stdio here: other threads had locks */
				race_stamp_prot(prot, first, n, v ^ 0xff);
				close(hold[1]);
				if (read(hold[0], &c, 1) < 0)
					_exit(1);
				_exit(0);
			}
			/* the parent's copies, the device threads running */
			race_stamp_prot(prot, first, n, v);
			close(hold[0]);
			close(hold[1]);
			if (pid > 0)
				waitpid(pid, NULL, 0);
			rc_.forks++;
			break;
		}
		case 6: {	/* a new file in place of the old one, under the device threads */
			int fd = open_dev(0);

			set_mode(fd, rc_.mode);
			dup2(fd, rc_.fd);
			close(fd);
			rc_.reopens++;
			break;
		}
		default:
			race_stamp(first, n, v);
			break;
		}
		rc_.mm_ops++;
	}
	return NULL;
}

/*
 * At a quiescent point: every readable page reads the same through the
 * device as through the CPU, and an unmapped page cannot be read.
 */
static void race_check(void)
{
	static char dat[PAGE];
	int prot[RWIN];

	maps_window(rc_.win, RWIN, prot);
	for (unsigned long i = 0; i < RWIN; i++) {
		char *p = rc_.win + i * PAGE;
		int ret;

		if (prot[i] && !(prot[i] & PROT_READ))
			continue;	/* PROT_NONE: neither can read it */
		/* EBUSY: a background invalidation outlived the retry timeout */
		for (int tries = 0; tries < 5; tries++) {
			ret = dcmd(rc_.fd, HMM_DMIRROR_READ, p, dat, 1);
			if (ret != -EBUSY)
				break;
		}
		if (!prot[i]) {
			if (ret != -EFAULT) {
				printf("# UNEXPECTED: %s mode, page %lu is unmapped, the device read %s\n",
				       mode_names[rc_.mode], i, ret ? errname(-ret) : "it");
				rc_.bad++;
			}
			continue;
		}
		if (ret) {
			printf("# UNEXPECTED: %s mode, device read of mapped page %lu: %s\n",
			       mode_names[rc_.mode], i, errname(-ret));
			rc_.bad++;
			continue;
		}
		rc_.compared++;
		if (memcmp(dat, p, PAGE)) {
			unsigned long off = 0;

			while (off < PAGE && dat[off] == p[off])
				off++;
			printf("# UNEXPECTED: %s mode, page %lu: the device reads %#x at offset %lu, the CPU %#x\n",
			       mode_names[rc_.mode], i, (unsigned char)dat[off], off,
			       (unsigned char)p[off]);
			rc_.bad++;
		}
	}
	rc_.checks++;
}

/* ------------------------------------------------------------- zapmap */

/*
 * A device command that takes pages first and maps them into the mirror
 * afterwards (EXCLUSIVE: make_device_exclusive_range() then the mirror's
 * map; MIGRATE_TO_DEV: migrate_vma_setup() ... finalize) against
 * MADV_DONTNEED of one of those pages from another thread, which needs
 * only the mmap_lock for reading, as the command does.  test_hmm's
 * inval_delay_us (set by the caller) stretches every invalidation, so the
 * zap lands between the two steps for some of the swept delays.  After
 * each round the device must read what the CPU reads.  For the race
 * mismatches of docs/stress.md (fixed by patch 0031).
 *   hmm-stress zapmap excl|mig MODE [ROUNDS]
 */
#define ZWIN	64UL

struct zapmap {
	int fd;
	unsigned long req;
	char *win;
	char *buf;
};

static void *zapmap_device(void *arg)
{
	struct zapmap *z = arg;

	dcmd(z->fd, z->req, z->win, z->buf, ZWIN);
	return NULL;
}

static int cmd_zapmap(int argc, char **argv)
{
	struct zapmap z = { 0 };
	unsigned long rounds = 200, stale = 0, done = 0;
	static char dat[PAGE];

	if (argc < 3 || (strcmp(argv[1], "excl") && strcmp(argv[1], "mig"))) {
		fprintf(stderr, "usage: hmm-stress zapmap excl|mig MODE [ROUNDS]\n");
		return 2;
	}
	z.req = !strcmp(argv[1], "excl") ? HMM_DMIRROR_EXCLUSIVE : HMM_DMIRROR_MIGRATE_TO_DEV;
	if (argc > 3)
		rounds = strtoul(argv[3], NULL, 0);
	z.fd = open_dev(0);
	if (set_mode(z.fd, parse_mode(argv[2]))) {
		printf("not ok - zapmap: set mode %s\n", argv[2]);
		return 1;
	}
	z.buf = malloc(ZWIN * PAGE);
	z.win = mmap(NULL, ZWIN * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!z.buf || z.win == MAP_FAILED) {
		printf("not ok - zapmap: no memory\n");
		return 1;
	}
	for (unsigned long r = 0; r < rounds; r++) {
		pthread_t t;
		int ret;

		memset(z.win, 0xf1, ZWIN * PAGE);
		if (pthread_create(&t, NULL, zapmap_device, &z)) {
			printf("not ok - zapmap: pthread_create\n");
			return 1;
		}
		/* 0 .. 39 ms: the command spends ~1 ms per page with a delay of 1 ms */
		usleep((r % 40) * 1000);
		madvise(z.win, PAGE, MADV_DONTNEED);
		pthread_join(t, NULL);
		ret = dcmd(z.fd, HMM_DMIRROR_READ, z.win, dat, 1);
		if (!ret) {
			done++;
			if (dat[0] != z.win[0]) {
				printf("# zapmap %s %s round %lu (zap after %lu ms): the device reads %#x, the CPU %#x\n",
				       argv[1], argv[2], r, r % 40, (unsigned char)dat[0],
				       (unsigned char)z.win[0]);
				stale++;
			}
		}
		/* back to a plain CPU page for the next round */
		dcmd(z.fd, HMM_DMIRROR_MIGRATE_TO_SYS, z.win, z.buf, ZWIN);
	}
	printf("# zapmap %s %s: %lu rounds, %lu compared, %lu stale\n",
	       argv[1], argv[2], rounds, done, stale);
	printf("%s - zapmap %s %s: %lu stale of %lu\n", stale ? "not ok" : "ok",
	       argv[1], argv[2], stale, done);
	return stale ? 1 : 0;
}

static int cmd_race(int argc, char **argv)
{
	unsigned int seconds = 20;
	pthread_t dev[RDEV], mm;
	struct timespec t0, t1;
	double secs;
	int opt;

	rc_.seed = seed_from_env_or_time();
	rc_.mode = HMM_DMIRROR_MODE_RANGE;
	while ((opt = getopt(argc, argv, "s:t:m:")) != -1) {
		switch (opt) {
		case 's': rc_.seed = strtoull(optarg, NULL, 0); break;
		case 't': seconds = strtoul(optarg, NULL, 0); break;
		case 'm': rc_.mode = parse_mode(optarg); break;
		default: return 2;
		}
	}
	count_devs();
	rc_.fd = open_dev(0);
	if (set_mode(rc_.fd, rc_.mode)) {
		printf("not ok - race %s: SET_MODE failed\n", mode_names[rc_.mode]);
		return 1;
	}
	rc_.win = mmap(NULL, RWIN * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rc_.win == MAP_FAILED) {
		printf("not ok - race: mmap: %s\n", strerror(errno));
		return 1;
	}
	memset(rc_.win, 0x21, RWIN * PAGE);
	pthread_barrier_init(&rc_.stop, NULL, RDEV + 2);
	pthread_barrier_init(&rc_.go, NULL, RDEV + 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uintptr_t i = 0; i < RDEV; i++)
		pthread_create(&dev[i], NULL, race_device, (void *)(i + 1));
	pthread_create(&mm, NULL, race_mm, NULL);
	do {
		usleep(500000);
		__atomic_store_n(&rc_.pause_req, 1, __ATOMIC_RELEASE);
		pthread_barrier_wait(&rc_.stop);
		race_check();
		__atomic_store_n(&rc_.pause_req, 0, __ATOMIC_RELEASE);
		pthread_barrier_wait(&rc_.go);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	} while (secs < seconds);
	/* the last pause: the threads see done and leave */
	__atomic_store_n(&rc_.done, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < RDEV; i++)
		pthread_join(dev[i], NULL);
	pthread_join(mm, NULL);
	race_check();
	printf("# race %s: seed %" PRIu64 ", %.0f s, %lu device ops (%.0f/s), %lu mm ops (%.0f/s) incl. %lu forks and %lu file swaps, %lu quiescent checks, %lu pages compared\n",
	       mode_names[rc_.mode], rc_.seed, secs, rc_.dev_ops, rc_.dev_ops / secs,
	       rc_.mm_ops, rc_.mm_ops / secs, rc_.forks, rc_.reopens, rc_.checks, rc_.compared);
	printf("%s - race %s: %.0f s, %lu unexpected%s\n", rc_.bad ? "not ok" : "ok",
	       mode_names[rc_.mode], secs, rc_.bad, rc_.bad ? " (repeat: hmm-stress race -s SEED -m MODE; timing differs)" : "");
	close(rc_.fd);
	return rc_.bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "fuzz"))
		return cmd_fuzz(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "inject"))
		return cmd_inject(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "hold"))
		return cmd_hold(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "rmmod"))
		return cmd_rmmod(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "oom"))
		return cmd_oom(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "race"))
		return cmd_race(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "zapmap"))
		return cmd_zapmap(argc - 1, argv + 1);
	fprintf(stderr, "usage: hmm-stress fuzz|inject|race|zapmap|hold|rmmod|oom ... (see the source)\n");
	return 2;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The IGT series' compute helper (lib/nouveau/cpc0c0.c) on a fake GPU, for
 * scripts/igt.sh: no GPU here, so this replaces the libdrm calls the helper
 * makes (objects, BOs, pushbuffer) and plays the GPU's part of the
 * pushbuffer:
 *  - decodes the method stream (headers, subchannels, consecutive
 *    methods) and keeps the last value of every method per subchannel;
 *  - on the launch (SEND_SIGNALING_PCAS_B), decodes the QMD with mesa's
 *    hand-made Pascal layout (gp100_cp_launch_desc, written out again
 *    below: an independent reading of the same bits) and checks grid,
 *    block, registers, constant buffer 0 (address, size, content) and that
 *    the code at the program offset is the kernel's;
 *  - plays the host semaphore release (SEMAPHOREA..D on subchannel 0) into
 *    the semaphore BO, or drops it to model a killed channel (the fence
 *    signals, no release) or a grid that never ends (no release, and the
 *    fence stays busy);
 *  - checks the three answers of igt_nouveau_compute_poll() (completed,
 *    killed, still running) and the limit of DESC_SLOTS (128) launches
 *    outstanding (in child processes: a failed igt_assert exits).
 * It proves the helper pushes what its comments say; nothing about a GPU.
 * Prints the number of launches and releases seen; exits 1 on a mismatch.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nouveau/nouveau.h>

#include "nouveau/compute.h"

#define PUSH_WORDS	(1 << 16)
#define MAX_BOS		64

static struct nouveau_bo *bos[MAX_BOS];
static int nr_bos;
static uint64_t next_va = (1ull << 36) + (1 << 20);
static uint32_t pushbuf[PUSH_WORDS];
static uint32_t *executed = pushbuf;
static uint32_t state[8][0x4000 / 4];
static int launches, releases, errors;
static bool drop_release;	/* killed channel or hung grid: no release */
static bool busy;		/* hung grid: the fence never signals */

static const struct igt_sm60_args *launch_args;
static uint32_t launch_threads, launch_offset;

#define CHECK(cond, ...) do {					\
	if (!(cond)) {						\
		printf("FAIL %s:%d: ", __func__, __LINE__);	\
		printf(__VA_ARGS__);				\
		printf("\n");					\
		errors++;					\
	}							\
} while (0)

static void *va_to_ptr(uint64_t va, uint64_t len)
{
	for (int i = 0; i < nr_bos; i++)
		if (va >= bos[i]->offset && va + len <= bos[i]->offset + bos[i]->size)
			return (char *)bos[i]->map + (va - bos[i]->offset);
	CHECK(0, "GPU VA 0x%llx+0x%llx is in no BO", (unsigned long long)va,
	      (unsigned long long)len);
	exit(1);
}

/* libdrm, as far as the helper uses it */

int nouveau_client_new(struct nouveau_device *dev, struct nouveau_client **client)
{
	*client = calloc(1, sizeof(**client));
	return 0;
}

void nouveau_client_del(struct nouveau_client **client)
{
	free(*client);
	*client = NULL;
}

int nouveau_object_new(struct nouveau_object *parent, uint64_t handle, uint32_t oclass,
		       void *data, uint32_t length, struct nouveau_object **obj)
{
	*obj = calloc(1, sizeof(**obj));
	(*obj)->parent = parent;
	(*obj)->handle = handle;
	(*obj)->oclass = oclass;
	if (oclass == NOUVEAU_FIFO_CHANNEL_CLASS)
		CHECK(((struct nve0_fifo *)data)->engine == NVE0_FIFO_ENGINE_GR,
		      "the channel is not a GR channel");
	return 0;
}

void nouveau_object_del(struct nouveau_object **obj)
{
	free(*obj);
	*obj = NULL;
}

/* the classes on offer: PASCAL_COMPUTE_A only (index 1 of the helper's list) */
int nouveau_object_mclass(struct nouveau_object *obj, const struct nouveau_mclass *mclass)
{
	for (int i = 0; mclass[i].oclass; i++)
		if (mclass[i].oclass == PASCAL_COMPUTE_A)
			return i;
	return -1;
}

int nouveau_pushbuf_new(struct nouveau_client *client, struct nouveau_object *chan, int nr,
			uint32_t size, bool immediate, struct nouveau_pushbuf **push)
{
	*push = calloc(1, sizeof(**push));
	(*push)->client = client;
	(*push)->channel = chan;
	(*push)->cur = pushbuf;
	(*push)->end = pushbuf + PUSH_WORDS;
	return 0;
}

void nouveau_pushbuf_del(struct nouveau_pushbuf **push)
{
	free(*push);
	*push = NULL;
}

int nouveau_pushbuf_space(struct nouveau_pushbuf *push, uint32_t dwords, uint32_t relocs,
			  uint32_t pushes)
{
	CHECK(push->cur + dwords <= push->end, "pushbuffer full");
	return 0;
}

int nouveau_pushbuf_refn(struct nouveau_pushbuf *push, struct nouveau_pushbuf_refn *refs, int nr)
{
	for (int i = 0; i < nr; i++)
		CHECK(refs[i].flags & (NOUVEAU_BO_RD | NOUVEAU_BO_WR), "reference without access");
	return 0;
}

int nouveau_bo_new(struct nouveau_device *dev, uint32_t flags, uint32_t align, uint64_t size,
		   union nouveau_bo_config *config, struct nouveau_bo **bo)
{
	CHECK(nr_bos < MAX_BOS, "too many BOs");
	*bo = calloc(1, sizeof(**bo));
	(*bo)->flags = flags;
	(*bo)->size = size;
	next_va = (next_va + align - 1) & ~(uint64_t)(align - 1);
	(*bo)->offset = next_va;
	next_va += size;
	(*bo)->map = aligned_alloc(4096, (size + 4095) & ~4095ull);
	memset((*bo)->map, 0xcc, size);
	bos[nr_bos++] = *bo;
	return 0;
}

int nouveau_bo_map(struct nouveau_bo *bo, uint32_t access, struct nouveau_client *client)
{
	return 0;
}

void nouveau_bo_ref(struct nouveau_bo *bo, struct nouveau_bo **pbo)
{
	*pbo = bo;
}

/*
 * Every job is done when waited for (released, or its channel "killed"),
 * except with busy set: then a grid still runs and its fence is pending,
 * which only a NOBLOCK wait can report (-EBUSY) without hanging here.
 */
int nouveau_bo_wait(struct nouveau_bo *bo, uint32_t access, struct nouveau_client *client)
{
	if (!busy)
		return 0;
	if (!(access & NOUVEAU_BO_NOBLOCK)) {
		CHECK(0, "blocking wait on a grid that never ends");
		exit(1);
	}
	return -EBUSY;
}

/* mesa's hand-made Pascal QMD layout (little-endian bit-fields) */
struct gp100_desc {
	uint32_t unk0[8];
	uint32_t entry;
	uint32_t unk9[2];
	uint32_t unk11_0 : 30, linked_tsc : 1, unk11_31 : 1;
	uint32_t griddim_x : 31, unk12 : 1;
	uint16_t griddim_y, unk13, griddim_z, unk14;
	uint32_t unk15[2];
	uint32_t shared_size : 18, unk17 : 14;
	uint16_t unk18, blockdim_x, blockdim_y, blockdim_z;
	uint32_t cb_mask : 8, unk20 : 24;
	uint32_t unk21[8];
	uint32_t local_size_p : 24, unk29 : 3, bar_alloc : 5;
	uint32_t local_size_n : 24, gpr_alloc : 8;
	uint32_t cstack_size : 24, unk31 : 8;
	struct {
		uint32_t address_l;
		uint32_t address_h : 17, reserved : 2, size_sh4 : 13;
	} cb[8];
	uint32_t unk48[16];
};

static void launch(void)
{
	uint64_t qmd_va = (uint64_t)state[1][0x2b4 / 4] << 8;
	struct gp100_desc *q = va_to_ptr(qmd_va, sizeof(*q));
	uint64_t cb;

	CHECK(sizeof(*q) == 256, "layout");
	CHECK(state[1][0] == PASCAL_COMPUTE_A, "subchannel 1 holds 0x%x", state[1][0]);
	CHECK(state[1][0x1698 / 4] == 0x1011, "INVALIDATE_SHADER_CACHES 0x%x",
	      state[1][0x1698 / 4]);
	/* mesa's defaults (caching, membars, call limit), plus version 2.1 */
	CHECK(q->unk0[4] == 0x40 && q->unk11_0 == 0x04014000 && q->unk18 == 0x21,
	      "QMD defaults 0x%x 0x%x 0x%x", q->unk0[4], q->unk11_0, q->unk18);
	CHECK(q->blockdim_x == IGT_NOUVEAU_CP_BLOCK && q->blockdim_y == 1 && q->blockdim_z == 1,
	      "block %ux%ux%u", q->blockdim_x, q->blockdim_y, q->blockdim_z);
	CHECK(q->griddim_y == 1 && q->griddim_z == 1, "grid y/z");
	CHECK(q->cb_mask == 1 && q->gpr_alloc == 16 && q->cstack_size == 0x800 &&
	      !q->shared_size && !q->local_size_p && !q->local_size_n && !q->bar_alloc,
	      "resources");
	CHECK(q->cb[0].size_sh4 == 16, "constant buffer size");
	cb = (uint64_t)q->cb[0].address_h << 32 | q->cb[0].address_l;
	CHECK(!(cb & 0xff), "constant buffer alignment");
	launch_args = va_to_ptr(cb, sizeof(*launch_args));
	launch_threads = q->griddim_x * q->blockdim_x;
	launch_offset = q->entry;
	launches++;
}

static void method(unsigned int subc, uint32_t mthd, uint32_t data)
{
	state[subc][mthd / 4] = data;
	if (subc == 0 && mthd == 0x1c) {	/* host SEMAPHORED */
		uint64_t va = (uint64_t)(state[0][0x10 / 4] & 0xff) << 32 | state[0][0x14 / 4];

		CHECK(data == 0x01000002, "SEMAPHORED 0x%x: not a 4-byte release with WFI", data);
		CHECK(state[1][0x110 / 4] == 0, "no WAIT_FOR_IDLE before the release");
		if (!drop_release)
			*(uint32_t *)va_to_ptr(va, 4) = state[0][0x18 / 4];
		releases++;
	}
	if (subc == 1 && mthd == 0x2bc) {	/* SEND_SIGNALING_PCAS_B */
		CHECK(data == 3, "SEND_SIGNALING_PCAS_B 0x%x", data);
		launch();
	}
}

int nouveau_pushbuf_kick(struct nouveau_pushbuf *push, struct nouveau_object *chan)
{
	uint32_t *w = executed;

	while (w < push->cur) {
		uint32_t hdr = *w++;
		unsigned int op = hdr >> 29, subc = (hdr >> 13) & 7, count = (hdr >> 16) & 0x1fff;
		uint32_t mthd = (hdr & 0xfff) << 2;

		if (op == 4) {			/* immediate */
			method(subc, mthd, count);
			continue;
		}
		CHECK(op == 1 || op == 3 || op == 5, "header 0x%08x", hdr);
		for (unsigned int i = 0; i < count; i++) {
			method(subc, mthd, *w++);
			if (op == 1 || (op == 5 && i == 0))
				mthd += 4;
		}
	}
	executed = push->cur;
	return 0;
}

int main(void)
{
	struct igt_sm60_args args = { .src = 0x1234567000ull, .shift = 2, .seed = 7, .mask = 15 };
	struct nouveau_device dev = {};
	enum igt_nouveau_compute_state got;
	struct igt_nouveau_compute *cp;
	struct timespec t0, t1;
	struct nouveau_bo *out;
	long ms;

	cp = igt_nouveau_compute_new(&dev);
	CHECK(state[1][0] == PASCAL_COMPUTE_A, "SET_OBJECT");
	CHECK(((uint64_t)state[1][0x790 / 4] << 32 | state[1][0x794 / 4]) == cp->temp->offset,
	      "local memory address");
	CHECK(state[1][0x2e8 / 4] == 0x40000 && state[1][0x2ec / 4] == 0xff &&
	      state[1][0x2f4 / 4] == 0x40000 && state[1][0x2f8 / 4] == 0xff,
	      "local memory per TPC");
	CHECK(state[1][0x77c / 4] == 0xff000000 && state[1][0x214 / 4] == 0xfe000000,
	      "local/shared windows");
	CHECK(((uint64_t)state[1][0x1608 / 4] << 32 | state[1][0x160c / 4]) == cp->code->offset,
	      "program region");
	CHECK(state[1][0x310 / 4] == 0x400, "SPA version");
	CHECK(state[1][0x248 / 4] == 0x38000, "CWD counters, last 0x%x", state[1][0x248 / 4]);
	CHECK(releases == 1, "setup released %d times", releases);

	nouveau_bo_new(&dev, NOUVEAU_BO_GART, 4096, 1 << 20, NULL, &out);
	args.dst = out->offset;
	for (int k = 0; k < IGT_SM60_NR_KERNELS; k++) {
		igt_nouveau_compute_launch(cp, k, IGT_NOUVEAU_CP_BLOCK * (k + 1), &args, &out, 1);
		CHECK(igt_nouveau_compute_wait(cp, 5), "%s: no release", igt_sm60_kernels[k].name);
		CHECK(launch_threads == IGT_NOUVEAU_CP_BLOCK * (k + 1), "%u threads", launch_threads);
		CHECK(!memcmp(launch_args, &args, sizeof(args)), "constant buffer content");
		CHECK(!memcmp((char *)cp->code->map + launch_offset, igt_sm60_kernels[k].words,
			      igt_sm60_kernels[k].size),
		      "%s: not at program offset 0x%x", igt_sm60_kernels[k].name, launch_offset);
	}

	/* a killed channel: the job ends, the release never lands */
	drop_release = true;
	igt_nouveau_compute_launch(cp, IGT_SM60_WRITE, IGT_NOUVEAU_CP_BLOCK, &args, &out, 1);
	CHECK(!igt_nouveau_compute_wait(cp, 5), "wait saw a release that did not land");
	igt_nouveau_compute_launch(cp, IGT_SM60_WRITE, IGT_NOUVEAU_CP_BLOCK, &args, &out, 1);
	got = igt_nouveau_compute_poll(cp, 1);
	CHECK(got == IGT_NOUVEAU_COMPUTE_KILLED, "killed channel: poll says %d", got);

	/* a grid that never ends: no release and a busy fence, for the whole second */
	busy = true;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	igt_nouveau_compute_launch(cp, IGT_SM60_WRITE, IGT_NOUVEAU_CP_BLOCK, &args, &out, 1);
	got = igt_nouveau_compute_poll(cp, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(got == IGT_NOUVEAU_COMPUTE_RUNNING, "grid still running: poll says %d", got);
	CHECK(ms >= 1000 && ms < 2000, "poll(1 s) of a running grid returned after %ld ms", ms);
	busy = false;
	drop_release = false;

	igt_nouveau_compute_launch(cp, IGT_SM60_READ, IGT_NOUVEAU_CP_BLOCK, &args, &out, 1);
	got = igt_nouveau_compute_poll(cp, 1);
	CHECK(got == IGT_NOUVEAU_COMPUTE_COMPLETED, "completed grid: poll says %d", got);

	/*
	 * DESC_SLOTS launches may be outstanding, one more fails (igt_assert
	 * in a child exits non-zero): a wait or poll that saw the jobs end
	 * frees the slots.
	 */
	printf("expected below: IGT's report of a failed assertion, 129 launches outstanding\n");
	fflush(stdout);
	for (int extra = 0; extra <= 1; extra++) {
		int before = errors, status;
		pid_t pid = fork();

		if (!pid) {
			for (int i = 0; i < 128 + extra; i++)
				igt_nouveau_compute_launch(cp, IGT_SM60_READ, IGT_NOUVEAU_CP_BLOCK,
							   &args, &out, 1);
			_exit(errors > before ? 2 : 0);
		}
		CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status), "child");
		CHECK(!WEXITSTATUS(status) == !extra,
		      "%d launches outstanding: the child exited with %d", 128 + extra,
		      WEXITSTATUS(status));
	}
	igt_nouveau_compute_launch(cp, IGT_SM60_READ, IGT_NOUVEAU_CP_BLOCK, &args, &out, 1);
	CHECK(igt_nouveau_compute_wait(cp, 5), "no release after the children");

	igt_nouveau_compute_del(&cp);
	CHECK(launches == 8 && releases == 9, "%d launches, %d releases", launches, releases);
	printf("%d launches, %d semaphore releases (1 setup), poll: completed, killed, running;"
	       " 128 launches outstanding, not 129; %d mismatches\n", launches, releases, errors);
	return errors ? 1 : 0;
}

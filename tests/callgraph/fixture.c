// SPDX-License-Identifier: GPL-2.0
/*
 * Fixture of the callgraph self-test (scripts/callgraph.sh): each root_*
 * reaches a forbidden call of configs/callgraph-forbidden in one way the
 * checker must see, or reaches none.  Compiled on its own with
 * -fcallgraph-info=su -fdump-tree-optimized-lineno; never linked.
 */
#define noinline __attribute__((noinline))

void *__kmalloc_noprof(unsigned long size, unsigned int flags);
void kfree(const void *p);
void mutex_lock_nested(void *lock, unsigned int subclass);
int mutex_trylock(void *lock);
void mutex_unlock(void *lock);

struct fix_obj;

/* two ops tables with a member of the same name: the typed resolution
 * must not mix them up */
struct fix_ops {
	int (*op)(struct fix_obj *obj);
};

struct fix_clean_ops {
	int (*op)(struct fix_obj *obj);
};

struct fix_obj {
	const struct fix_ops *ops;
	const struct fix_clean_ops *clean;
	void *lock;
	void *mem;
};

/* direct: root -> helper -> allocator */
static noinline void *fix_grow(struct fix_obj *obj)
{
	obj->mem = __kmalloc_noprof(64, 0);
	return obj->mem;
}

int root_direct(struct fix_obj *obj)
{
	return fix_grow(obj) ? 0 : -12;
}

/* indirect: root -> obj->ops->op -> allocator, through a designated
 * initializer */
static int fix_alloc_op(struct fix_obj *obj)
{
	return fix_grow(obj) ? 0 : -12;
}

static int fix_quiet_op(struct fix_obj *obj)
{
	return obj->mem != 0;
}

const struct fix_ops fix_ops_alloc = {
	.op = fix_alloc_op,
};

int root_indirect(struct fix_obj *obj)
{
	return obj->ops->op(obj);
}

/* the same member name in another struct type: only fix_quiet_op */
const struct fix_clean_ops fix_clean = {
	.op = fix_quiet_op,
};

int root_clean(struct fix_obj *obj)
{
	return obj->clean->op(obj);
}

/* a table indexed at run time, positional initializer */
static int fix_nop(struct fix_obj *obj)
{
	return 0;
}

static noinline int fix_locked(struct fix_obj *obj)
{
	mutex_lock_nested(obj->lock, 0);
	mutex_unlock(obj->lock);
	return 0;
}

static const struct {
	int version;
	int (*func)(struct fix_obj *obj);
} fix_table[] = {
	{ 0, fix_nop },
	{ 0, fix_locked },
};

int root_table(struct fix_obj *obj, int i)
{
	return fix_table[i].func(obj);
}

/* a function pointer passed as an argument; noipa keeps gcc from
 * specializing fix_apply for it (which would make the call direct) */
static __attribute__((noipa)) int fix_apply(struct fix_obj *obj, int (*fn)(struct fix_obj *obj))
{
	return fn(obj);
}

int root_param(struct fix_obj *obj)
{
	return fix_apply(obj, fix_alloc_op);
}

/* only a trylock: allowed in a nonblocking root */
int root_trylock(struct fix_obj *obj)
{
	if (!mutex_trylock(obj->lock))
		return -16;
	mutex_unlock(obj->lock);
	return 0;
}

/* a pointer read from untyped memory: nothing tells where it points, and
 * no address-taken function has its prototype: "unresolved", a failure */
int root_opaque(void *p)
{
	long (*f)(void) = *(long (**)(void))p;

	return f();
}

/* the same call in a function that tests/callgraph/cuts names with the
 * callee "<indirect>" (as configs/callgraph-cuts does for the KUnit
 * static stubs): cut, so this root passes */
static noinline long fix_stubbed(void *p)
{
	long (*f)(void) = *(long (**)(void))p;

	return f();
}

int root_cut_indirect(void *p)
{
	return fix_stubbed(p);
}

/* SPDX-License-Identifier: MIT */
/*
 * The fd table: from a descriptor number to the emulated file behind it.
 *
 * Every read(), write(), ioctl() and close() a preloaded program makes asks
 * "is this fd ours?", so the lookup must cost a few loads and no lock. The
 * table is two-level: a directory of chunk pointers, each chunk FD_CHUNK
 * one-word slots. Chunks are allocated on demand and never freed, so a slot
 * address, once seen, stays valid forever. The directory grows by doubling;
 * a grown directory replaces the old one with a release store and the old one
 * is kept (never freed) on a retired list, because a reader may still be
 * walking it. A reader that sees a stale directory can only miss a chunk
 * published after it loaded the directory, i.e. an fd it cannot have been
 * handed yet.
 *
 * References: a split reference count, so that uio_fd_get() is a single
 * atomic add on the slot and neither readers nor writers ever lock or wait.
 * A slot word holds the file pointer (low 48 bits) and "ext" (high 16 bits),
 * the number of short-term references taken through this slot and not yet
 * moved into file->refs. Taking a reference is fetch_add(word, EXT_ONE): it
 * reads the pointer and counts the reference in one step, so a close() on
 * another thread can never free the file between the two. While a slot holds
 * a file it contributes SLOT_REF (2^32, far above any possible count of puts
 * in flight) to file->refs, so the puts of those references (refs -= 1 each)
 * cannot bring refs to zero while the file is installed. A writer swaps the
 * word in one exchange and moves the old word's ext into refs together with
 * removing SLOT_REF: refs then holds exactly the references still out, and the
 * last put releases the file. Before ext can overflow, a reader that sees it
 * past EXT_FLUSH moves it into refs (add to refs, then compare-and-swap ext to
 * zero; undo the add if the word changed meanwhile). ext taken on an empty
 * slot by a reader that lost a race with close() means nothing and is
 * dropped by the next install. "Is it ours?" (uio_fd_is_emulated()) is one
 * load.
 *
 * The only lock is grow_lock (directory and chunk allocation). The
 * pthread_atfork handlers hold it across fork(), so a child forked while
 * another thread was growing the table starts with a consistent, unlocked
 * table. A short-term reference that another thread of the parent held at the
 * moment of fork() is never dropped in the child: the file then outlives its
 * last close there (a leak, never a crash). The child keeps its own copy of
 * the emulated files and the contexts behind them, where the kernel would
 * share one context between parent and child.
 *
 * Placeholders are memfds. Inside the library the kernel fd is only ever
 * closed with syscall(SYS_close): the libc close() may be the preload shim's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "front/file.h"
#include "util/compiler.h"
#include "util/fault_inject.h"

#define FD_CHUNK_SHIFT 9
#define FD_CHUNK (1u << FD_CHUNK_SHIFT)
#define FD_DIR_MIN 64 /* chunks in the first directory: 32768 fds */

/* A slot word: file pointer | ext << SLOT_PTR_BITS (see above). */
#define SLOT_PTR_BITS 48
#define SLOT_PTR_MASK ((UINT64_C(1) << SLOT_PTR_BITS) - 1)
#define EXT_ONE (UINT64_C(1) << SLOT_PTR_BITS)
#define EXT_FLUSH 16384 /* of the 65535 that fit */
/* what a slot holding a file adds to its refs */
#define SLOT_REF (1L << 32)

_Static_assert(sizeof(long) >= 8, "SLOT_REF needs a 64-bit long");

typedef _Atomic uint64_t fd_slot_t;

static inline struct uio_file *slot_file(uint64_t word)
{
	return (struct uio_file *)(uintptr_t)(word & SLOT_PTR_MASK);
}

static inline unsigned long slot_ext(uint64_t word)
{
	return word >> SLOT_PTR_BITS;
}

struct fd_chunk {
	fd_slot_t slot[FD_CHUNK];
};

/* One generation of the directory; immutable except for chunk[]. */
struct fd_dir {
	struct fd_dir *retired; /* the generation this one replaced */
	size_t nchunks;
	_Atomic(struct fd_chunk *) chunk[];
};

/* grow_lock protects: publishing fd_dir and chunk pointers */
static pthread_mutex_t grow_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(struct fd_dir *) fd_dir;

/* The slot for @fd if its chunk exists, else NULL. Lock-free. */
static inline fd_slot_t *fd_slot(int fd)
{
	struct fd_dir *dir;
	struct fd_chunk *chunk;
	size_t idx = (unsigned int)fd >> FD_CHUNK_SHIFT;

	if (unlikely(fd < 0))
		return NULL;
	dir = atomic_load_explicit(&fd_dir, memory_order_acquire);
	if (unlikely(!dir) || idx >= dir->nchunks)
		return NULL;
	chunk = atomic_load_explicit(&dir->chunk[idx], memory_order_acquire);
	if (!chunk)
		return NULL;
	return &chunk->slot[(unsigned int)fd & (FD_CHUNK - 1)];
}

/* Called with grow_lock held: a directory with room for chunk @idx. */
static struct fd_dir *fd_dir_grow(struct fd_dir *old, size_t idx)
{
	size_t n = old ? old->nchunks : FD_DIR_MIN, i;
	struct fd_dir *dir;

	while (n <= idx)
		n *= 2;
	dir = calloc(1, sizeof(*dir) + n * sizeof(dir->chunk[0]));
	if (!dir)
		return NULL;
	dir->nchunks = n;
	dir->retired = old;
	for (i = 0; old && i < old->nchunks; i++)
		atomic_init(&dir->chunk[i],
			    atomic_load_explicit(&old->chunk[i],
						 memory_order_relaxed));
	atomic_store_explicit(&fd_dir, dir, memory_order_release);
	return dir;
}

/* The slot for @fd, allocating its chunk (and directory room) on demand. */
static fd_slot_t *fd_slot_alloc(int fd)
{
	fd_slot_t *slot = fd_slot(fd);
	size_t idx = (unsigned int)fd >> FD_CHUNK_SHIFT;
	struct fd_chunk *chunk;
	struct fd_dir *dir;

	if (likely(slot) || fd < 0)
		return slot;
	pthread_mutex_lock(&grow_lock);
	dir = atomic_load_explicit(&fd_dir, memory_order_relaxed);
	if (!dir || idx >= dir->nchunks) {
		dir = fd_dir_grow(dir, idx);
		if (!dir)
			goto out_unlock;
	}
	chunk = atomic_load_explicit(&dir->chunk[idx], memory_order_relaxed);
	if (!chunk) {
		chunk = calloc(1, sizeof(*chunk));
		if (!chunk)
			goto out_unlock;
		atomic_store_explicit(&dir->chunk[idx], chunk,
				      memory_order_release);
	}
	slot = &chunk->slot[(unsigned int)fd & (FD_CHUNK - 1)];
out_unlock:
	pthread_mutex_unlock(&grow_lock);
	return slot;
}

/*
 * Put @file (NULL: nothing) at @slot. Returns the previous occupant with one
 * plain reference that passes to the caller: the slot's SLOT_REF and the
 * references counted in its ext are folded into refs.
 */
static struct uio_file *fd_slot_xchg(fd_slot_t *slot, struct uio_file *file)
{
	uint64_t old = atomic_exchange(slot, (uint64_t)(uintptr_t)file);
	struct uio_file *prev = slot_file(old);

	if (prev)
		atomic_fetch_add_explicit(&prev->refs,
					  (long)slot_ext(old) - SLOT_REF + 1,
					  memory_order_relaxed);
	return prev;
}

/* Move the references counted in @slot's ext for @file into file->refs. */
static void fd_slot_flush(fd_slot_t *slot, struct uio_file *file)
{
	uint64_t cur = atomic_load_explicit(slot, memory_order_relaxed);
	long ext;

	while (slot_file(cur) == file && slot_ext(cur) >= EXT_FLUSH) {
		ext = (long)slot_ext(cur);
		/* add first: refs must never be short of what is out */
		atomic_fetch_add_explicit(&file->refs, ext,
					  memory_order_relaxed);
		if (atomic_compare_exchange_weak(slot, &cur,
						 cur & SLOT_PTR_MASK))
			return;
		/* the word changed (more gets, or a writer that folded ext
		 * itself): we hold a reference, so this cannot reach zero */
		atomic_fetch_sub_explicit(&file->refs, ext,
					  memory_order_relaxed);
	}
}

bool uio_fd_is_emulated(int fd)
{
	fd_slot_t *slot = fd_slot(fd);

	return slot &&
	       slot_file(atomic_load_explicit(slot, memory_order_relaxed));
}

struct uio_file *uio_fd_get(int fd)
{
	fd_slot_t *slot = fd_slot(fd);
	struct uio_file *file;
	uint64_t old;

	if (!slot ||
	    !slot_file(atomic_load_explicit(slot, memory_order_relaxed)))
		return NULL;
	/* acquire: pairs with the exchange that published the file */
	old = atomic_fetch_add_explicit(slot, EXT_ONE, memory_order_acquire);
	file = slot_file(old);
	if (unlikely(file && slot_ext(old) + 1 >= EXT_FLUSH))
		fd_slot_flush(slot, file);
	return file;
}

void uio_file_put(struct uio_file *file)
{
	if (!file)
		return;
	/* acq_rel rather than release + fence: the same instruction on x86,
	 * and ThreadSanitizer does not model fences */
	if (atomic_fetch_sub_explicit(&file->refs, 1, memory_order_acq_rel) !=
	    1)
		return;
	if (file->ops->release)
		file->ops->release(file);
}

int uio_file_install_kfd(struct uio_file *file, int kfd)
{
	fd_slot_t *slot;

	if (kfd < 0)
		return -EBADF;
	/* never with the default address space (user pointers are below
	 * 2^47); a tagged or 57-bit pointer would not fit the slot */
	if ((uint64_t)(uintptr_t)file & ~SLOT_PTR_MASK)
		return -EINVAL;
	slot = fd_slot_alloc(kfd);
	if (!slot)
		return -ENOMEM;
	atomic_store_explicit(&file->refs, SLOT_REF, memory_order_relaxed);
	/* The kernel just gave us this number, so anything still recorded
	 * under it was closed behind our back (a raw close system call, an
	 * fclose() of an fdopen()ed iommufd): it is stale. */
	uio_file_put(fd_slot_xchg(slot, file));
	return kfd;
}

int uio_file_install(struct uio_file *file, int flags)
{
	int kfd, rc;

	/* placeholder creation is an environmental failure point */
	if (fail_nth_point())
		return -ENOMEM;
	kfd = memfd_create("uiommufd", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	if (kfd < 0)
		return -errno;
	if ((flags & O_NONBLOCK) &&
	    syscall(SYS_fcntl, kfd, F_SETFL, O_NONBLOCK) < 0) {
		rc = -errno;
		goto out_close;
	}
	rc = uio_file_install_kfd(file, kfd);
	if (rc < 0)
		goto out_close;
	return rc;

out_close:
	syscall(SYS_close, kfd);
	return rc;
}

struct uio_file *uio_fd_take(int fd)
{
	fd_slot_t *slot = fd_slot(fd);

	if (!slot ||
	    !slot_file(atomic_load_explicit(slot, memory_order_relaxed)))
		return NULL;
	return fd_slot_xchg(slot, NULL);
}

int uio_fd_dup(int oldfd, int newfd)
{
	struct uio_file *file;
	fd_slot_t *slot;

	if (newfd < 0)
		return -EBADF;
	file = uio_fd_get(oldfd);
	if (!file)
		return -EBADF;
	slot = fd_slot_alloc(newfd);
	if (!slot) {
		uio_file_put(file);
		return -ENOMEM;
	}
	/* the new slot's SLOT_REF replaces our short-term reference */
	atomic_fetch_add_explicit(&file->refs, SLOT_REF - 1,
				  memory_order_relaxed);
	uio_file_put(fd_slot_xchg(slot, file));
	return 0;
}

void uio_fd_forget_range(unsigned int first, unsigned int last)
{
	struct fd_dir *dir =
		atomic_load_explicit(&fd_dir, memory_order_acquire);
	struct fd_chunk *chunk;
	unsigned int fd, end;
	size_t idx;

	if (last > INT_MAX)
		last = INT_MAX;
	/* chunk by chunk, so a range up to ~0U costs what the table holds */
	for (fd = first; dir && fd <= last; fd = end + 1) {
		idx = fd >> FD_CHUNK_SHIFT;
		if (idx >= dir->nchunks)
			break;
		end = (unsigned int)((idx + 1) << FD_CHUNK_SHIFT) - 1;
		if (end > last)
			end = last;
		chunk = atomic_load_explicit(&dir->chunk[idx],
					     memory_order_acquire);
		if (!chunk)
			continue;
		for (; fd <= end; fd++)
			if (slot_file(atomic_load_explicit(
				    &chunk->slot[fd & (FD_CHUNK - 1)],
				    memory_order_relaxed)))
				uio_file_put(uio_fd_take((int)fd));
	}
}

int uio_fd_next(int fd)
{
	struct fd_dir *dir =
		atomic_load_explicit(&fd_dir, memory_order_acquire);
	struct fd_chunk *chunk;
	size_t idx;

	if (fd < 0)
		fd = 0;
	for (; dir; fd = (int)((idx + 1) << FD_CHUNK_SHIFT)) {
		idx = (unsigned int)fd >> FD_CHUNK_SHIFT;
		if (idx >= dir->nchunks)
			break;
		chunk = atomic_load_explicit(&dir->chunk[idx],
					     memory_order_acquire);
		if (!chunk)
			continue;
		for (; (unsigned int)fd >> FD_CHUNK_SHIFT == idx; fd++)
			if (slot_file(atomic_load_explicit(
				    &chunk->slot[fd & (FD_CHUNK - 1)],
				    memory_order_relaxed)))
				return fd;
	}
	return -1;
}

/*
 * fork(): hold grow_lock across it, so that the child's copy of the table is
 * not caught half-grown by another thread and its lock is free.
 */
static void fd_table_atfork_prepare(void)
{
	pthread_mutex_lock(&grow_lock);
}

static void fd_table_atfork_release(void)
{
	pthread_mutex_unlock(&grow_lock);
}

__attribute__((constructor)) static void fd_table_init(void)
{
	pthread_atfork(fd_table_atfork_prepare, fd_table_atfork_release,
		       fd_table_atfork_release);
}

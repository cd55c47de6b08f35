/* SPDX-License-Identifier: MIT */
/*
 * iopt_pages lifetime, the pin ledger, and the domain records and revoke of
 * dma-buf pages; see pages.h for the model.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <urcu/list.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/pages.h"
#include "hw/hw.h"
#include "util/alloc.h"
#include "util/caps.h"
#include "util/overflow.h"
#include "util/page.h"
#include "util/mem_identity.h"
#include "util/span_iter.h"
#include "util/uaccess.h"

static void file_view_remove(uintptr_t kva);

static struct iopt_pages *iopt_alloc_pages(uint64_t start_byte,
					   uint64_t length, bool writable,
					   enum iopt_account_mode mode)
{
	struct iopt_pages *pages;

	/* the page count below must not overflow */
	if (length == 0 || length > SIZE_MAX - PAGE_SIZE)
		return ERR_PTR(uio_fail(-EINVAL,
					"length 0x%" PRIx64 " is not mappable",
					length));
	pages = uio_zalloc(sizeof(*pages));
	if (!pages)
		return ERR_PTR(-ENOMEM);
	atomic_init(&pages->refs, 1);
	pages->npages = (start_byte + length + PAGE_SIZE - 1) / PAGE_SIZE;
	pages->writable = writable;
	pages->account_mode = mode;
	pages->fd = -1;
	pthread_mutex_init(&pages->mutex, NULL);
	CDS_INIT_LIST_HEAD(&pages->dmabuf_tracks);
	return pages;
}

struct iopt_pages *iopt_alloc_user_pages(void *uptr, uint64_t length,
					 bool writable,
					 enum iopt_account_mode mode,
					 uint64_t *ret_start_byte)
{
	uintptr_t start = (uintptr_t)uptr & PAGE_MASK;
	uint64_t end;
	struct iopt_pages *pages;

	if (check_add_overflow((uint64_t)(uintptr_t)uptr, length, &end))
		return ERR_PTR(uio_fail(-EOVERFLOW,
					"user_va %p + length 0x%" PRIx64
					" wraps",
					uptr, length));
	pages = iopt_alloc_pages((uintptr_t)uptr - start, length, writable,
				 mode);
	if (IS_ERR(pages))
		return pages;
	pages->type = IOPT_ADDRESS_USER;
	pages->uptr = (void *)start;
	*ret_start_byte = (uintptr_t)uptr - start;
	return pages;
}

/*
 * A writeable mapping needs a file opened for writing that is not sealed
 * against writes (the kernel's mapping_map_writable()). What kind of file
 * it is matters only when its pages are pinned, as in the kernel.
 */
static int check_file_writable(int fd)
{
	int seals, accmode = syscall(SYS_fcntl, fd, F_GETFL) & O_ACCMODE;

	if (accmode == O_RDONLY)
		return uio_fail(-EPERM,
				"a writeable mapping of fd %d opened read-only",
				fd);
	seals = syscall(SYS_fcntl, fd, F_GET_SEALS);
	if (seals > 0 && (seals & F_SEAL_WRITE))
		return uio_fail(-EPERM,
				"a writeable mapping of fd %d sealed against writes",
				fd);
	return 0;
}

struct iopt_pages *iopt_alloc_file_pages(int fd, uint64_t start,
					 uint64_t length, bool writable,
					 enum iopt_account_mode mode,
					 uint64_t *ret_start_byte)
{
	uint64_t start_down = start & PAGE_MASK, last;
	struct iopt_pages *pages;
	int rc, dupfd;

	if (!length)
		return ERR_PTR(uio_fail(-EINVAL, "length is 0"));
	if (check_add_overflow(start, length - 1, &last))
		return ERR_PTR(uio_fail(-EOVERFLOW,
					"start 0x%" PRIx64 " + length 0x%" PRIx64
					" wraps",
					start, length));
	if (syscall(SYS_fcntl, fd, F_GETFD) < 0)
		return ERR_PTR(uio_fail(-EBADF, "fd %d is not open", fd));
	if (writable) {
		rc = check_file_writable(fd);
		if (rc)
			return ERR_PTR(rc);
	}
	pages = iopt_alloc_pages(start - start_down, length, writable, mode);
	if (IS_ERR(pages))
		return pages;
	dupfd = fail_nth_point() ? -1 :
				   (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0);
	if (dupfd < 0) {
		uio_free(pages);
		return ERR_PTR(uio_fail(-ENOMEM, "cannot hold the file"));
	}
	pages->type = IOPT_ADDRESS_FILE;
	pages->start = start_down;
	pages->fd = dupfd;
	*ret_start_byte = start - start_down;
	return pages;
}

static void pages_dmabuf_revoke(struct uio_dmabuf_attachment *attach);

static const struct uio_dmabuf_importer_ops pages_dmabuf_ops = {
	.revoke = pages_dmabuf_revoke,
};

struct iopt_pages *iopt_alloc_dmabuf_pages(struct uio_dmabuf *dmabuf,
					   uint64_t start, uint64_t length,
					   bool writable,
					   uint64_t *ret_start_byte)
{
	uint64_t start_down = start & PAGE_MASK, last;
	struct iopt_pages *pages;
	int rc;

	/* the buffer must hold [start, start + length); the caller checked
	 * that length is not 0 and that the range does not wrap */
	if (check_add_overflow(start, length - 1, &last) ||
	    last >= dmabuf->size)
		return ERR_PTR(uio_fail(-EINVAL,
					"dma-buf range [0x%" PRIx64
					", +0x%" PRIx64
					") reaches past its end (0x%" PRIx64 ")",
					start, length, dmabuf->size));
	pages = iopt_alloc_pages(start - start_down, length, writable,
				 IOPT_PAGES_ACCOUNT_NONE);
	if (IS_ERR(pages))
		return pages;
	/* the exporter's memory is never charged to the importer */
	pages->account_resolved = true;
	pages->type = IOPT_ADDRESS_DMABUF;
	pages->start = start_down;
	rc = uio_dmabuf_attach(dmabuf, &pages->attach, &pages_dmabuf_ops);
	if (rc) {
		pthread_mutex_destroy(&pages->mutex);
		uio_free(pages);
		return ERR_PTR(rc);
	}
	uio_dmabuf_hold(dmabuf);
	pages->dmabuf = dmabuf;
	*ret_start_byte = start - start_down;
	return pages;
}

void iopt_pages_get(struct iopt_pages *pages)
{
	atomic_fetch_add(&pages->refs, 1);
}

void iopt_put_pages(struct iopt_pages *pages)
{
	if (atomic_fetch_sub(&pages->refs, 1) != 1)
		return;
	if (pages->kva) {
		file_view_remove((uintptr_t)pages->kva);
		munmap(pages->kva, pages->npages * PAGE_SIZE);
	}
	if (pages->fd >= 0)
		syscall(SYS_close, pages->fd);
	if (pages->dmabuf) {
		/* every area left its domains before it dropped the pages */
		uio_dmabuf_detach(pages->dmabuf, &pages->attach);
		uio_dmabuf_put(pages->dmabuf);
	}
	pthread_mutex_destroy(&pages->mutex);
	uio_free(pages);
}

uint64_t iopt_pages_start_address(const struct iopt_pages *pages)
{
	if (pages->type == IOPT_ADDRESS_USER)
		return (uintptr_t)pages->uptr;
	return pages->start;
}

/* ---- the pin ledger ---- */

static pthread_mutex_t pin_lock = PTHREAD_MUTEX_INITIALIZER;
static struct itree_root pin_tree;
static uint64_t pin_charged[3];
static uint64_t pin_limit_override = UINT64_MAX;
static int pin_cap_override = -1;

void pin_ledger_set_limit(uint64_t bytes, int cap_ipc_lock)
{
	pthread_mutex_lock(&pin_lock);
	pin_limit_override = bytes;
	pin_cap_override = cap_ipc_lock;
	pthread_mutex_unlock(&pin_lock);
}

static bool has_cap_ipc_lock(void)
{
	if (pin_cap_override >= 0)
		return pin_cap_override;
	return uio_capable(CAP_IPC_LOCK);
}

static uint64_t memlock_limit_pages(void)
{
	struct rlimit rl;

	if (pin_limit_override != UINT64_MAX)
		return pin_limit_override / PAGE_SIZE;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return UINT64_MAX;
	return rl.rlim_cur / PAGE_SIZE;
}

enum iopt_account_mode pin_ledger_effective_mode(enum iopt_account_mode mode)
{
	enum iopt_account_mode eff;

	pthread_mutex_lock(&pin_lock);
	eff = mode != IOPT_PAGES_ACCOUNT_NONE && has_cap_ipc_lock() ?
		      IOPT_PAGES_ACCOUNT_NONE :
		      mode;
	pthread_mutex_unlock(&pin_lock);
	return eff;
}

int pin_ledger_charge(enum iopt_account_mode mode, uint64_t npages)
{
	uint64_t total;
	int rc = 0;

	if (mode == IOPT_PAGES_ACCOUNT_NONE || !npages)
		return 0;
	pthread_mutex_lock(&pin_lock);
	if (check_add_overflow(pin_charged[mode], npages, &total) ||
	    total > memlock_limit_pages())
		rc = uio_fail(-ENOMEM,
			      "pinning %" PRIu64
			      " pages exceeds RLIMIT_MEMLOCK (%" PRIu64
			      " pages, %" PRIu64 " already pinned)",
			      npages, memlock_limit_pages(), pin_charged[mode]);
	else
		pin_charged[mode] = total;
	pthread_mutex_unlock(&pin_lock);
	return rc;
}

void pin_ledger_uncharge(enum iopt_account_mode mode, uint64_t npages)
{
	if (mode == IOPT_PAGES_ACCOUNT_NONE)
		return;
	pthread_mutex_lock(&pin_lock);
	pin_charged[mode] -= npages;
	pthread_mutex_unlock(&pin_lock);
}

void pin_ledger_insert(struct pin_record *rec)
{
	pthread_mutex_lock(&pin_lock);
	itree_insert(&pin_tree, &rec->node);
	pthread_mutex_unlock(&pin_lock);
}

void pin_ledger_remove(struct pin_record *rec)
{
	pthread_mutex_lock(&pin_lock);
	itree_remove(&pin_tree, &rec->node);
	pthread_mutex_unlock(&pin_lock);
}

int pin_ledger_pin(uintptr_t va, uint64_t npages, enum iopt_account_mode mode,
		   struct pin_record **ret_rec)
{
	struct pin_record *rec;
	uint64_t last;
	int rc;

	if (!npages ||
	    check_add_overflow((uint64_t)va, npages * PAGE_SIZE - 1, &last))
		return uio_fail(-EINVAL, "bad pin range");
	rec = uio_zalloc(sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	rec->node.start = va;
	rec->node.last = last;
	rec->npages = npages;
	rec->mode = pin_ledger_effective_mode(mode);
	rc = pin_ledger_charge(rec->mode, npages);
	if (rc) {
		uio_free(rec);
		return rc;
	}
	pin_ledger_insert(rec);
	*ret_rec = rec;
	return 0;
}

void pin_ledger_unpin(struct pin_record *rec)
{
	if (!rec)
		return;
	pin_ledger_remove(rec);
	pin_ledger_uncharge(rec->mode, rec->npages);
	uio_free(rec);
}

/* ---- access pins of one iopt_pages ---- */

struct iopt_pages_access {
	struct itree_node node; /* [index, last index] */
	unsigned int users;
};

static struct iopt_pages_access *find_access(struct iopt_pages *pages,
					     uint64_t index,
					     uint64_t last_index)
{
	struct itree_node *node;

	for (node = itree_iter_first(&pages->access_itree, index, last_index);
	     node; node = itree_iter_next(node, index, last_index))
		if (node->start == index && node->last == last_index)
			return container_of(node, struct iopt_pages_access,
					    node);
	return NULL;
}

/*
 * Make the ledger records of @pages within [first, last] match the union
 * of its access ranges there. Neighbouring records are taken in so the
 * records stay maximal. With @may_fail, adding pins may fail (allocation,
 * the memlock limit) and then nothing changes; removing must not fail, so
 * its few allocations bypass fault injection and abort on a real OOM.
 */
static int pages_repin(struct iopt_pages *pages, uint64_t first,
		       uint64_t last, bool may_fail)
{
	enum iopt_account_mode mode;
	uint64_t old_n = 0, new_n = 0, nspans = 0, i;
	struct itree_node *node, *next;
	struct pin_record *recs_small[8], **recs;
	struct span_iter span;
	uint64_t lo = first ? first - 1 : 0;
	/*
	 * Who pays is decided once, at the first pin (the capability check
	 * costs a system call, which memory that is never pinned should not
	 * pay), and kept, so that every unpin credits what was charged.
	 */
	if (!pages->account_resolved) {
		pages->account_mode =
			pin_ledger_effective_mode(pages->account_mode);
		pages->account_resolved = true;
	}
	mode = pages->account_mode;
	uint64_t hi = last + 1 ? last + 1 : last;
	int rc;

	for (node = itree_iter_first(&pages->pinned_itree, lo, hi); node;
	     node = itree_iter_next(node, lo, hi)) {
		if (node->start < first)
			first = node->start;
		if (node->last > last)
			last = node->last;
		old_n += node->last - node->start + 1;
	}
	for (span_iter_first(&span, &pages->access_itree, first, last);
	     !span_iter_done(&span); span_iter_next(&span)) {
		if (span.is_hole)
			continue;
		new_n += span.last_used - span.start_used + 1;
		nspans++;
	}
	/* the common case (a span or two) needs no array from the heap */
	if (nspans < ARRAY_SIZE(recs_small))
		recs = recs_small;
	else
		recs = may_fail ? uio_calloc(nspans + 1, sizeof(*recs)) :
				  calloc(nspans + 1, sizeof(*recs));
	if (!recs)
		goto out_oom;
	for (i = 0; i < nspans; i++) {
		recs[i] = may_fail ? uio_zalloc(sizeof(**recs)) :
				     calloc(1, sizeof(**recs));
		if (!recs[i]) {
			while (i--)
				free(recs[i]);
			if (recs != recs_small)
				free(recs);
			goto out_oom;
		}
	}
	if (new_n > old_n) {
		rc = pin_ledger_charge(mode, new_n - old_n);
		if (rc) {
			for (i = 0; i < nspans; i++)
				free(recs[i]);
			if (recs != recs_small)
				free(recs);
			return rc;
		}
	}
	/* drop the old records of the range ... */
	for (node = itree_iter_first(&pages->pinned_itree, first, last); node;
	     node = next) {
		struct pin_record *rec =
			container_of(node, struct pin_record, pages_node);

		next = itree_iter_next(node, first, last);
		itree_remove(&pages->pinned_itree, node);
		pin_ledger_remove(rec);
		free(rec);
	}
	/* ... and put in one per used span */
	i = 0;
	for (span_iter_first(&span, &pages->access_itree, first, last);
	     !span_iter_done(&span); span_iter_next(&span)) {
		struct pin_record *rec;

		if (span.is_hole)
			continue;
		rec = recs[i++];
		rec->pages_node.start = span.start_used;
		rec->pages_node.last = span.last_used;
		rec->npages = span.last_used - span.start_used + 1;
		rec->node.start = iopt_pages_index_va(pages, span.start_used);
		rec->node.last = iopt_pages_index_va(pages, span.last_used) +
				 PAGE_SIZE - 1;
		rec->mode = mode;
		itree_insert(&pages->pinned_itree, &rec->pages_node);
		pin_ledger_insert(rec);
	}
	if (old_n > new_n)
		pin_ledger_uncharge(mode, old_n - new_n);
	if (recs != recs_small)
		free(recs);
	return 0;

out_oom:
	if (!may_fail)
		abort(); /* an unpin cannot be refused */
	return -ENOMEM;
}

/*
 * Our own mappings of files, so that a pin on our mapping counts for every
 * other mapping of the same file page (MD_CHECK_REFS on the program's view
 * of a memfd).
 */
struct file_view {
	struct cds_list_head node;
	uint64_t dev, ino;   /* as /proc/self/maps shows them */
	uint64_t offset, bytes;
	uintptr_t kva;
};

static pthread_mutex_t file_views_lock = PTHREAD_MUTEX_INITIALIZER;
static CDS_LIST_HEAD(file_views);

static void file_view_remove(uintptr_t kva)
{
	struct file_view *view, *tmp;

	pthread_mutex_lock(&file_views_lock);
	cds_list_for_each_entry_safe(view, tmp, &file_views, node) {
		if (view->kva != kva)
			continue;
		cds_list_del(&view->node);
		uio_free(view);
		break;
	}
	pthread_mutex_unlock(&file_views_lock);
}

/*
 * Is every page of [va, va + npages pages) mapped? A few pages are probed
 * with a fault-safe read each (no system call; like get_user_pages it
 * faults the pages in); a longer range asks msync(), which fails with
 * ENOMEM on a hole without touching the pages.
 */
#define PROBE_MAX_PAGES 16

static bool user_pages_present(uintptr_t va, uint64_t npages)
{
	unsigned char probe;
	uint64_t i;

	if (npages > PROBE_MAX_PAGES)
		return !msync((void *)va, npages * PAGE_SIZE, MS_ASYNC);
	for (i = 0; i < npages; i++)
		if (copy_from_user(&probe, (void *)(va + i * PAGE_SIZE), 1))
			return false;
	return true;
}

/*
 * Map the file's pages into this process. The kernel pins the file's folios
 * and fails for pages past the end of the file; a mapping past the end would
 * fault on first DMA instead, so refuse it here.
 */
static int pages_map_file(struct iopt_pages *pages)
{
	uint64_t bytes = pages->npages * PAGE_SIZE;
	struct file_view *view;
	struct stat st;
	void *kva;

	if (fstat(pages->fd, &st))
		return uio_fail(-EBADF, "cannot stat the mapped file");
	if ((uint64_t)st.st_size < pages->start ||
	    (uint64_t)st.st_size - pages->start + PAGE_SIZE - 1 < bytes)
		return uio_fail(-EINVAL,
				"file range [0x%" PRIx64 ", +0x%" PRIx64
				") reaches past the end of the file (0x%" PRIx64 ")",
				pages->start, bytes, (uint64_t)st.st_size);
	kva = fail_nth_point() ? MAP_FAILED :
				 mmap(NULL, bytes,
				      PROT_READ | (pages->writable ? PROT_WRITE : 0),
				      MAP_SHARED, pages->fd, pages->start);
	if (kva == MAP_FAILED)
		return uio_fail(-ENOMEM, "cannot map the file's pages");
	view = uio_zalloc(sizeof(*view));
	if (!view) {
		munmap(kva, bytes);
		return -ENOMEM;
	}
	view->dev = ((uint64_t)major(st.st_dev) << 32) | minor(st.st_dev);
	view->ino = st.st_ino;
	view->offset = pages->start;
	view->bytes = bytes;
	view->kva = (uintptr_t)kva;
	pthread_mutex_lock(&file_views_lock);
	cds_list_add(&view->node, &file_views);
	pthread_mutex_unlock(&file_views_lock);
	pages->kva = kva;
	return 0;
}

int iopt_pages_add_access(struct iopt_pages *pages, uint64_t index,
			  uint64_t last_index)
{
	struct iopt_pages_access *acc;
	int rc;

	/* the exporter owns a dma-buf's pages: there is nothing to pin */
	if (pages->type == IOPT_ADDRESS_DMABUF)
		return uio_fail(-EINVAL, "dma-buf memory cannot be pinned");
	/*
	 * The kernel pins with get_user_pages, which fails with EFAULT when
	 * part of the range is not mapped; msync() answers the same question
	 * (ENOMEM for a hole) without touching the pages.
	 */
	if (pages->type == IOPT_ADDRESS_USER &&
	    !user_pages_present(iopt_pages_index_va(pages, index),
				last_index - index + 1))
		return uio_fail(-EFAULT,
				"user memory at 0x%" PRIxPTR " is not mapped",
				iopt_pages_index_va(pages, index));
	pthread_mutex_lock(&pages->mutex);
	if (pages->type == IOPT_ADDRESS_FILE && !pages->kva) {
		rc = pages_map_file(pages);
		if (rc) {
			pthread_mutex_unlock(&pages->mutex);
			return rc;
		}
	}
	acc = find_access(pages, index, last_index);
	if (acc) {
		acc->users++;
		pthread_mutex_unlock(&pages->mutex);
		return 0;
	}
	acc = uio_zalloc(sizeof(*acc));
	if (!acc) {
		pthread_mutex_unlock(&pages->mutex);
		return -ENOMEM;
	}
	acc->node.start = index;
	acc->node.last = last_index;
	acc->users = 1;
	itree_insert(&pages->access_itree, &acc->node);
	rc = pages_repin(pages, index, last_index, true);
	if (rc) {
		itree_remove(&pages->access_itree, &acc->node);
		uio_free(acc);
	}
	pthread_mutex_unlock(&pages->mutex);
	return rc;
}

void iopt_pages_remove_access(struct iopt_pages *pages, uint64_t index,
			      uint64_t last_index)
{
	struct iopt_pages_access *acc;

	pthread_mutex_lock(&pages->mutex);
	acc = find_access(pages, index, last_index);
	if (acc && !--acc->users) {
		itree_remove(&pages->access_itree, &acc->node);
		uio_free(acc);
		pages_repin(pages, index, last_index, false);
	}
	pthread_mutex_unlock(&pages->mutex);
}

uint64_t pin_ledger_refs(uintptr_t va)
{
	uintptr_t page = va & PAGE_MASK;
	struct itree_node *node;
	uint64_t refs = 0;

	pthread_mutex_lock(&pin_lock);
	for (node = itree_iter_first(&pin_tree, page, page + PAGE_SIZE - 1);
	     node; node = itree_iter_next(node, page, page + PAGE_SIZE - 1))
		refs++;
	pthread_mutex_unlock(&pin_lock);
	return refs;
}

uint64_t pin_ledger_refs_identity(uintptr_t va)
{
	struct mem_identity mi = {};
	const struct mem_vma *vma;
	struct file_view *view;
	uint64_t refs = pin_ledger_refs(va), off;

	vma = mem_identity_vma(&mi, va);
	if (!vma || !vma->shared || !vma->ino)
		return refs;
	off = vma->offset + (va - vma->start);
	pthread_mutex_lock(&file_views_lock);
	cds_list_for_each_entry(view, &file_views, node)
		if (view->dev == vma->dev && view->ino == vma->ino &&
		    off >= view->offset && off - view->offset < view->bytes &&
		    view->kva + (off - view->offset) != va)
			refs += pin_ledger_refs(view->kva +
						(off - view->offset));
	pthread_mutex_unlock(&file_views_lock);
	return refs;
}

uint64_t pin_ledger_charged(enum iopt_account_mode mode)
{
	uint64_t v;

	pthread_mutex_lock(&pin_lock);
	v = pin_charged[mode];
	pthread_mutex_unlock(&pin_lock);
	return v;
}

/* ---- dma-buf pages in domains ---- */

/* one (area, domain) pair that maps dma-buf pages */
struct iopt_dmabuf_track {
	struct cds_list_head node; /* in pages->dmabuf_tracks */
	struct iopt_area *area;
	struct uio_domain *domain;
};

static uint64_t area_length(const struct iopt_area *area)
{
	return iopt_area_last_iova(area) - iopt_area_iova(area) + 1;
}

/*
 * Map the area page by page: each page of the buffer has its own host
 * address, and runs whose addresses happen to follow each other go in
 * one call. On failure what was mapped is unmapped again.
 */
static int dmabuf_map_area(struct iopt_area *area, struct uio_domain *domain,
			   bool large)
{
	struct iopt_pages *pages = area->pages;
	uint64_t first = iopt_area_start_byte(area, iopt_area_iova(area));
	uint64_t last = first + area_length(area) - 1;
	uint64_t byte = first, run_iova = iopt_area_iova(area), run_len = 0;
	uintptr_t run_oa = 0;
	int rc;

	while (byte <= last) {
		uint64_t page_last = (byte | (PAGE_SIZE - 1)) < last ?
					     (byte | (PAGE_SIZE - 1)) :
					     last;
		uintptr_t oa = iopt_pages_index_va(pages, byte / PAGE_SIZE) +
			       byte % PAGE_SIZE;

		if (run_len && oa != run_oa + run_len) {
			rc = uio_domain_map(domain, run_iova, run_oa, run_len,
					    area->iommu_prot, large);
			if (rc)
				goto err_unmap;
			run_iova += run_len;
			run_len = 0;
		}
		if (!run_len)
			run_oa = oa;
		run_len += page_last - byte + 1;
		if (page_last == last)
			break;
		byte = page_last + 1;
	}
	rc = uio_domain_map(domain, run_iova, run_oa, run_len,
			    area->iommu_prot, large);
	if (!rc)
		return 0;
err_unmap:
	if (run_iova > iopt_area_iova(area))
		uio_domain_unmap(domain, iopt_area_iova(area),
				 run_iova - iopt_area_iova(area));
	return rc;
}

int iopt_dmabuf_map_domain(struct iopt_area *area, struct uio_domain *domain,
			   bool large)
{
	struct iopt_pages *pages = area->pages;
	struct iopt_dmabuf_track *track;
	int rc = 0;

	track = uio_zalloc(sizeof(*track));
	if (!track)
		return -ENOMEM;
	track->area = area;
	track->domain = domain;
	pthread_mutex_lock(&pages->mutex);
	if (!pages->revoked)
		rc = dmabuf_map_area(area, domain, large);
	if (rc)
		uio_free(track);
	else
		cds_list_add_tail(&track->node, &pages->dmabuf_tracks);
	pthread_mutex_unlock(&pages->mutex);
	return rc;
}

void iopt_dmabuf_unmap_domain(struct iopt_area *area,
			      struct uio_domain *domain)
{
	struct iopt_pages *pages = area->pages;
	struct iopt_dmabuf_track *track;

	pthread_mutex_lock(&pages->mutex);
	cds_list_for_each_entry(track, &pages->dmabuf_tracks, node) {
		if (track->area != area || track->domain != domain)
			continue;
		/* a revoke already unmapped it */
		if (!pages->revoked)
			uio_domain_unmap(domain, iopt_area_iova(area),
					 area_length(area));
		cds_list_del(&track->node);
		uio_free(track);
		break;
	}
	pthread_mutex_unlock(&pages->mutex);
}

/* the exporter's revoke: out of every domain, for good */
static void pages_dmabuf_revoke(struct uio_dmabuf_attachment *attach)
{
	struct iopt_pages *pages =
		container_of(attach, struct iopt_pages, attach);
	struct iopt_dmabuf_track *track;

	pthread_mutex_lock(&pages->mutex);
	if (!pages->revoked) {
		cds_list_for_each_entry(track, &pages->dmabuf_tracks, node)
			uio_domain_unmap(track->domain,
					 iopt_area_iova(track->area),
					 area_length(track->area));
		pages->revoked = true;
	}
	pthread_mutex_unlock(&pages->mutex);
}

bool iopt_pages_revoked(struct iopt_pages *pages)
{
	bool revoked;

	if (pages->type != IOPT_ADDRESS_DMABUF)
		return false;
	pthread_mutex_lock(&pages->mutex);
	revoked = pages->revoked;
	pthread_mutex_unlock(&pages->mutex);
	return revoked;
}

/* SPDX-License-Identifier: MIT */
/*
 * IOVA management of one IOAS; see io_pagetable.h for the data model.
 *
 * Automatic IOVA allocation walks the allowed ranges (or the whole space
 * when none are set), and within each the holes left by both the reserved
 * and the area trees at once (a double span), taking the first hole that fits
 * at the chosen alignment. The alignment keeps the alignment the memory
 * itself has, up to the length rounded to a power of two, so that a 2 MiB
 * aligned buffer lands on a 2 MiB aligned IOVA and can later be mapped with
 * huge IOPTEs. Allocation stays out of the first and last page so that an
 * allocated IOVA is never 0 and iova + length never wraps.
 *
 * Unmap refuses to cut an area: every area it meets must lie inside the
 * range, else ENOENT (areas already removed stay removed, as in the kernel).
 * Only the VFIO type1 (v1) container may poke holes in a mapping; it first
 * splits the areas at the edges of its range with iopt_cut_iova(), so that
 * the unmap that follows meets whole areas.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/io_pagetable.h"
#include "core/iommufd_private.h"
#include "core/access.h"
#include "core/pages.h"
#include "hw/hw.h"
#include "util/alloc.h"
#include "util/overflow.h"
#include "util/page.h"
#include "util/span_iter.h"

#define IOVA_MAX UINT64_MAX
/* the host's transparent huge page size (x86-64: 2 MiB) */
#define IOVA_MAX_ALIGNMENT (2ULL << 20)

void iopt_init_table(struct io_pagetable *iopt)
{
	memset(iopt, 0, sizeof(*iopt));
	pthread_rwlock_init(&iopt->iova_rwsem, NULL);
	pthread_mutex_init(&iopt->access_lock, NULL);
	CDS_INIT_LIST_HEAD(&iopt->access_list);
	iopt->iova_alignment = 1;
}

void iopt_free_itree(struct itree_root *root, uint64_t node_offset)
{
	struct itree_node *node;

	while ((node = itree_first(root))) {
		itree_remove(root, node);
		uio_free((char *)node - node_offset);
	}
}

void iopt_destroy_table(struct io_pagetable *iopt)
{
	uint64_t unmapped;

	iopt_unmap_all(iopt, &unmapped);
	iopt_free_itree(&iopt->allowed_itree,
			offsetof(struct iopt_allowed, node));
	iopt_free_itree(&iopt->reserved_itree,
			offsetof(struct iopt_reserved, node));
	pthread_mutex_destroy(&iopt->access_lock);
	pthread_rwlock_destroy(&iopt->iova_rwsem);
}

static uint64_t roundup_pow_of_two_u64(uint64_t v)
{
	if (v <= 1)
		return 1;
	if (v > (1ULL << 63))
		return 0;
	return 1ULL << (64 - __builtin_clzll(v - 1));
}

/*
 * Does [*start, last] hold @length bytes at @iova_alignment plus
 * @page_offset? If so move *start to the aligned spot.
 */
static bool alloc_iova_check_range(uint64_t *start, uint64_t last,
				   uint64_t length, uint64_t iova_alignment,
				   uint64_t page_offset)
{
	uint64_t aligned_start;

	if (check_add_overflow(*start, iova_alignment - 1, &aligned_start))
		return false;
	aligned_start &= ~(iova_alignment - 1);
	aligned_start |= page_offset;
	if (aligned_start >= last || last - aligned_start < length - 1)
		return false;
	*start = aligned_start;
	return true;
}

int iopt_alloc_iova(struct io_pagetable *iopt, uint64_t *iova, uint64_t uptr,
		    uint64_t length)
{
	uint64_t page_offset = uptr % PAGE_SIZE;
	uint64_t iova_alignment, aspan_start, aspan_last;
	struct span_iter allowed_span;
	struct double_span_iter used_span;
	bool no_allowed = itree_empty(&iopt->allowed_itree);

	if (length == 0 || length >= IOVA_MAX / 2)
		return uio_fail(-EOVERFLOW,
				"length 0x%" PRIx64 " is not allocatable",
				length);

	/* Keep the alignment the memory has, so huge pages can be used */
	if (!uptr)
		iova_alignment = roundup_pow_of_two_u64(length);
	else
		iova_alignment = roundup_pow_of_two_u64(length) <
						 (1ULL << __builtin_ctzll(uptr)) ?
					 roundup_pow_of_two_u64(length) :
					 (1ULL << __builtin_ctzll(uptr));
	/* No more than a transparent huge page: larger alignment buys no
	 * bigger IOPTE here and would waste IOVA space (and ALIGN could
	 * overflow). */
	if (iova_alignment >= IOVA_MAX_ALIGNMENT)
		iova_alignment = IOVA_MAX_ALIGNMENT;
	if (iova_alignment < iopt->iova_alignment)
		return uio_fail(-EINVAL,
				"memory at 0x%" PRIx64
				" is less aligned than the IOAS requires (0x%" PRIx64
				")",
				uptr, iopt->iova_alignment);

	for (span_iter_first(&allowed_span, &iopt->allowed_itree, PAGE_SIZE,
			     IOVA_MAX - PAGE_SIZE);
	     !span_iter_done(&allowed_span); span_iter_next(&allowed_span)) {
		if (no_allowed) {
			aspan_start = PAGE_SIZE;
			aspan_last = IOVA_MAX - PAGE_SIZE;
		} else {
			if (allowed_span.is_hole)
				continue;
			aspan_start = allowed_span.start_used;
			aspan_last = allowed_span.last_used;
		}
		if (!alloc_iova_check_range(&aspan_start, aspan_last, length,
					    iova_alignment, page_offset))
			goto next_allowed;

		for (double_span_iter_first(&used_span, &iopt->reserved_itree,
					    &iopt->area_itree, aspan_start,
					    aspan_last);
		     !double_span_iter_done(&used_span);
		     double_span_iter_next(&used_span)) {
			uint64_t start = used_span.start_hole;

			if (used_span.is_used)
				continue;
			if (!alloc_iova_check_range(&start, used_span.last_hole,
						    length, iova_alignment,
						    page_offset))
				continue;
			*iova = start;
			return 0;
		}
next_allowed:
		if (no_allowed)
			break;
	}
	return uio_fail(-ENOSPC,
			"no free IOVA range of 0x%" PRIx64
			" bytes at alignment 0x%" PRIx64,
			length, iova_alignment);
}

static int iopt_check_iova(struct io_pagetable *iopt, uint64_t iova,
			   uint64_t length)
{
	struct itree_node *node;
	uint64_t last;

	if (iova & (iopt->iova_alignment - 1))
		return uio_fail(-EINVAL,
				"iova 0x%" PRIx64
				" is not aligned to the IOAS alignment 0x%" PRIx64,
				iova, iopt->iova_alignment);
	if (check_add_overflow(iova, length - 1, &last))
		return uio_fail(-EOVERFLOW,
				"iova 0x%" PRIx64 " + length 0x%" PRIx64
				" wraps past 2^64",
				iova, length);
	node = itree_iter_first(&iopt->reserved_itree, iova, last);
	if (node)
		return uio_fail(-EINVAL,
				"iova [0x%" PRIx64 ", 0x%" PRIx64
				"] overlaps reserved range [0x%" PRIx64
				", 0x%" PRIx64 "]",
				iova, last, node->start, node->last);
	node = itree_iter_first(&iopt->area_itree, iova, last);
	if (node)
		return uio_fail(-EEXIST,
				"iova [0x%" PRIx64 ", 0x%" PRIx64
				"] overlaps the mapping at [0x%" PRIx64
				", 0x%" PRIx64 "]",
				iova, last, node->start, node->last);
	return 0;
}

static int iopt_insert_area(struct io_pagetable *iopt, struct iopt_area *area,
			    struct iopt_pages *pages, uint64_t iova,
			    uint64_t start_byte, uint64_t length,
			    int iommu_prot)
{
	uint64_t last_byte;

	if ((iommu_prot & IOMMU_WRITE) && !pages->writable)
		return uio_fail(-EPERM,
				"a writeable mapping of read-only memory");
	area->iommu_prot = iommu_prot;
	area->page_offset = start_byte % PAGE_SIZE;
	if (area->page_offset & (iopt->iova_alignment - 1))
		return uio_fail(-EINVAL,
				"memory offset 0x%x within its page breaks the IOAS alignment 0x%" PRIx64,
				area->page_offset, iopt->iova_alignment);
	if (check_add_overflow(start_byte, length - 1, &last_byte))
		return uio_fail(-EOVERFLOW, "memory range wraps");
	area->first_index = start_byte / PAGE_SIZE;
	area->last_index = last_byte / PAGE_SIZE;
	if (area->last_index >= pages->npages)
		return uio_fail(-EOVERFLOW, "memory range past its pages");
	area->iopt = iopt;
	area->node.start = iova;
	area->node.last = iova + length - 1;
	itree_insert(&iopt->area_itree, &area->node);
	return 0;
}

/* Free the areas of a list that never made it into the tree. */
static void iopt_abort_list_areas(struct io_pagetable *iopt,
				  struct cds_list_head *pages_list)
{
	struct iopt_pages_list *elm;

	cds_list_for_each_entry(elm, pages_list, next) {
		if (!elm->area)
			continue;
		if (elm->area->iopt)
			itree_remove(&iopt->area_itree, &elm->area->node);
		uio_free(elm->area);
		elm->area = NULL;
	}
}

static int iopt_alloc_area_pages(struct io_pagetable *iopt,
				 struct cds_list_head *pages_list,
				 uint64_t length, uint64_t *dst_iova,
				 int iommu_prot, unsigned int flags)
{
	struct iopt_pages_list *elm;
	uint64_t iova;
	int rc = 0;

	cds_list_for_each_entry(elm, pages_list, next) {
		elm->area = uio_zalloc(sizeof(*elm->area));
		if (!elm->area)
			return -ENOMEM;
	}

	if ((length & (iopt->iova_alignment - 1)) || !length)
		return uio_fail(-EINVAL,
				"length 0x%" PRIx64
				" is zero or not a multiple of the IOAS alignment 0x%" PRIx64,
				length, iopt->iova_alignment);

	if (flags & IOPT_ALLOC_IOVA) {
		/* the first piece says how the memory is aligned */
		elm = cds_list_first_entry(pages_list, struct iopt_pages_list,
					   next);
		rc = iopt_alloc_iova(iopt, dst_iova,
				     iopt_pages_start_address(elm->pages) +
					     elm->start_byte,
				     length);
		if (rc)
			return rc;
	} else {
		rc = iopt_check_iova(iopt, *dst_iova, length);
		if (rc)
			return rc;
	}

	iova = *dst_iova;
	cds_list_for_each_entry(elm, pages_list, next) {
		rc = iopt_insert_area(iopt, elm->area, elm->pages, iova,
				      elm->start_byte, elm->length, iommu_prot);
		if (rc)
			return rc;
		iova += elm->length;
	}
	return 0;
}

int iopt_map_pages(struct io_pagetable *iopt, struct cds_list_head *pages_list,
		   uint64_t length, uint64_t *dst_iova, int iommu_prot,
		   unsigned int flags)
{
	struct iopt_pages_list *elm;
	int rc;

	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	rc = iopt_alloc_area_pages(iopt, pages_list, length, dst_iova,
				   iommu_prot, flags);
	if (rc) {
		iopt_abort_list_areas(iopt, pages_list);
		pthread_rwlock_unlock(&iopt->iova_rwsem);
		return rc;
	}
	/* Every domain of the IOAS gets the new areas before anyone sees
	 * them mapped. */
	cds_list_for_each_entry(elm, pages_list, next) {
		elm->area->pages = elm->pages;
		rc = iopt_area_fill_domains(iopt, elm->area);
		if (rc) {
			struct iopt_pages_list *undo;

			cds_list_for_each_entry(undo, pages_list, next) {
				if (undo == elm)
					break;
				iopt_area_unfill_domains(iopt, undo->area);
			}
			cds_list_for_each_entry(undo, pages_list, next)
				undo->area->pages = NULL;
			iopt_abort_list_areas(iopt, pages_list);
			pthread_rwlock_unlock(&iopt->iova_rwsem);
			return rc;
		}
	}
	/* The areas now own the pages references the list held. */
	cds_list_for_each_entry(elm, pages_list, next) {
		elm->area->pages = elm->pages;
		elm->pages = NULL;
		elm->area = NULL;
	}
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	return 0;
}

void iopt_free_pages_list(struct cds_list_head *pages_list)
{
	struct iopt_pages_list *elm, *tmp;

	cds_list_for_each_entry_safe(elm, tmp, pages_list, next) {
		if (elm->area)
			uio_free(elm->area);
		if (elm->pages)
			iopt_put_pages(elm->pages);
		cds_list_del(&elm->next);
		uio_free(elm);
	}
}

/* Map one pages object: a list of one piece, kept on the stack. */
static int iopt_map_common(struct io_pagetable *iopt, struct iopt_pages *pages,
			   uint64_t *iova, uint64_t start_byte,
			   uint64_t length, int iommu_prot,
			   unsigned int flags)
{
	struct iopt_pages_list elm = {
		.pages = pages,
		.start_byte = start_byte,
		.length = length,
	};
	CDS_LIST_HEAD(pages_list);
	int rc;

	cds_list_add(&elm.next, &pages_list);
	rc = iopt_map_pages(iopt, &pages_list, length, iova, iommu_prot, flags);
	/* on success the area took the pages reference and elm holds none */
	if (elm.area)
		uio_free(elm.area);
	if (elm.pages)
		iopt_put_pages(elm.pages);
	return rc;
}

int iopt_map_user_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			uint64_t *iova, void *uptr, uint64_t length,
			int iommu_prot, unsigned int flags)
{
	struct iopt_pages *pages;
	uint64_t start_byte;

	pages = iopt_alloc_user_pages(uptr, length, iommu_prot & IOMMU_WRITE,
				      ictx->account_mode, &start_byte);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	return iopt_map_common(iopt, pages, iova, start_byte, length,
			       iommu_prot, flags);
}

int iopt_map_file_pages(struct iommufd_ctx *ictx, struct io_pagetable *iopt,
			uint64_t *iova, int fd, uint64_t start, uint64_t length,
			int iommu_prot, unsigned int flags)
{
	struct uio_dmabuf *dmabuf;
	struct iopt_pages *pages;
	uint64_t start_byte, last;

	if (!length)
		return uio_fail(-EINVAL, "length is 0");
	if (check_add_overflow(start, length - 1, &last))
		return uio_fail(-EOVERFLOW,
				"start 0x%" PRIx64 " + length 0x%" PRIx64
				" wraps",
				start, length);
	/* the same fd may name a dma-buf or any other file, as in the
	 * kernel: a dma-buf first */
	dmabuf = uio_dmabuf_lookup(fd);
	if (dmabuf) {
		pages = iopt_alloc_dmabuf_pages(dmabuf, start, length,
						iommu_prot & IOMMU_WRITE,
						&start_byte);
		uio_dmabuf_put(dmabuf);
	} else {
		pages = iopt_alloc_file_pages(fd, start, length,
					      iommu_prot & IOMMU_WRITE,
					      ictx->account_mode, &start_byte);
	}
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	return iopt_map_common(iopt, pages, iova, start_byte, length,
			       iommu_prot, flags);
}

/*
 * Collect the pages behind [iova, iova + length): the range must be covered
 * by areas without a gap. Each piece holds a reference on its pages.
 */
int iopt_get_pages(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
		   struct cds_list_head *pages_list)
{
	uint64_t last_iova, cur = iova;
	struct itree_node *node;
	int rc = 0;

	if (!length)
		return uio_fail(-EINVAL, "length is 0");
	if (check_add_overflow(iova, length - 1, &last_iova))
		return uio_fail(-EOVERFLOW,
				"iova 0x%" PRIx64 " + length 0x%" PRIx64
				" wraps past 2^64",
				iova, length);

	pthread_rwlock_rdlock(&iopt->iova_rwsem);
	for (node = itree_iter_first(&iopt->area_itree, iova, last_iova); node;
	     node = itree_iter_next(node, iova, last_iova)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);
		uint64_t last = last_iova < node->last ? last_iova :
							node->last;
		struct iopt_pages_list *elm;

		if (node->start > cur || !area->pages)
			break;
		elm = uio_zalloc(sizeof(*elm));
		if (!elm) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		elm->start_byte = area->first_index * PAGE_SIZE +
				  area->page_offset + (cur - node->start);
		elm->pages = area->pages;
		iopt_pages_get(elm->pages);
		elm->length = last - cur + 1;
		cds_list_add_tail(&elm->next, pages_list);
		if (last == last_iova) {
			cur = last_iova;
			goto out_unlock;
		}
		cur = last + 1;
	}
	rc = uio_fail(-ENOENT,
		      "iova 0x%" PRIx64 " is not mapped (copy source [0x%" PRIx64
		      ", 0x%" PRIx64 "])",
		      cur, iova, last_iova);
out_unlock:
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	if (rc)
		iopt_free_pages_list(pages_list);
	return rc;
}

/*
 * An area that accesses still pin cannot go: mark it, drop the lock, ask
 * every access to unpin the range, and look again (as the kernel does, give
 * up with EDEADLOCK if some access never lets go).
 */
static int iopt_unmap_iova_range(struct io_pagetable *iopt, uint64_t start,
				 uint64_t last, uint64_t *unmapped)
{
	uint64_t unmapped_bytes = 0;
	struct itree_node *node;
	unsigned int tries = 0;
	int rc = -ENOENT;

again:
	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	while ((node = itree_iter_first(&iopt->area_itree, start, last))) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);
		uint64_t area_first = node->start, area_last = node->last;

		if (area_first < start || area_last > last) {
			rc = uio_fail(-ENOENT,
				      "unmap [0x%" PRIx64 ", 0x%" PRIx64
				      "] would cut the mapping at [0x%" PRIx64
				      ", 0x%" PRIx64 "]",
				      start, last, area_first, area_last);
			goto out_unlock;
		}
		if (area->num_locks) {
			rc = uio_fail(-EBUSY,
				      "[0x%" PRIx64 ", 0x%" PRIx64
				      "] is locked by a vIOMMU HW queue",
				      area_first, area_last);
			goto out_unlock;
		}
		if (area->num_accesses) {
			area->prevent_access = true;
			start = area_first;
			pthread_rwlock_unlock(&iopt->iova_rwsem);
			iommufd_access_notify_unmap(iopt, area_first,
						    area_last - area_first + 1);
			if (++tries > 100) {
				rc = uio_fail(-EDEADLOCK,
					      "an access does not unpin [0x%" PRIx64
					      ", 0x%" PRIx64 "]",
					      area_first, area_last);
				goto out_unmapped;
			}
			goto again;
		}
		iopt_area_unfill_domains(iopt, area);
		itree_remove(&iopt->area_itree, node);
		unmapped_bytes += area_last - area_first + 1;
		iopt_put_pages(area->pages);
		uio_free(area);
		rc = 0;
		if (area_last >= last)
			break;
		start = area_last + 1;
	}
	if (rc)
		uio_fail(-ENOENT,
			 "nothing is mapped in [0x%" PRIx64 ", 0x%" PRIx64 "]",
			 start, last);
out_unlock:
	pthread_rwlock_unlock(&iopt->iova_rwsem);
out_unmapped:
	if (unmapped)
		*unmapped = unmapped_bytes;
	return rc;
}

struct iopt_area *iopt_lock_area(struct io_pagetable *iopt, uint64_t iova,
				 uint64_t length)
{
	struct itree_node *node;
	struct iopt_area *area;

	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	node = itree_iter_first(&iopt->area_itree, iova, iova);
	if (!node) {
		pthread_rwlock_unlock(&iopt->iova_rwsem);
		return ERR_PTR(uio_fail(-ENOENT,
					"nothing is mapped at 0x%" PRIx64, iova));
	}
	if (iova + length - 1 > node->last) {
		pthread_rwlock_unlock(&iopt->iova_rwsem);
		return ERR_PTR(uio_fail(-EFAULT,
					"[0x%" PRIx64 ", +0x%" PRIx64
					") is not one contiguous mapping",
					iova, length));
	}
	area = container_of(node, struct iopt_area, node);
	area->num_locks++;
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	return area;
}

void iopt_unlock_area(struct io_pagetable *iopt, struct iopt_area *area)
{
	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	area->num_locks--;
	pthread_rwlock_unlock(&iopt->iova_rwsem);
}

int iopt_unmap_iova(struct io_pagetable *iopt, uint64_t iova, uint64_t length,
		    uint64_t *unmapped)
{
	uint64_t last;

	if (!length)
		return uio_fail(-EINVAL, "length is 0");
	if (check_add_overflow(iova, length - 1, &last))
		return uio_fail(-EOVERFLOW,
				"iova 0x%" PRIx64 " + length 0x%" PRIx64
				" wraps past 2^64",
				iova, length);
	return iopt_unmap_iova_range(iopt, iova, last, unmapped);
}

int iopt_unmap_all(struct io_pagetable *iopt, uint64_t *unmapped)
{
	bool empty;
	int rc;

	/* nothing to do: leave the thread's reason (an earlier refusal) be */
	pthread_rwlock_rdlock(&iopt->iova_rwsem);
	empty = !itree_first(&iopt->area_itree);
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	if (empty) {
		if (unmapped)
			*unmapped = 0;
		return 0;
	}
	rc = iopt_unmap_iova_range(iopt, 0, IOVA_MAX, unmapped);

	/* an empty IOAS is not an error for unmap-all */
	if (rc == -ENOENT) {
		uio_reason_clear();
		return 0;
	}
	return rc;
}

/* Split @area so that it ends at @iova; the tail becomes a new area on the
 * same pages. Caller holds iova_rwsem for write. */
static int iopt_area_split(struct io_pagetable *iopt, struct iopt_area *area,
			   uint64_t iova)
{
	uint64_t new_start = iova + 1;
	uint64_t start_byte = area->first_index * PAGE_SIZE +
			      area->page_offset + (new_start - area->node.start);
	uint64_t mask = iopt->iova_alignment - 1;
	uint64_t old_last_index;
	struct iopt_area *tail;
	int rc;

	/* its (area, domain) records would need splitting too: the kernel
	 * does not cut dma-buf areas either */
	if (area->pages->type == IOPT_ADDRESS_DMABUF)
		return uio_fail(-EOPNOTSUPP,
				"the dma-buf mapping at [0x%" PRIx64
				", 0x%" PRIx64 "] cannot be cut",
				area->node.start, area->node.last);
	if ((new_start & mask) || (start_byte & mask))
		return uio_fail(-EINVAL,
				"cannot cut the mapping at [0x%" PRIx64
				", 0x%" PRIx64 "] after 0x%" PRIx64
				": breaks alignment 0x%" PRIx64,
				area->node.start, area->node.last, iova,
				iopt->iova_alignment);
	tail = uio_zalloc(sizeof(*tail));
	if (!tail)
		return -ENOMEM;
	tail->iopt = iopt;
	tail->pages = area->pages;
	tail->iommu_prot = area->iommu_prot;
	tail->page_offset = start_byte % PAGE_SIZE;
	tail->first_index = start_byte / PAGE_SIZE;
	tail->last_index = area->last_index;
	tail->node.start = new_start;
	tail->node.last = area->node.last;
	iopt_pages_get(area->pages);

	old_last_index = area->last_index;
	area->last_index = (start_byte - 1) / PAGE_SIZE;
	rc = iopt_area_split_domain_pin(area, tail, old_last_index);
	if (rc) {
		area->last_index = old_last_index;
		iopt_put_pages(tail->pages);
		uio_free(tail);
		return rc;
	}
	itree_remove(&iopt->area_itree, &area->node);
	area->node.last = iova;
	itree_insert(&iopt->area_itree, &area->node);
	itree_insert(&iopt->area_itree, &tail->node);
	return 0;
}

int iopt_cut_iova(struct io_pagetable *iopt, const uint64_t *iovas,
		  size_t num_iovas)
{
	size_t i;
	int rc = 0;

	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	for (i = 0; i < num_iovas && !rc; i++) {
		struct itree_node *node =
			itree_iter_first(&iopt->area_itree, iovas[i], iovas[i]);

		/* as in the kernel, a cut at an area's first byte is no cut
		 * either (it would leave a one-byte area, which the
		 * alignment forbids anyway): v1 then refuses the unmap that
		 * follows with ENOENT, not EINVAL */
		if (!node || node->start == iovas[i] || node->last == iovas[i])
			continue;
		rc = iopt_area_split(iopt,
				     container_of(node, struct iopt_area, node),
				     iovas[i]);
	}
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	return rc;
}

int iopt_set_allow_iova(struct io_pagetable *iopt, struct itree_root *allowed)
{
	struct itree_root old;
	struct itree_node *node;

	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	for (node = itree_first(allowed); node; node = itree_next(node)) {
		struct itree_node *rsv = itree_iter_first(
			&iopt->reserved_itree, node->start, node->last);

		if (rsv) {
			pthread_rwlock_unlock(&iopt->iova_rwsem);
			return uio_fail(-EADDRINUSE,
					"allowed range [0x%" PRIx64
					", 0x%" PRIx64
					"] overlaps reserved range [0x%" PRIx64
					", 0x%" PRIx64 "]",
					node->start, node->last, rsv->start,
					rsv->last);
		}
	}
	old = iopt->allowed_itree;
	iopt->allowed_itree = *allowed;
	*allowed = old;
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	return 0;
}

int iopt_reserve_iova(struct io_pagetable *iopt, uint64_t start, uint64_t last,
		      const void *owner)
{
	int rc;

	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	rc = iopt_reserve_iova_locked(iopt, start, last, owner);
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	return rc;
}

int iopt_reserve_iova_locked(struct io_pagetable *iopt, uint64_t start,
			     uint64_t last, const void *owner)
{
	struct iopt_reserved *reserved;
	struct itree_node *node;

	node = itree_iter_first(&iopt->area_itree, start, last);
	if (node)
		return uio_fail(-EADDRINUSE,
				"reserving [0x%" PRIx64 ", 0x%" PRIx64
				"] over the mapping at [0x%" PRIx64 ", 0x%" PRIx64
				"]",
				start, last, node->start, node->last);
	node = itree_iter_first(&iopt->allowed_itree, start, last);
	if (node)
		return uio_fail(-EADDRINUSE,
				"reserving [0x%" PRIx64 ", 0x%" PRIx64
				"] over allowed range [0x%" PRIx64 ", 0x%" PRIx64
				"]",
				start, last, node->start, node->last);
	reserved = uio_zalloc(sizeof(*reserved));
	if (!reserved)
		return -ENOMEM;
	reserved->node.start = start;
	reserved->node.last = last;
	reserved->owner = owner;
	itree_insert(&iopt->reserved_itree, &reserved->node);
	return 0;
}

void iopt_remove_reserved_iova(struct io_pagetable *iopt, const void *owner)
{
	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	iopt_remove_reserved_iova_locked(iopt, owner);
	pthread_rwlock_unlock(&iopt->iova_rwsem);
}

void iopt_remove_reserved_iova_locked(struct io_pagetable *iopt,
				      const void *owner)
{
	struct itree_node *node, *next;

	for (node = itree_first(&iopt->reserved_itree); node; node = next) {
		struct iopt_reserved *reserved =
			container_of(node, struct iopt_reserved, node);

		next = itree_next(node);
		if (reserved->owner != owner)
			continue;
		itree_remove(&iopt->reserved_itree, node);
		uio_free(reserved);
	}
}

/* every area must already sit on @align, else EADDRINUSE */
int iopt_check_iova_alignment(struct io_pagetable *iopt, uint64_t align)
{
	uint64_t mask = align - 1;
	struct itree_node *node;

	for (node = itree_first(&iopt->area_itree); node;
	     node = itree_next(node)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		if ((node->start & mask) || ((node->last + 1) & mask) ||
		    (area->page_offset & mask))
			return uio_fail(-EADDRINUSE,
					"the mapping at [0x%" PRIx64 ", 0x%" PRIx64
					"] is not aligned to 0x%" PRIx64,
					node->start, node->last, align);
	}
	return 0;
}

/*
 * The IOAS alignment is the largest any user of the IOAS needs: PAGE_SIZE
 * when huge pages are off (IOPTEs are whole pages), later also each
 * domain's smallest page and each access's alignment. Raising it is refused
 * while a mapping would break it.
 */
int iopt_calculate_iova_alignment(struct io_pagetable *iopt)
{
	struct iommufd_access *access;
	uint64_t new_alignment = 1;
	unsigned int i;
	int rc;

	if (iopt->disable_large_pages)
		new_alignment = PAGE_SIZE;
	for (i = 0; i < iopt->num_domains; i++) {
		uint64_t bitmap = iopt->domains[i]->pgsize_bitmap;
		uint64_t smallest = bitmap & -bitmap;

		if (smallest > new_alignment)
			new_alignment = smallest;
	}
	pthread_mutex_lock(&iopt->access_lock);
	cds_list_for_each_entry(access, &iopt->access_list, iopt_node)
		if (access->iova_alignment > new_alignment)
			new_alignment = access->iova_alignment;
	pthread_mutex_unlock(&iopt->access_lock);
	if (new_alignment > iopt->iova_alignment) {
		rc = iopt_check_iova_alignment(iopt, new_alignment);
		if (rc)
			return rc;
	}
	iopt->iova_alignment = new_alignment;
	return 0;
}

int iopt_disable_large_pages(struct io_pagetable *iopt)
{
	int rc = 0;

	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	/* domains already holding large entries cannot be redone */
	if (!iopt->disable_large_pages && iopt->num_domains &&
	    itree_first(&iopt->area_itree)) {
		rc = uio_fail(-EINVAL,
			      "the IOAS has domains with mappings: huge pages stay");
	} else if (!iopt->disable_large_pages) {
		iopt->disable_large_pages = true;
		rc = iopt_calculate_iova_alignment(iopt);
		if (rc)
			iopt->disable_large_pages = false;
	}
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	return rc;
}

void iopt_enable_large_pages(struct io_pagetable *iopt)
{
	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	iopt->disable_large_pages = false;
	/* lowering the alignment cannot fail */
	iopt_calculate_iova_alignment(iopt);
	pthread_rwlock_unlock(&iopt->iova_rwsem);
}

int iopt_add_access(struct io_pagetable *iopt, struct iommufd_access *access)
{
	int rc;

	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	pthread_mutex_lock(&iopt->access_lock);
	cds_list_add_tail(&access->iopt_node, &iopt->access_list);
	pthread_mutex_unlock(&iopt->access_lock);
	rc = iopt_calculate_iova_alignment(iopt);
	if (rc) {
		pthread_mutex_lock(&iopt->access_lock);
		cds_list_del(&access->iopt_node);
		pthread_mutex_unlock(&iopt->access_lock);
	}
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	return rc;
}

void iopt_remove_access(struct io_pagetable *iopt,
			struct iommufd_access *access)
{
	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	pthread_mutex_lock(&iopt->access_lock);
	cds_list_del(&access->iopt_node);
	pthread_mutex_unlock(&iopt->access_lock);
	/* lowering the alignment cannot fail */
	iopt_calculate_iova_alignment(iopt);
	pthread_rwlock_unlock(&iopt->iova_rwsem);
}

int iopt_check_all_file_backed(struct io_pagetable *iopt)
{
	struct itree_node *node;
	int rc = 0;

	pthread_rwlock_rdlock(&iopt->iova_rwsem);
	for (node = itree_first(&iopt->area_itree); node;
	     node = itree_next(node)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		if (area->pages->type != IOPT_ADDRESS_FILE) {
			rc = uio_fail(-EINVAL,
				      "the mapping at [0x%" PRIx64 ", 0x%" PRIx64
				      "] is not file backed",
				      node->start, node->last);
			break;
		}
	}
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	return rc;
}

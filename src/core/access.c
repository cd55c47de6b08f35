/* SPDX-License-Identifier: MIT */
/*
 * Accesses (see access.h): an object in the context's table, attached to
 * one IOAS at a time, that pins page ranges or copies through IOVAs.
 *
 * A pin walks the areas covering [iova, last] without a gap, pins each
 * area's slice of its pages (pages.c pins a page once however many pins
 * cover it) and counts itself in area->num_accesses, which makes IOAS_UNMAP
 * call back every access of the IOAS before it removes the area. A copy
 * needs no pin: it reads or writes the memory behind each area directly,
 * through the fault-tolerant user copies, so an address the program has
 * unmapped gives EFAULT, never a crash.
 *
 * Locking: access->ioas_lock, then iova_rwsem (read), then pages->mutex.
 */
#include <errno.h>
#include <inttypes.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/access.h"
#include "core/pages.h"
#include "util/overflow.h"
#include "util/page.h"
#include "util/uaccess.h"

struct iommufd_access *iommufd_access_create(struct iommufd_ctx *ictx,
					     const struct iommufd_access_ops *ops,
					     void *data)
{
	struct iommufd_object *obj;
	struct iommufd_access *access;

	obj = iommufd_object_alloc(ictx, sizeof(*access), IOMMUFD_OBJ_ACCESS);
	if (IS_ERR(obj))
		return (void *)obj;
	access = container_of(obj, struct iommufd_access, obj);
	access->ictx = ictx;
	access->ops = ops;
	access->data = data;
	access->iova_alignment = ops->needs_pin_pages ? PAGE_SIZE : 1;
	pthread_mutex_init(&access->ioas_lock, NULL);
	CDS_INIT_LIST_HEAD(&access->iopt_node);
	/* the creator holds it until iommufd_access_destroy() */
	iommufd_object_get_user(&access->obj);
	iommufd_ctx_get(ictx);
	iommufd_object_finalize(ictx, &access->obj);
	return access;
}

/*
 * Move the access to @new_ioas (or none). Caller holds ioas_lock. The
 * access is on one IOAS list at a time, so it leaves the old IOAS (after
 * its consumer dropped every pin there) before it joins the new one; if
 * joining fails it goes back to the old one, pins dropped.
 */
static int access_change_ioas(struct iommufd_access *access,
			      struct iommufd_ioas *new_ioas)
{
	struct iommufd_ioas *cur = access->ioas;
	int rc = 0;

	if (cur == new_ioas)
		return 0;
	if (cur) {
		if (access->ops->unmap) {
			pthread_mutex_unlock(&access->ioas_lock);
			access->ops->unmap(access->data, 0, UINT64_MAX);
			pthread_mutex_lock(&access->ioas_lock);
		}
		iopt_remove_access(&cur->iopt, access);
	}
	if (new_ioas) {
		rc = iopt_add_access(&new_ioas->iopt, access);
		if (rc) {
			/* it was there a moment ago: the alignment fits */
			if (cur)
				iopt_add_access(&cur->iopt, access);
			return rc;
		}
		iommufd_object_get_user(&new_ioas->obj);
	}
	if (cur)
		iommufd_object_put_user(&cur->obj);
	access->ioas = new_ioas;
	return 0;
}

static int access_change_ioas_id(struct iommufd_access *access, uint32_t id)
{
	struct iommufd_ioas *ioas = iommufd_get_ioas(access->ictx, id);
	int rc;

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	rc = access_change_ioas(access, ioas);
	iommufd_put_object(access->ictx, &ioas->obj);
	return rc;
}

int iommufd_access_attach(struct iommufd_access *access, uint32_t ioas_id)
{
	int rc;

	pthread_mutex_lock(&access->ioas_lock);
	if (access->ioas)
		rc = uio_fail(-EINVAL, "the access is already attached");
	else
		rc = access_change_ioas_id(access, ioas_id);
	pthread_mutex_unlock(&access->ioas_lock);
	return rc;
}

int iommufd_access_replace(struct iommufd_access *access, uint32_t ioas_id)
{
	int rc;

	pthread_mutex_lock(&access->ioas_lock);
	if (!access->ioas)
		rc = uio_fail(-ENOENT, "the access is not attached");
	else
		rc = access_change_ioas_id(access, ioas_id);
	pthread_mutex_unlock(&access->ioas_lock);
	return rc;
}

void iommufd_access_destroy_object(struct iommufd_object *obj)
{
	struct iommufd_access *access =
		container_of(obj, struct iommufd_access, obj);

	pthread_mutex_lock(&access->ioas_lock);
	access_change_ioas(access, NULL);
	pthread_mutex_unlock(&access->ioas_lock);
	pthread_mutex_destroy(&access->ioas_lock);
	iommufd_ctx_put(access->ictx);
}

void iommufd_access_destroy(struct iommufd_access *access)
{
	iommufd_object_destroy_user(access->ictx, &access->obj);
}

/* the area holding @iova, if it starts the contiguous walk at @iova */
static struct iopt_area *contig_area(struct io_pagetable *iopt, uint64_t iova,
				     uint64_t last)
{
	struct itree_node *node = itree_iter_first(&iopt->area_itree, iova, last);

	if (!node || node->start > iova)
		return NULL;
	return container_of(node, struct iopt_area, node);
}

static bool check_area_prot(const struct iopt_area *area, unsigned int flags)
{
	if (flags & IOMMUFD_ACCESS_RW_WRITE)
		return area->iommu_prot & IOMMU_WRITE;
	return area->iommu_prot & IOMMU_READ;
}

/* unpin the whole areas walked from @iova to @last (caller holds locks) */
static void unpin_range(struct io_pagetable *iopt, uint64_t iova,
			uint64_t last)
{
	uint64_t cur = iova;
	struct iopt_area *area;

	while ((area = contig_area(iopt, cur, last))) {
		uint64_t end = last < area->node.last ? last : area->node.last;

		iopt_pages_remove_access(
			area->pages,
			iopt_area_start_byte(area, cur) / PAGE_SIZE,
			iopt_area_start_byte(area, end) / PAGE_SIZE);
		__atomic_fetch_sub(&area->num_accesses, 1, __ATOMIC_RELAXED);
		if (end == last)
			break;
		cur = end + 1;
	}
}

/*
 * Check [iova, iova + length) and lock the attached IOAS for a walk:
 * returns its io_pagetable with ioas_lock held and iova_rwsem read-held
 * (the caller unlocks both), or ERR_PTR with nothing held.
 */
static struct io_pagetable *access_lock_range(struct iommufd_access *access,
					      uint64_t iova, uint64_t length,
					      uint64_t *ret_last)
{
	struct io_pagetable *iopt;

	if (!length)
		return ERR_PTR(uio_fail(-EINVAL, "length is 0"));
	if (check_add_overflow(iova, length - 1, ret_last))
		return ERR_PTR(uio_fail(-EOVERFLOW, "iova + length wraps"));
	pthread_mutex_lock(&access->ioas_lock);
	if (!access->ioas) {
		pthread_mutex_unlock(&access->ioas_lock);
		return ERR_PTR(uio_fail(-ENOENT, "the access is not attached"));
	}
	iopt = &access->ioas->iopt;
	pthread_rwlock_rdlock(&iopt->iova_rwsem);
	return iopt;
}

int iommufd_access_pin_pages(struct iommufd_access *access, uint64_t iova,
			     uint64_t length, uintptr_t *out_va,
			     unsigned int flags)
{
	struct io_pagetable *iopt;
	struct iopt_area *area;
	uint64_t last, cur;
	int rc = 0;

	if (access->iova_alignment != PAGE_SIZE || !access->ops->unmap)
		return uio_fail(-EINVAL, "this access cannot pin pages");
	iopt = access_lock_range(access, iova, length, &last);
	if (IS_ERR(iopt))
		return PTR_ERR(iopt);
	for (cur = iova; (area = contig_area(iopt, cur, last));) {
		uint64_t end = last < area->node.last ? last : area->node.last;
		uint64_t index = iopt_area_start_byte(area, cur) / PAGE_SIZE;
		uint64_t last_index = iopt_area_start_byte(area, end) / PAGE_SIZE;
		uint64_t i;

		/* the walk must begin and (between areas) end on page edges */
		if (area->prevent_access ||
		    iopt_area_start_byte(area, cur) % PAGE_SIZE ||
		    (end != last &&
		     iopt_area_start_byte(area, end) % PAGE_SIZE !=
			     PAGE_SIZE - 1)) {
			rc = uio_fail(-EINVAL,
				      "iova 0x%" PRIx64
				      " is not page aligned in its mapping or is being unmapped",
				      cur);
			break;
		}
		if (!check_area_prot(area, flags)) {
			rc = uio_fail(-EPERM,
				      "the mapping at 0x%" PRIx64
				      " does not allow this access",
				      cur);
			break;
		}
		rc = iopt_pages_add_access(area->pages, index, last_index);
		if (rc)
			break;
		__atomic_fetch_add(&area->num_accesses, 1, __ATOMIC_RELAXED);
		for (i = index; i <= last_index; i++)
			*out_va++ = iopt_pages_index_va(area->pages, i);
		if (end == last) {
			cur = last;
			goto out_unlock;
		}
		cur = end + 1;
	}
	if (!rc)
		rc = uio_fail(-ENOENT, "iova 0x%" PRIx64 " is not mapped", cur);
	if (cur > iova)
		unpin_range(iopt, iova, cur - 1);
out_unlock:
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	pthread_mutex_unlock(&access->ioas_lock);
	return rc;
}

void iommufd_access_unpin_pages(struct iommufd_access *access, uint64_t iova,
				uint64_t length)
{
	struct io_pagetable *iopt;
	uint64_t last;

	if (!length || check_add_overflow(iova, length - 1, &last))
		return;
	pthread_mutex_lock(&access->ioas_lock);
	if (access->ioas) {
		iopt = &access->ioas->iopt;
		pthread_rwlock_rdlock(&iopt->iova_rwsem);
		unpin_range(iopt, iova, last);
		pthread_rwlock_unlock(&iopt->iova_rwsem);
	}
	pthread_mutex_unlock(&access->ioas_lock);
}

/* copy between @data and the memory of @pages at @start_byte */
static int pages_rw(struct iopt_pages *pages, uint64_t start_byte, void *data,
		    uint64_t length, unsigned int flags)
{
	/* as in the kernel, accesses do not reach dma-buf memory */
	if (pages->type == IOPT_ADDRESS_DMABUF)
		return uio_fail(-EINVAL, "dma-buf memory cannot be accessed");
	if (pages->type == IOPT_ADDRESS_USER) {
		void *va = (char *)pages->uptr + start_byte;

		if (flags & IOMMUFD_ACCESS_RW_WRITE ?
			    copy_to_user(va, data, length) :
			    copy_from_user(data, va, length))
			return uio_fail(-EFAULT,
					"the memory at %p is no longer mapped",
					va);
		return 0;
	}
	while (length) {
		long n = syscall(flags & IOMMUFD_ACCESS_RW_WRITE ?
					 SYS_pwrite64 :
					 SYS_pread64,
				 pages->fd, data, length,
				 pages->start + start_byte);

		if (n <= 0)
			return uio_fail(-EFAULT,
					"the file behind the mapping is too short");
		data = (char *)data + n;
		length -= n;
		start_byte += n;
	}
	return 0;
}

int iommufd_access_rw(struct iommufd_access *access, uint64_t iova,
		      void *data, uint64_t length, unsigned int flags)
{
	struct io_pagetable *iopt;
	struct iopt_area *area;
	uint64_t last, cur;
	int rc = 0;

	iopt = access_lock_range(access, iova, length, &last);
	if (IS_ERR(iopt))
		return PTR_ERR(iopt);
	for (cur = iova; (area = contig_area(iopt, cur, last));) {
		uint64_t end = last < area->node.last ? last : area->node.last;
		uint64_t bytes = end - cur + 1;

		if (area->prevent_access) {
			rc = uio_fail(-EINVAL, "iova 0x%" PRIx64
					       " is being unmapped", cur);
			goto out_unlock;
		}
		if (!check_area_prot(area, flags)) {
			rc = uio_fail(-EPERM,
				      "the mapping at 0x%" PRIx64
				      " does not allow this access",
				      cur);
			goto out_unlock;
		}
		rc = pages_rw(area->pages, iopt_area_start_byte(area, cur),
			      data, bytes, flags);
		if (rc)
			goto out_unlock;
		data = (char *)data + bytes;
		if (end == last)
			goto out_unlock;
		cur = end + 1;
	}
	rc = uio_fail(-ENOENT, "iova 0x%" PRIx64 " is not mapped", cur);
out_unlock:
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	pthread_mutex_unlock(&access->ioas_lock);
	return rc;
}

void iommufd_access_notify_unmap(struct io_pagetable *iopt, uint64_t iova,
				 uint64_t length)
{
	struct iommufd_access *access, *held = NULL;

	/* call each access without the list lock; a user reference keeps it */
	pthread_mutex_lock(&iopt->access_lock);
	cds_list_for_each_entry(access, &iopt->access_list, iopt_node) {
		iommufd_object_get_user(&access->obj);
		pthread_mutex_unlock(&iopt->access_lock);
		if (held)
			iommufd_object_put_user(&held->obj);
		if (access->ops->unmap)
			access->ops->unmap(access->data, iova, length);
		held = access;
		pthread_mutex_lock(&iopt->access_lock);
	}
	pthread_mutex_unlock(&iopt->access_lock);
	if (held)
		iommufd_object_put_user(&held->obj);
}

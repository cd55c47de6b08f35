/* SPDX-License-Identifier: MIT */
/*
 * Nested domains: what every model's stage-1 domain shares.
 *
 * In the kernel a nested domain is the driver's: a guest-owned stage-1
 * table (a VT-d first-stage pointer, an SMMUv3 vSTE's context descriptors,
 * an AMD guest DTE) that the hardware walks, reading each table through the
 * nesting parent's stage-2 translation, and whose caches the guest
 * invalidates in the hardware's own format. Here a nested domain is a
 * struct uio_domain of kind NESTED with no pt of its own: the model's
 * translate() walks the guest tables with uio_domain_read_s2(), and the DMA
 * path (dev/) then translates the stage-1 output through the parent.
 *
 * Cached translations. A device caches the combined (stage 1 + stage 2)
 * translation tagged with the nested domain's iotlb_gen. The guest's
 * invalidation makes it stale (the model calls uio_domain_iotlb_flush() on
 * the nested domain), and so must every unmap of the parent: the hardware's
 * stage-2 invalidation (by domain id / VMID) also drops combined entries.
 * So a parent keeps the list of its children and its flush bumps theirs.
 * The DMA path marks the parent dma_seen when it walks a child, so the
 * parent's grace period covers DMAs through children too.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "hw/hw.h"
#include "pt/pt.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/fixup_copy.h"
#include "util/page.h"
#include "util/reason.h"
#include "util/uaccess.h"

/* guards every parent's children array (nested allocation is rare) */
static pthread_mutex_t children_lock = PTHREAD_MUTEX_INITIALIZER;

static int children_add(struct uio_domain *parent, struct uio_domain *child)
{
	struct uio_domain **arr;
	unsigned int n;

	pthread_mutex_lock(&children_lock);
	n = atomic_load(&parent->nr_children);
	if (n == parent->max_children) {
		unsigned int max = parent->max_children ?
					   2 * parent->max_children : 4;

		arr = uio_realloc(parent->children, max * sizeof(*arr));
		if (!arr) {
			pthread_mutex_unlock(&children_lock);
			return -ENOMEM;
		}
		parent->children = arr;
		parent->max_children = max;
	}
	parent->children[n] = child;
	atomic_store(&parent->nr_children, n + 1);
	pthread_mutex_unlock(&children_lock);
	return 0;
}

void uio_domain_children_remove(struct uio_domain *child)
{
	struct uio_domain *parent = child->parent;
	unsigned int i, n;

	pthread_mutex_lock(&children_lock);
	n = atomic_load(&parent->nr_children);
	for (i = 0; i < n; i++) {
		if (parent->children[i] != child)
			continue;
		parent->children[i] = parent->children[n - 1];
		atomic_store(&parent->nr_children, n - 1);
		break;
	}
	pthread_mutex_unlock(&children_lock);
}

void uio_domain_children_flush(struct uio_domain *parent)
{
	unsigned int i, n;

	pthread_mutex_lock(&children_lock);
	n = atomic_load(&parent->nr_children);
	for (i = 0; i < n; i++)
		atomic_fetch_add_explicit(&parent->children[i]->iotlb_gen, 1,
					  memory_order_release);
	pthread_mutex_unlock(&children_lock);
}

struct uio_domain *uio_domain_alloc_nested(const struct uio_hw_model *model,
					   struct uio_domain *parent,
					   const struct uio_nested_ops *ops)
{
	struct uio_domain *domain;

	if (parent->kind != UIO_DOMAIN_PAGING)
		return ERR_PTR(uio_fail(-EINVAL,
					"%s: a nested domain's parent must be a paging domain",
					model->name));
	domain = uio_zalloc(sizeof(*domain));
	if (!domain)
		return ERR_PTR(-ENOMEM);
	domain->model = model;
	domain->instance = parent->instance;
	domain->kind = UIO_DOMAIN_NESTED;
	domain->parent = parent;
	domain->nested_ops = ops;
	domain->pgsize_bitmap = parent->pgsize_bitmap;
	domain->leaf_pgsize_bitmap = parent->leaf_pgsize_bitmap;
	domain->aperture_start = 0;
	domain->aperture_last = UINT64_MAX;
	/*
	 * The DMA path's cue (dev/iotlb.h): a cached combined entry without
	 * IOTLB_DIRTY_DONE takes the slow path, which marks the parent's
	 * stage-2 leaf if the parent tracks dirty pages. Stage 1 itself
	 * tracks nothing (the domain is not DIRTY_CAPABLE).
	 */
	atomic_store(&domain->dirty_tracking, true);
	if (children_add(parent, domain)) {
		uio_free(domain);
		return ERR_PTR(-ENOMEM);
	}
	return domain;
}

int uio_domain_read_s2(struct uio_domain *s2, uint64_t ipa, void *buf,
		       size_t len)
{
	uint8_t *dst = buf;

	while (len) {
		struct pt_leaf leaf;
		uint64_t in_leaf, n, hva;

		if (pt_lookup(s2->pt, ipa, &leaf) ||
		    !(leaf.prot & PT_PROT_READ))
			return -EFAULT;
		hva = leaf.oa;
		in_leaf = (leaf.leaf_iova + (1ULL << leaf.pgsize_lg2)) - ipa;
		n = len < in_leaf ? len : in_leaf;
		if (uio_fixup_copy(dst, (const void *)(uintptr_t)hva, n))
			return -EFAULT;
		dst += n;
		ipa += n;
		len -= n;
	}
	return 0;
}

int uio_hw_user_array_get(const struct uio_hw_user_array *arr, uint32_t type,
			  uint32_t index, void *dst, size_t dst_len,
			  size_t min_len)
{
	const uint8_t *src;
	uint64_t off;

	if (arr->type != type)
		return uio_fail(-EINVAL, "data_type %u where %u was expected",
				arr->type, type);
	if (arr->entry_len < min_len)
		return uio_fail(-EINVAL, "entry_len %u is below the minimum %zu",
				arr->entry_len, min_len);
	off = (uint64_t)index * arr->entry_len;
	src = u64_to_user_ptr(arr->uptr + off);
	memset(dst, 0, dst_len);
	if (copy_from_user(dst, src,
			   arr->entry_len < dst_len ? arr->entry_len : dst_len))
		return uio_fail(-EFAULT, "entry %u at 0x%llx cannot be read",
				index, (unsigned long long)(arr->uptr + off));
	if (arr->entry_len > dst_len) {
		int rc = user_range_is_zero(src + dst_len,
					    arr->entry_len - dst_len);

		if (rc < 0)
			return uio_fail(rc, "entry %u cannot be read", index);
		if (rc)
			return uio_fail(-E2BIG,
					"entry %u: bytes beyond the known %zu are not 0",
					index, dst_len);
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * VFIO compatibility: the VFIO type1 container served on the iommufd fd.
 *
 * A program written for /dev/vfio/vfio (QEMU's legacy backend, DPDK, SPDK)
 * issues VFIO_GET_API_VERSION, VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU and the
 * VFIO_IOMMU_{GET_INFO,MAP_DMA,UNMAP_DMA} ioctls on its container. The
 * container's ABI has no IOAS ids, so a context designates one IOAS as "the"
 * compat IOAS (IOMMU_VFIO_IOAS SET, or automatically when a VFIO group is
 * attached); every container ioctl works on it and fails with ENODEV when
 * there is none. The dispatcher (main.c) sends here every ioctl whose _IOC_NR
 * lies outside the iommufd range; what this file does not know is ENOTTY.
 *
 * This file is an adapter: it parses the VFIO structs (argsz first, then
 * flags, both EINVAL) and calls the io_pagetable. Nothing is remembered per
 * container: VFIO_SET_IOMMU with TYPE1 (v1) only turns huge pages off for the
 * IOAS (iopt_disable_large_pages()), and it is that IOAS state, however it
 * was set (IOMMU_OPTION HUGE_PAGES=0 does the same), that lets UNMAP_DMA cut
 * mappings: v1 may unmap part of a mapping, v2 may not (ENOENT). Without
 * huge IOPTEs every page can be unmapped alone, so cutting an area in two is
 * always safe.
 *
 * VFIO_IOMMU_GET_INFO answers the page sizes and a chain of capabilities
 * after the fixed struct: DMA_AVAIL, then IOVA_RANGE (the holes of the
 * IOAS's reserved ranges, as IOMMU_IOAS_IOVA_RANGES reports them). Each
 * capability starts on an 8-byte boundary. The chain is written straight into
 * the caller's buffer, only as far as its argsz reaches; argsz comes back as
 * the size the whole chain needs, and cap_offset is set only when all of it
 * fitted. VFIO_IOMMU_INFO_CAPS is always set.
 *
 * Vocabulary: "arg" is the caller's pointer (any value: every access goes
 * through copy_{from,to}_user and address arithmetic is done on integers);
 * for VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU it is not a pointer but the
 * extension or IOMMU type number.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "core/iommufd_private.h"
#include "hw/hw.h"
#include "util/page.h"
#include "util/span_iter.h"
#include "util/uaccess.h"

/* Renamed __VFIO_RESERVED_TYPE1_NESTING_IOMMU in newer headers; obsolete. */
#define VFIO_TYPE1_NESTING_IOMMU_NR 6

/*
 * The kernel answers VFIO_NOIOMMU_IOMMU from its build configuration
 * (CONFIG_VFIO_NOIOMMU); distribution kernels enable it, so do we. A context
 * only enters no-IOMMU mode when a no-IOMMU VFIO device is bound to it, which
 * cannot happen here: selecting VFIO_NOIOMMU_IOMMU is therefore EINVAL, and
 * the type1 extensions are always offered.
 */
#define VFIO_COMPAT_NOIOMMU_BUILT 1

/*
 * The compat IOAS, held for this call (iommufd_put_object() when done), or
 * ENODEV. ictx->vfio_ioas is a weak pointer: destroying the IOAS clears it
 * under ictx->lock, so an IOAS seen here under that lock is alive.
 */
static struct iommufd_ioas *get_compat_ioas(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas;

	pthread_mutex_lock(&ictx->lock);
	ioas = ictx->vfio_ioas;
	if (ioas) {
		atomic_fetch_add(&ioas->obj.shortterm_users, 1);
		atomic_fetch_add(&ioas->obj.users, 1);
	}
	pthread_mutex_unlock(&ictx->lock);
	if (!ioas)
		return ERR_PTR(uio_fail(-ENODEV,
					"no compat IOAS (set one with IOMMU_VFIO_IOAS)"));
	return ioas;
}

int iommufd_vfio_ioas_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_ioas *ioas;

	if (cmd->__reserved)
		return uio_fail(-EOPNOTSUPP, "__reserved is not 0");
	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		ioas = get_compat_ioas(ictx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		cmd->ioas_id = ioas->obj.id;
		iommufd_put_object(ictx, &ioas->obj);
		return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		ioas = iommufd_get_ioas(ictx, cmd->ioas_id);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		pthread_mutex_lock(&ictx->lock);
		ictx->vfio_ioas = ioas;
		pthread_mutex_unlock(&ictx->lock);
		iommufd_put_object(ictx, &ioas->obj);
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		pthread_mutex_lock(&ictx->lock);
		ictx->vfio_ioas = NULL;
		pthread_mutex_unlock(&ictx->lock);
		return 0;
	default:
		return uio_fail(-EOPNOTSUPP, "op %u unknown", cmd->op);
	}
}

/* ---- VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU ---- */

/*
 * VFIO_DMA_CC_IOMMU: 1 when every paging domain of the compat IOAS enforces
 * cache coherency (so with no domain at all), else 0; ENODEV without a
 * compat IOAS. The domains an IOAS fills are the ones that matter: a domain
 * that does not enforce coherency lets the device snoop-bypass into them.
 */
static int vfio_cc_iommu(struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas = get_compat_ioas(ictx);
	unsigned int i;
	int rc = 1;

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	pthread_rwlock_rdlock(&ioas->iopt.iova_rwsem);
	for (i = 0; i != ioas->iopt.num_domains; i++) {
		if (!(ioas->iopt.domains[i]->flags & UIO_DOMAIN_COHERENT)) {
			rc = 0;
			break;
		}
	}
	pthread_rwlock_unlock(&ioas->iopt.iova_rwsem);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

static long vfio_check_extension(struct iommufd_ctx *ictx, unsigned long type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_NOIOMMU_IOMMU:
		return VFIO_COMPAT_NOIOMMU_BUILT;
	case VFIO_DMA_CC_IOMMU:
		return vfio_cc_iommu(ictx);
	case VFIO_TYPE1_NESTING_IOMMU_NR:
		/* obsolete, never offered */
		return 0;
	case VFIO_UPDATE_VADDR:
		/* VFIO_DMA_MAP_FLAG_VADDR: not offered, as in the kernel */
	default:
		return 0;
	}
}

static long vfio_set_iommu(struct iommufd_ctx *ictx, unsigned long type)
{
	struct iommufd_ioas *ioas;
	int rc = 0;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return uio_fail(-EINVAL,
				"IOMMU type %lu: only VFIO_TYPE1_IOMMU (1) and VFIO_TYPE1v2_IOMMU (3) are served",
				type);
	/* VFIO refuses SET_IOMMU on a container without a group */
	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/* v1 may unmap inside a mapping: only PAGE_SIZE IOPTEs from now on */
	if (type == VFIO_TYPE1_IOMMU)
		rc = iopt_disable_large_pages(&ioas->iopt);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/* ---- VFIO_IOMMU_GET_INFO ---- */

/*
 * A capability filler writes its capability at user address @ucap when it
 * fits in @avail bytes (writes nothing otherwise) and returns the size it
 * needs, or -errno.
 */
typedef int (*vfio_fill_cap_fn)(struct iommufd_ioas *ioas, uintptr_t ucap,
				size_t avail);

static int vfio_fill_cap_dma_avail(struct iommufd_ioas *ioas, uintptr_t ucap,
				   size_t avail)
{
	struct vfio_iommu_type1_info_dma_avail cap = {
		.header = {
			.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
			.version = 1,
		},
		/*
		 * Mappings are limited by memory (RLIMIT_MEMLOCK), not by
		 * count; the kernel answers the largest value rather than
		 * type1's 65535 because s390 QEMU sizes its work by it.
		 */
		.avail = UINT32_MAX,
	};

	(void)ioas;
	if (avail >= sizeof(cap) &&
	    copy_to_user(u64_to_user_ptr(ucap), &cap, sizeof(cap)))
		return uio_fail(-EFAULT,
				"cannot write the DMA_AVAIL capability at 0x%" PRIxPTR,
				ucap);
	return sizeof(cap);
}

static size_t cap_iova_size(uint64_t nr)
{
	return sizeof(struct vfio_iommu_type1_info_cap_iova_range) +
	       nr * sizeof(struct vfio_iova_range);
}

/* Caller holds iova_rwsem for read. */
static int vfio_fill_cap_iova(struct iommufd_ioas *ioas, uintptr_t ucap,
			      size_t avail)
{
	struct vfio_iommu_type1_info_cap_iova_range cap = {
		.header = {
			.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
			.version = 1,
		},
	};
	uintptr_t uranges =
		ucap + offsetof(struct vfio_iommu_type1_info_cap_iova_range,
				iova_ranges);
	struct span_iter span;

	for (span_iter_first(&span, &ioas->iopt.reserved_itree, 0, UINT64_MAX);
	     !span_iter_done(&span); span_iter_next(&span)) {
		struct vfio_iova_range range;

		if (!span.is_hole)
			continue;
		range.start = span.start_hole;
		range.end = span.last_hole;
		if (avail >= cap_iova_size((uint64_t)cap.nr_iovas + 1) &&
		    copy_to_user(u64_to_user_ptr(uranges +
						 cap.nr_iovas * sizeof(range)),
				 &range, sizeof(range)))
			return uio_fail(-EFAULT,
					"cannot write iova_ranges[%u] at 0x%" PRIxPTR,
					cap.nr_iovas, ucap);
		cap.nr_iovas++;
	}
	/* holes and reserved ranges alternate: a count this large needs
	 * ~2^27 reserved ranges, more than any caller can have */
	if (cap_iova_size(cap.nr_iovas) > INT32_MAX)
		return uio_fail(-EOVERFLOW, "%u IOVA ranges do not fit",
				cap.nr_iovas);
	if (avail >= cap_iova_size(cap.nr_iovas) &&
	    copy_to_user(u64_to_user_ptr(ucap), &cap, sizeof(cap)))
		return uio_fail(-EFAULT,
				"cannot write the IOVA_RANGE capability at 0x%" PRIxPTR,
				ucap);
	return (int)cap_iova_size(cap.nr_iovas);
}

/*
 * The page sizes a mapping may use: the sizes every domain of the IOAS
 * supports, never below PAGE_SIZE (smaller sizes are folded into PAGE_SIZE,
 * as type1 does) nor below the IOAS alignment. With no domain attached
 * every size from PAGE_SIZE up. Caller holds iova_rwsem (it guards the
 * domain array).
 */
static uint64_t vfio_pgsizes(struct iommufd_ioas *ioas)
{
	uint64_t pgsizes = UINT64_MAX;
	unsigned int i;

	for (i = 0; i != ioas->iopt.num_domains; i++)
		pgsizes &= ioas->iopt.domains[i]->pgsize_bitmap;
	if (pgsizes & (PAGE_SIZE - 1)) {
		pgsizes &= ~(uint64_t)(PAGE_SIZE - 1);
		pgsizes |= PAGE_SIZE;
	}
	if (pgsizes < ioas->iopt.iova_alignment)
		pgsizes = ioas->iopt.iova_alignment;
	return pgsizes;
}

static long vfio_iommu_get_info(struct iommufd_ctx *ictx, void *arg)
{
	static const vfio_fill_cap_fn fill_fns[] = {
		vfio_fill_cap_dma_avail,
		vfio_fill_cap_iova,
	};
	const size_t minsz =
		offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	struct vfio_iommu_type1_info info;
	uintptr_t uarg = (uintptr_t)arg;
	uintptr_t last_cap = 0;
	struct iommufd_ioas *ioas;
	size_t total, outsz;
	unsigned int i;
	int rc = 0;

	memset(&info, 0, sizeof(info));
	rc = copy_argsz_struct_from_user(&info, arg, minsz);
	if (rc)
		return rc;
	/* an older caller's struct may end before cap_offset */
	outsz = info.argsz < sizeof(info) ? info.argsz : sizeof(info);

	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	pthread_rwlock_rdlock(&ioas->iopt.iova_rwsem);
	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = vfio_pgsizes(ioas);
	info.cap_offset = 0;

	total = sizeof(info);
	for (i = 0; i != ARRAY_SIZE(fill_fns); i++) {
		int cap_size;

		if (info.argsz > total)
			cap_size = fill_fns[i](ioas, uarg + total,
					       info.argsz - total);
		else
			cap_size = fill_fns[i](ioas, 0, 0);
		if (cap_size < 0) {
			rc = cap_size;
			goto out_unlock;
		}
		/* the next capability starts 8-byte aligned */
		cap_size = (cap_size + 7) & ~7;
		/* link the previous capability to this one if it was written */
		if (last_cap && info.argsz >= total) {
			uint32_t next = (uint32_t)total;

			if (copy_to_user(u64_to_user_ptr(
						 last_cap +
						 offsetof(struct vfio_info_cap_header,
							  next)),
					 &next, sizeof(next))) {
				rc = uio_fail(-EFAULT,
					      "cannot link capabilities at 0x%" PRIxPTR,
					      last_cap);
				goto out_unlock;
			}
		}
		last_cap = uarg + total;
		total += cap_size;
	}

	/* if the chain did not fit, argsz says how much room it needs */
	if (info.argsz >= total)
		info.cap_offset = sizeof(info);
	info.argsz = (uint32_t)total;
	info.flags |= VFIO_IOMMU_INFO_CAPS;
	if (copy_to_user(arg, &info, outsz))
		rc = uio_fail(-EFAULT, "cannot write the reply to %p", arg);
out_unlock:
	pthread_rwlock_unlock(&ioas->iopt.iova_rwsem);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/* ---- VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA ---- */

static long vfio_map_dma(struct iommufd_ctx *ictx, void *arg)
{
	const uint32_t supported_flags =
		VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	const size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct vfio_iommu_type1_dma_map map;
	/* type1 mappings are always cache coherent */
	int iommu_prot = IOMMU_CACHE;
	struct iommufd_ioas *ioas;
	uint64_t iova;
	int rc;

	rc = copy_argsz_struct_from_user(&map, arg, minsz);
	if (rc)
		return rc;
	if (map.flags & ~supported_flags)
		return uio_fail(-EINVAL, "flags 0x%x unknown",
				map.flags & ~supported_flags);
	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		iommu_prot |= IOMMU_READ;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		iommu_prot |= IOMMU_WRITE;

	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/* always at the caller's IOVA: type1 has no IOVA allocation */
	iova = map.iova;
	rc = iopt_map_user_pages(ictx, &ioas->iopt, &iova,
				 u64_to_user_ptr(map.vaddr), map.size,
				 iommu_prot, 0);
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

/* Is anything mapped in [iova, iova + length - 1]? (length != 0, no wrap) */
static bool vfio_range_has_area(struct io_pagetable *iopt, uint64_t iova,
				uint64_t length)
{
	bool found;

	pthread_rwlock_rdlock(&iopt->iova_rwsem);
	found = itree_iter_first(&iopt->area_itree, iova, iova + length - 1);
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	return found;
}

static long vfio_unmap_dma(struct iommufd_ctx *ictx, void *arg)
{
	/* GET_DIRTY_BITMAP (dirty tracking moved to HWPTs) and VADDR are not
	 * served, as in the kernel */
	const uint32_t supported_flags = VFIO_DMA_UNMAP_FLAG_ALL;
	const size_t minsz =
		offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	struct vfio_iommu_type1_dma_unmap unmap;
	struct iommufd_ioas *ioas;
	uint64_t unmapped = 0;
	int rc;

	rc = copy_argsz_struct_from_user(&unmap, arg, minsz);
	if (rc)
		return rc;
	if (unmap.flags & ~supported_flags)
		return uio_fail(-EINVAL, "flags 0x%x unknown",
				unmap.flags & ~supported_flags);

	ioas = get_compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova || unmap.size) {
			rc = uio_fail(-EINVAL,
				      "UNMAP_ALL with iova 0x%llx size 0x%llx (both must be 0)",
				      (unsigned long long)unmap.iova,
				      (unsigned long long)unmap.size);
			goto out_put;
		}
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
	} else {
		bool no_huge;

		pthread_rwlock_rdlock(&ioas->iopt.iova_rwsem);
		no_huge = ioas->iopt.disable_large_pages;
		pthread_rwlock_unlock(&ioas->iopt.iova_rwsem);
		if (no_huge) {
			/*
			 * Only PAGE_SIZE IOPTEs (type1 v1): make the range's
			 * edges area edges, so the unmap below meets whole
			 * areas. The arithmetic wraps as the kernel's does; a
			 * range that wraps is then refused by the unmap. With
			 * iova 0 there is nothing before the range to cut.
			 */
			uint64_t cuts[] = { unmap.iova + unmap.size - 1,
					    unmap.iova - 1 };

			rc = iopt_cut_iova(&ioas->iopt, cuts,
					   unmap.iova ? 2 : 1);
			if (rc)
				goto out_put;
		}
		rc = iopt_unmap_iova(&ioas->iopt, unmap.iova, unmap.size,
				     &unmapped);
		/*
		 * type1 unmaps an empty range successfully, and so does the
		 * kernel's compat layer since 2025 (IOMMU_IOAS_UNMAP keeps
		 * ENOENT). Our io_pagetable answers ENOENT for both "nothing
		 * there" and "would cut a mapping"; tell them apart here. A
		 * map racing in between is ordered after this unmap.
		 */
		if (rc == -ENOENT && !unmapped &&
		    !vfio_range_has_area(&ioas->iopt, unmap.iova, unmap.size)) {
			uio_reason_clear();
			rc = 0;
		}
	}
	/* the unmapped size goes back even when the unmap stopped half way */
	unmap.size = unmapped;
	if (copy_to_user(arg, &unmap, minsz))
		rc = uio_fail(-EFAULT, "cannot write the reply to %p", arg);
out_put:
	iommufd_put_object(ictx, &ioas->obj);
	return rc;
}

long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, void *arg)
{
	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return vfio_check_extension(ictx, (uintptr_t)arg);
	case VFIO_SET_IOMMU:
		return vfio_set_iommu(ictx, (uintptr_t)arg);
	case VFIO_IOMMU_GET_INFO:
		return vfio_iommu_get_info(ictx, arg);
	case VFIO_IOMMU_MAP_DMA:
		return vfio_map_dma(ictx, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return vfio_unmap_dma(ictx, arg);
	case VFIO_IOMMU_DIRTY_PAGES:
		return uio_fail(-ENOTTY,
				"VFIO_IOMMU_DIRTY_PAGES is not served (use IOMMU_HWPT_GET_DIRTY_BITMAP)");
	default:
		return uio_fail(-ENOTTY,
				"ioctl 0x%x is neither an iommufd nor a VFIO container command",
				cmd);
	}
}

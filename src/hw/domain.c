/* SPDX-License-Identifier: MIT */
/*
 * Paging domains: the operations every model shares.
 *
 * In the kernel each driver wires its own iommu_domain_ops; with generic page
 * tables most of them are the same few calls into the table code. Here every
 * model's domain is a pt table, so one set of functions serves them all and a
 * model only chooses the format, levels, page sizes, aperture and flags.
 *
 * Physical contiguity. The kernel maps the largest page the physical layout
 * of the pinned memory allows. Our output addresses are host virtual
 * addresses, so contiguity is that of the virtual range: an area of user
 * memory is one contiguous run, and large leaves are used wherever the IOVA
 * and the host address are both aligned. A model whose hardware should see
 * only small pages (the selftest mock's default format) limits
 * leaf_pgsize_bitmap instead.
 *
 * Invalidation. pt_unmap() makes the table forget the range; the domain then
 * bumps iotlb_gen so cached translations in devices (dev/) go stale, and if
 * any device has translated through this domain, waits for an RCU grace
 * period: a DMA that translated before the bump has finished when unmap
 * returns (DMA runs inside urcu_memb_read_lock()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include <linux/iommufd.h>

#include "core/io_pagetable.h"
#include "hw/hw.h"
#include "pt/pt.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/page.h"
#include "util/reason.h"

struct uio_domain *uio_domain_alloc(const struct uio_hw_model *model,
				    const struct pt_format *fmt,
				    unsigned int levels, unsigned int pt_flags)
{
	struct uio_domain *domain;
	struct pt_table *pt;

	domain = uio_zalloc(sizeof(*domain));
	if (!domain)
		return ERR_PTR(-ENOMEM);
	pt = pt_alloc_flags(fmt, levels, pt_flags);
	if (IS_ERR(pt)) {
		uio_free(domain);
		return (void *)pt;
	}
	domain->model = model;
	domain->pt = pt;
	domain->pgsize_bitmap = pt_table_pgsize_bitmap(pt);
	domain->leaf_pgsize_bitmap = domain->pgsize_bitmap;
	domain->aperture_start = 0;
	domain->aperture_last = pt_table_va_lg2(pt) >= 64 ?
					UINT64_MAX :
					(1ULL << pt_table_va_lg2(pt)) - 1;
	return domain;
}

void uio_domain_free(struct uio_domain *domain)
{
	if (!domain)
		return;
	if (domain->model_free)
		domain->model_free(domain);
	if (domain->kind == UIO_DOMAIN_NESTED)
		uio_domain_children_remove(domain);
	else
		pt_free(domain->pt);
	uio_free(domain->children);
	uio_free(domain);
}

unsigned int uio_domain_prot(int iommu_prot)
{
	return ((iommu_prot & IOMMU_READ) ? PT_PROT_READ : 0) |
	       ((iommu_prot & IOMMU_WRITE) ? PT_PROT_WRITE : 0) |
	       ((iommu_prot & IOMMU_CACHE) ? PT_PROT_CACHE : 0);
}

static bool in_aperture(const struct uio_domain *domain, uint64_t iova,
			uint64_t length)
{
	uint64_t last;

	if (!length || __builtin_add_overflow(iova, length - 1, &last))
		return false;
	return iova >= domain->aperture_start && last <= domain->aperture_last;
}

int uio_domain_map(struct uio_domain *domain, uint64_t iova, uint64_t oa,
		   uint64_t length, int iommu_prot, bool large)
{
	uint64_t sizes = domain->leaf_pgsize_bitmap;
	unsigned int prot = uio_domain_prot(iommu_prot);

	if (!in_aperture(domain, iova, length))
		return uio_fail(-EINVAL,
				"IOVA 0x%llx+0x%llx is outside the %s domain's aperture",
				(unsigned long long)iova,
				(unsigned long long)length, domain->model->name);
	/* HUGE_PAGES=0: nothing larger than a CPU page */
	if (!large)
		sizes &= (PAGE_SIZE << 1) - 1;
	/* a write-only mapping is readable on every IOMMU we model */
	if (prot & PT_PROT_WRITE)
		prot |= PT_PROT_READ;
	return pt_map(domain->pt, iova, oa, length, prot, sizes);
}

void uio_domain_iotlb_flush(struct uio_domain *domain)
{
	atomic_fetch_add_explicit(&domain->iotlb_gen, 1, memory_order_release);
	/* combined stage-1 + stage-2 entries of nested domains (nested.c) */
	if (atomic_load_explicit(&domain->nr_children, memory_order_acquire))
		uio_domain_children_flush(domain);
	/*
	 * seq_cst: a store-then-load race with a device's first walk, which
	 * sets dma_seen and then reads the table (dev/dma.c); one of the two
	 * must see the other.
	 */
	if (atomic_load_explicit(&domain->dma_seen, memory_order_seq_cst))
		urcu_memb_synchronize_rcu();
}

uint64_t uio_domain_unmap(struct uio_domain *domain, uint64_t iova,
			  uint64_t length)
{
	uint64_t unmapped = pt_unmap(domain->pt, iova, length);

	uio_domain_iotlb_flush(domain);
	return unmapped;
}

int uio_domain_iova_to_phys(struct uio_domain *domain, uint64_t iova,
			    uint64_t *oa, unsigned int *prot)
{
	return pt_iova_to_phys(domain->pt, iova, oa, prot);
}

static void record_nothing(void *arg, uint64_t iova, uint64_t length)
{
}

int uio_domain_set_dirty_tracking(struct uio_domain *domain, bool enable)
{
	uint64_t top;

	if (!(domain->flags & UIO_DOMAIN_DIRTY_CAPABLE))
		return uio_fail(-EOPNOTSUPP,
				"the %s domain cannot track dirty pages",
				domain->model->name);
	if (atomic_load(&domain->dirty_tracking) == enable)
		return 0;
	/*
	 * Bits left from before tracking started mean nothing: clean the
	 * whole table, as drivers do when they turn tracking on.
	 */
	if (enable) {
		top = domain->aperture_last - domain->aperture_start;
		if (top != UINT64_MAX)
			pt_read_and_clear_dirty(domain->pt,
						domain->aperture_start, top + 1,
						0, record_nothing, NULL);
		/* device IOTLBs may remember bits just cleaned (dev/iotlb.h) */
		uio_domain_iotlb_flush(domain);
	}
	atomic_store(&domain->dirty_tracking, enable);
	return 0;
}

int uio_domain_read_and_clear_dirty(
	struct uio_domain *domain, uint64_t iova, uint64_t length,
	unsigned int flags,
	void (*record)(void *arg, uint64_t iova, uint64_t length), void *arg)
{
	int ret;

	if (!(domain->flags & UIO_DOMAIN_DIRTY_CAPABLE))
		return uio_fail(-EOPNOTSUPP,
				"the %s domain cannot track dirty pages",
				domain->model->name);
	ret = pt_read_and_clear_dirty(domain->pt, iova, length, flags, record,
				      arg);
	/*
	 * Device IOTLBs remember which leaves are already dirty (dev/iotlb.h);
	 * once the bits are cleaned that is stale: flush, as drivers do after
	 * clearing dirty bits.
	 */
	if (!ret && !(flags & PT_DIRTY_NO_CLEAR))
		uio_domain_iotlb_flush(domain);
	return ret;
}

int uio_hw_copy_data(const struct uio_hw_domain_req *req, uint32_t type,
		     void *dst, size_t dst_len, size_t min_len)
{
	const unsigned char *src = req->data;

	if (req->data_type != type)
		return uio_fail(-EINVAL, "data type %u where %u was expected",
				req->data_type, type);
	if (req->data_len < min_len)
		return uio_fail(-EINVAL, "data_len %u is below the minimum %zu",
				req->data_len, min_len);
	/* the kernel's uAPI copy refuses data longer than the driver's struct */
	if (req->data_len > dst_len)
		return uio_fail(-EINVAL, "data_len %u is above the known %zu",
				req->data_len, dst_len);
	memset(dst, 0, dst_len);
	memcpy(dst, src, req->data_len);
	return 0;
}

int uio_hw_attach_check(const struct uio_hw_dev *dev,
			const struct uio_domain *domain)
{
	const struct uio_hw_model *model = dev->model;

	if (domain->model != model)
		return uio_fail(-EINVAL, "%s: the domain belongs to %s",
				model->name, domain->model->name);
	if (domain->instance != dev->instance)
		return uio_fail(-EINVAL,
				"%s: the domain belongs to unit %u, the device sits behind unit %u",
				model->name, domain->instance, dev->instance);
	/* what capabilities() says of dirty tracking is what attach allows */
	if ((domain->flags & UIO_DOMAIN_DIRTY_CAPABLE) &&
	    !(model->capabilities(dev) & IOMMU_HW_CAP_DIRTY_TRACKING))
		return uio_fail(-EINVAL,
				"%s: a dirty-tracking domain on a device whose IOMMU cannot track dirty pages",
				model->name);
	return model->attach_check ? model->attach_check(dev, domain) : 0;
}

int uio_hw_aw_check(const struct uio_hw_model *model, unsigned int aw)
{
	if (!aw)
		return 0;
	if (!model->aw_check)
		return uio_fail(-EINVAL,
				"%s: the address width is fixed; aw=%u is not accepted",
				model->name, aw);
	return model->aw_check(aw);
}

const struct uio_hw_model *uio_hw_model_find(const char *name)
{
	static const struct uio_hw_model *const models[] = {
		&uio_hw_mock, &uio_hw_vtd, &uio_hw_smmuv3, &uio_hw_amd,
	};
	size_t i;

	for (i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		if (!strcmp(models[i]->name, name))
			return models[i];
	return NULL;
}

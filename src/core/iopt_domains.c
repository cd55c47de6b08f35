/* SPDX-License-Identifier: MIT */
/*
 * The domains of an IOAS: every paging HWPT made on an IOAS is a domain the
 * IOAS keeps identical to its areas.
 *
 * As in the kernel's io_pagetable, a domain added to an IOAS first narrows
 * the IOVA space (what lies outside its aperture becomes reserved, owned by
 * the domain, and refused if anything is mapped or allowed there), then
 * raises the IOAS alignment to its smallest page, then receives every
 * existing area. From then on MAP and COPY write each new area into every
 * domain before they return, and UNMAP removes it from every domain (and
 * invalidates IOTLBs, see hw.h) before the area goes.
 *
 * Pinning. The kernel pins an area's pages once for all domains (it keeps
 * them in the first domain, its "storage domain"). Here an area in domains
 * holds one access-style pin on its page range (pages.h), taken when the
 * first domain sees it and dropped when the last one lets it go; this is
 * what MD_CHECK_REFS and RLIMIT_MEMLOCK accounting observe. dma-buf pages
 * are not pinned; they are mapped page by page and each (area, domain)
 * pair is recorded in the pages, so that the exporter's revoke can unmap
 * them (pages.h).
 *
 * Everything here runs with iova_rwsem held for write: domains change only
 * under it, so a map or unmap sees a stable set.
 */
#include <errno.h>
#include <inttypes.h>

#include "core/io_pagetable.h"
#include "core/iommufd_private.h"
#include "core/pages.h"
#include "hw/hw.h"
#include "util/alloc.h"
#include "util/page.h"

static uint64_t area_length(const struct iopt_area *area)
{
	return iopt_area_last_iova(area) - iopt_area_iova(area) + 1;
}

/* the host address the area's first IOVA translates to */
static uint64_t area_host_address(const struct iopt_area *area)
{
	return iopt_pages_index_va(area->pages, area->first_index) +
	       area->page_offset;
}

static int area_pin(struct iopt_area *area)
{
	int rc;

	if (area->domain_pinned || area->pages->type == IOPT_ADDRESS_DMABUF)
		return 0;
	rc = iopt_pages_add_access(area->pages, area->first_index,
				   area->last_index);
	if (!rc)
		area->domain_pinned = true;
	return rc;
}

static void area_unpin(struct iopt_area *area)
{
	if (!area->domain_pinned)
		return;
	iopt_pages_remove_access(area->pages, area->first_index,
				 area->last_index);
	area->domain_pinned = false;
}

static int area_map(struct io_pagetable *iopt, struct iopt_area *area,
		    struct uio_domain *domain)
{
	if (area->pages->type == IOPT_ADDRESS_DMABUF)
		return iopt_dmabuf_map_domain(area, domain,
					      !iopt->disable_large_pages);
	return uio_domain_map(domain, iopt_area_iova(area),
			      area_host_address(area), area_length(area),
			      area->iommu_prot, !iopt->disable_large_pages);
}

static void area_unmap(struct iopt_area *area, struct uio_domain *domain)
{
	if (area->pages->type == IOPT_ADDRESS_DMABUF) {
		iopt_dmabuf_unmap_domain(area, domain);
		return;
	}
	uio_domain_unmap(domain, iopt_area_iova(area), area_length(area));
}

int iopt_area_fill_domains(struct io_pagetable *iopt, struct iopt_area *area)
{
	unsigned int i;
	int rc;

	if (!iopt->num_domains)
		return 0;
	rc = area_pin(area);
	if (rc)
		return rc;
	for (i = 0; i < iopt->num_domains; i++) {
		rc = area_map(iopt, area, iopt->domains[i]);
		if (rc)
			goto err_unmap;
	}
	return 0;

err_unmap:
	while (i--)
		area_unmap(area, iopt->domains[i]);
	area_unpin(area);
	return rc;
}

void iopt_area_unfill_domains(struct io_pagetable *iopt,
			      struct iopt_area *area)
{
	unsigned int i;

	for (i = 0; i < iopt->num_domains; i++)
		area_unmap(area, iopt->domains[i]);
	area_unpin(area);
}

int iopt_area_split_domain_pin(struct iopt_area *head, struct iopt_area *tail,
			       uint64_t old_last_index)
{
	int rc;

	if (!head->domain_pinned)
		return 0;
	rc = iopt_pages_add_access(head->pages, head->first_index,
				   head->last_index);
	if (rc)
		return rc;
	rc = iopt_pages_add_access(tail->pages, tail->first_index,
				   tail->last_index);
	if (rc) {
		iopt_pages_remove_access(head->pages, head->first_index,
					 head->last_index);
		return rc;
	}
	iopt_pages_remove_access(head->pages, head->first_index,
				 old_last_index);
	tail->domain_pinned = true;
	return 0;
}

/* reserve what lies outside the aperture, owned by the domain */
static int reserve_outside_aperture(struct io_pagetable *iopt,
				    struct uio_domain *domain)
{
	int rc;

	if (domain->aperture_start) {
		rc = iopt_reserve_iova_locked(iopt, 0,
					      domain->aperture_start - 1,
					      domain);
		if (rc)
			return rc;
	}
	if (domain->aperture_last != UINT64_MAX) {
		rc = iopt_reserve_iova_locked(iopt, domain->aperture_last + 1,
					      UINT64_MAX, domain);
		if (rc) {
			iopt_remove_reserved_iova_locked(iopt, domain);
			return rc;
		}
	}
	return 0;
}

int iopt_table_add_domain(struct io_pagetable *iopt, struct uio_domain *domain)
{
	struct uio_domain **domains;
	struct itree_node *node, *failed = NULL;
	bool first = !iopt->num_domains;
	int rc;

	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	domains = uio_realloc(iopt->domains,
			      (iopt->num_domains + 1) * sizeof(*domains));
	if (!domains) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	iopt->domains = domains;

	rc = reserve_outside_aperture(iopt, domain);
	if (rc)
		goto out_unlock;

	/* the alignment the IOAS would have with this domain in it */
	iopt->domains[iopt->num_domains++] = domain;
	rc = iopt_calculate_iova_alignment(iopt);
	if (rc)
		goto err_remove;

	for (node = itree_first(&iopt->area_itree); node;
	     node = itree_next(node)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		if (first) {
			rc = area_pin(area);
			if (rc) {
				failed = node;
				goto err_unfill;
			}
		}
		rc = area_map(iopt, area, domain);
		if (rc) {
			if (first)
				area_unpin(area);
			failed = node;
			goto err_unfill;
		}
	}
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	return 0;

err_unfill:
	for (node = itree_first(&iopt->area_itree); node != failed;
	     node = itree_next(node)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		area_unmap(area, domain);
		if (first)
			area_unpin(area);
	}
err_remove:
	iopt->num_domains--;
	iopt_calculate_iova_alignment(iopt);
	iopt_remove_reserved_iova_locked(iopt, domain);
out_unlock:
	if (!iopt->num_domains) {
		uio_free(iopt->domains);
		iopt->domains = NULL;
	}
	pthread_rwlock_unlock(&iopt->iova_rwsem);
	return rc;
}

void iopt_table_remove_domain(struct io_pagetable *iopt,
			      struct uio_domain *domain)
{
	struct itree_node *node;
	unsigned int i;

	pthread_rwlock_wrlock(&iopt->iova_rwsem);
	for (i = 0; i < iopt->num_domains; i++)
		if (iopt->domains[i] == domain)
			break;
	if (i == iopt->num_domains) {
		pthread_rwlock_unlock(&iopt->iova_rwsem);
		return;
	}
	iopt->domains[i] = iopt->domains[--iopt->num_domains];
	for (node = itree_first(&iopt->area_itree); node;
	     node = itree_next(node)) {
		struct iopt_area *area =
			container_of(node, struct iopt_area, node);

		area_unmap(area, domain);
		if (!iopt->num_domains)
			area_unpin(area);
	}
	iopt_remove_reserved_iova_locked(iopt, domain);
	/* lowering the alignment cannot fail */
	iopt_calculate_iova_alignment(iopt);
	if (!iopt->num_domains) {
		uio_free(iopt->domains);
		iopt->domains = NULL;
	}
	pthread_rwlock_unlock(&iopt->iova_rwsem);
}

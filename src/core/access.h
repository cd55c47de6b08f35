/* SPDX-License-Identifier: MIT */
/*
 * Accesses: in-process consumers of an IOAS that use no IOMMU domain (the
 * kernel's iommufd_access, used by emulated and mediated devices). An access
 * reads and writes through IOVAs (iommufd_access_rw) or pins page ranges
 * and uses them directly (iommufd_access_pin_pages). Because pinned pages
 * must not outlive their mapping, an access that pins must provide an unmap
 * callback: IOAS_UNMAP calls it for every access before the unmap returns,
 * and the consumer must unpin what lies in the range.
 */
#ifndef UIOMMUFD_CORE_ACCESS_H
#define UIOMMUFD_CORE_ACCESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>

#include "core/iommufd_private.h"

struct iommufd_access_ops {
	bool needs_pin_pages;
	/* drop every pin inside [iova, iova + length); may sleep */
	void (*unmap)(void *data, uint64_t iova, uint64_t length);
};

enum {
	IOMMUFD_ACCESS_RW_WRITE = 1 << 0,
};

struct iommufd_access {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	const struct iommufd_access_ops *ops;
	void *data;
	uint64_t iova_alignment;
	pthread_mutex_t ioas_lock; /* serialises attach/replace/pin */
	struct iommufd_ioas *ioas; /* holds a user reference */
	struct cds_list_head iopt_node; /* on ioas->iopt.access_list */
};

struct iommufd_access *iommufd_access_create(struct iommufd_ctx *ictx,
					     const struct iommufd_access_ops *ops,
					     void *data);
void iommufd_access_destroy(struct iommufd_access *access);
int iommufd_access_attach(struct iommufd_access *access, uint32_t ioas_id);
int iommufd_access_replace(struct iommufd_access *access, uint32_t ioas_id);

/* pin [iova, iova + length); out_va[i] gets the host address of page i */
int iommufd_access_pin_pages(struct iommufd_access *access, uint64_t iova,
			     uint64_t length, uintptr_t *out_va,
			     unsigned int flags);
void iommufd_access_unpin_pages(struct iommufd_access *access, uint64_t iova,
				uint64_t length);
int iommufd_access_rw(struct iommufd_access *access, uint64_t iova,
		      void *data, uint64_t length, unsigned int flags);

/* called by unmap with no lock held: every access drops its pins in range */
void iommufd_access_notify_unmap(struct io_pagetable *iopt, uint64_t iova,
				 uint64_t length);
void iommufd_access_destroy_object(struct iommufd_object *obj);

#endif

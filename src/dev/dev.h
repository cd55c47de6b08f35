/* SPDX-License-Identifier: MIT */
/*
 * dev: emulated devices that do DMA through a software IOMMU.
 *
 * A struct uio_dev is a PCI-like function behind one IOMMU model (hw/): it
 * has a requester id, optionally a PASID width and ATS/PRI, and for each
 * PASID (and for the requester id alone, "no PASID") the domain it is
 * attached to. The iommufd core decides attachments (IOMMU_DEVICE attach,
 * replace, detach, PASID attach) and publishes them here with
 * uio_dev_set_domain(); the DMA path reads them lock-free.
 *
 * DMA path. A DMA of any length is split at page boundaries of the domain's
 * translation (for a nested domain, of the combined stage-1 and stage-2
 * translation); each piece is translated (the device's IOTLB first, the page
 * table on a miss), permission-checked, copied with memcpy and, for a
 * permitted write to a domain with dirty tracking on, marks the leaf dirty
 * as the hardware would. The whole DMA runs inside an RCU read-side
 * critical section, which is what lets an unmap wait for DMAs in flight
 * (hw.h, "IOTLB"). A DMA that does not translate or lacks permission stops
 * at that byte, copies nothing further, and is counted in the device's
 * fault counters; it never touches memory it was not given.
 *
 * Threads. Any thread may DMA, for any device, concurrently. A thread's
 * first DMA registers it with urcu-memb (unless it registered itself) and
 * it is unregistered when it exits; a thread that registered itself must
 * stay registered while it may DMA. The IOTLB is per device and, inside
 * it, per DMA thread (iotlb.h). DMA must not be issued from inside an
 * urcu-memb read-side critical section of a thread that then maps, unmaps
 * or calls uio_dev_set_domain(), which wait for grace periods; nor, for a
 * device with PRI, inside any read-side section of the caller's (a page
 * request leaves the DMA's own section and its responder may unmap).
 */
#ifndef UIOMMUFD_DEV_DEV_H
#define UIOMMUFD_DEV_DEV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"

/* the "no PASID" attachment (the requester id alone) */
#define UIO_DEV_NO_PASID UINT32_MAX

struct uio_dev;

/* what a device is made from (uiommufd_dev_create's config, decoded) */
struct uio_dev_cfg {
	const struct uio_hw_model *model;
	uint32_t rid;
	unsigned int pasid_bits; /* 0: no PASID; at most 20 */
	uint32_t hw_flags; /* UIO_HW_DEV_* */
	unsigned int instance; /* IOMMU unit */
	unsigned int aw; /* IOMMU address width, 0: the model's (uio_hw_dev) */
};

/*
 * Counters of one device (all monotonic, exact: each DMA thread counts in
 * a block of its own, summed here).
 */
struct uio_dev_stats {
	uint64_t dma_ops; /* read/write/cas calls */
	uint64_t dma_bytes; /* bytes copied */
	uint64_t iotlb_hits, iotlb_misses;
	uint64_t faults_translation; /* no mapping or no domain */
	uint64_t faults_permission; /* mapping lacks read or write */
};

/* 0 or -EINVAL (bad config) / -ENOMEM */
int uio_dev_create(const struct uio_dev_cfg *cfg, struct uio_dev **ret);
/* the device must be detached from everything (the core unbinds first) */
void uio_dev_destroy(struct uio_dev *dev);

/* what the IOMMU model sees of the device */
struct uio_hw_dev *uio_dev_hw(struct uio_dev *dev);

/*
 * Publish @domain (NULL: blocked) as the translation of @pasid
 * (UIO_DEV_NO_PASID for the RID). Cached translations of the old domain are
 * dropped; after return no DMA of this device uses the old domain (once
 * the device has DMA'd, replacing waits for an RCU grace period: do not
 * call this inside an urcu-memb read-side critical section).
 * -EINVAL for a PASID beyond the device's width, -ENOMEM.
 */
int uio_dev_set_domain(struct uio_dev *dev, uint32_t pasid,
		       struct uio_domain *domain);
/* the domain published for @pasid, or NULL (also for a bad PASID) */
struct uio_domain *uio_dev_get_domain(struct uio_dev *dev, uint32_t pasid);

/*
 * DMA. @pasid is UIO_DEV_NO_PASID or a PASID below 2^pasid_bits.
 * Returns 0 when all @len bytes were transferred, -EFAULT on a translation
 * or permission fault (bytes before the faulting page may have been
 * transferred), -EINVAL for a bad PASID, -ENOMEM if the calling thread
 * cannot be set up for DMA (its thread-exit hook cannot be installed).
 */
int uio_dma_read(struct uio_dev *dev, uint32_t pasid, uint64_t iova, void *buf,
		 size_t len);
int uio_dma_write(struct uio_dev *dev, uint32_t pasid, uint64_t iova,
		  const void *buf, size_t len);
/*
 * 64-bit compare-and-swap at @iova (8-byte aligned, else -EINVAL), atomic
 * on the host memory: needs read and write permission, and marks the leaf
 * dirty like any write-intent access. *old receives the value found
 * (untouched on an error). 0 if swapped, -EAGAIN if the value differed,
 * -EFAULT on a fault.
 */
int uio_dma_cas64(struct uio_dev *dev, uint32_t pasid, uint64_t iova,
		  uint64_t *old, uint64_t new_val);

void uio_dev_get_stats(struct uio_dev *dev, struct uio_dev_stats *stats);

/*
 * IO page faults. A device with PRI (UIO_HW_DEV_PRI) that misses a
 * translation sends a page request for the page of @addr instead of
 * faulting: the sink (the iommufd core, set when the device is bound)
 * routes it to the fault queue of the HWPT attached at @pasid and blocks
 * until user space responds. @perm is IOMMU_PGFAULT_PERM_*. Returns the
 * response code (IOMMU_PGFAULT_RESP_SUCCESS: translate again; INVALID or
 * FAILURE: the DMA faults), or -ENODEV when no fault queue takes requests
 * for that PASID (the DMA faults as without PRI). The DMA path calls it
 * outside any RCU read-side section, since the responder may unmap.
 */
struct uio_dev_fault_sink {
	int (*page_request)(void *arg, struct uio_dev *dev, uint32_t pasid,
			    uint64_t addr, uint32_t perm);
	void *arg;
};

/* set (or, with NULL, clear) the device's sink */
void uio_dev_set_fault_sink(struct uio_dev *dev,
			    const struct uio_dev_fault_sink *sink);
/* send a page request through the sink; -ENODEV if none (see above) */
int uio_dev_page_request(struct uio_dev *dev, uint32_t pasid, uint64_t addr,
			 uint32_t perm);

#endif

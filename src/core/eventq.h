/* SPDX-License-Identifier: MIT */
/*
 * Event queues, vIOMMUs and vDEVICEs: the objects of the nesting work that
 * talk to user space through queues (eventq.c, fault.c, viommu.c).
 *
 * An event queue is an object with a file descriptor of its own. Records
 * wait on the deliver list until a read() takes them; poll() works because
 * the fd is an eventfd underneath, kept readable exactly while the list is
 * not empty (the engine reads it dry when the list empties). The file holds
 * a user reference on the object and one on the context, as the kernel's
 * anonymous file does: DESTROY is EBUSY until the fd is closed.
 */
#ifndef UIOMMUFD_CORE_EVENTQ_H
#define UIOMMUFD_CORE_EVENTQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>

#include <linux/iommufd.h>

#include "core/iommufd_private.h"
#include "front/file.h"
#include "hw/hw.h"

struct iommufd_eventq {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct uio_file file;        /* the fd's view; priv = this */
	int kfd;                     /* the eventfd behind the fd */
	pthread_mutex_t lock;        /* deliver, and the owner's state */
	struct cds_list_head deliver;
	bool readable;               /* the eventfd's counter is not 0 */
};

/*
 * Give @q (an object being created) its fd with @ops: the file takes a user
 * reference on the object and a context reference. Returns the fd or
 * -errno. The fd is live at once; on a later failure the creator closes it
 * with iommufd_eventq_close_fd() before aborting the object.
 */
int iommufd_eventq_init(struct iommufd_eventq *q, struct iommufd_ctx *ictx,
			const struct uio_file_ops *ops);
void iommufd_eventq_close_fd(int fd);
/*
 * Make the eventfd readable or not (@want), if it is not so already; the
 * caller serializes the calls and q->readable (fault.c uses a lock of its
 * own, see fault_sync_poll())
 */
void iommufd_eventq_set_readable(struct iommufd_eventq *q, bool want);
/* under q->lock: make poll() agree with the deliver list */
void iommufd_eventq_update_poll(struct iommufd_eventq *q);
/* the file's release op: drops the file's references */
void iommufd_eventq_release(struct uio_file *file);
/* the object's part of the teardown (after the records were freed) */
void iommufd_eventq_fini(struct iommufd_eventq *q);

/* ---- fault queues (fault.c) ---- */

struct iommufd_fault {
	struct iommufd_eventq common;
	pthread_cond_t responded;    /* a group got its response */
	struct cds_list_head response; /* groups read, awaiting a response */
	uint32_t next_cookie;
};

/* one page request (the kernel's iopf_group, one fault per group here) */
struct iommufd_iopf_group {
	struct cds_list_head node;
	struct iommufd_hw_pagetable *hwpt; /* where it was routed */
	struct iommufd_device *idev;
	uint32_t attach_pasid;  /* the attachment it came through */
	struct iommu_hwpt_pgfault rec;
	bool waited;            /* a device thread waits for the response */
	bool done;
	int code;               /* IOMMUFD_PAGE_RESP_* */
};

void iommufd_fault_destroy(struct iommufd_object *obj);
/*
 * Route a page request of @idev at @pasid (IOMMU_NO_PASID: none) to the
 * fault queue of the HWPT attached there (else the RID's). With @wait the
 * caller blocks until user space responds and gets the response code;
 * without, 0 once it is queued. -ENODEV if no fault queue takes it.
 */
int iommufd_fault_report(struct iommufd_device *idev, uint32_t pasid,
			 uint32_t grpid, uint32_t perm, uint64_t addr,
			 bool wait);
/*
 * @idev's @pasid is leaving @hwpt (replace, detach): answer INVALID to the
 * page requests it has pending there, as the kernel does.
 */
void iommufd_fault_auto_response(struct iommufd_hw_pagetable *hwpt,
				 struct iommufd_device *idev, uint32_t pasid);
/* look up a FAULT object for this call */
struct iommufd_fault *iommufd_get_fault(struct iommufd_ctx *ictx, uint32_t id);

/* ---- vIOMMUs, vDEVICEs, HW queues, vEVENTQs (viommu.c, eventq.c) ---- */

struct iommufd_viommu {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_hwpt_paging *hwpt; /* the nesting parent; user ref */
	struct uio_viommu *hw;        /* the model's; NULL for the selftest */
	uint32_t type;
	pthread_rwlock_t veventqs_rwsem;
	struct cds_list_head veventqs;
	pthread_mutex_t vdevs_lock;
	struct cds_list_head vdevs;
	/* the selftest vIOMMU's page user space may mmap() (viommu.c) */
	void *mmap_page;
	uint64_t mmap_offset, mmap_length;
	int mmap_count;               /* live mappings: DESTROY is EBUSY */
	struct iommufd_hw_queue *hw_queues[2];
};

struct iommufd_vdevice {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_viommu *viommu; /* user ref */
	struct iommufd_device *idev;   /* user ref; NULL once gone */
	struct cds_list_head node;     /* in viommu->vdevs */
	uint64_t virt_id;
	bool tombstoned;
};

struct iommufd_hw_queue {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu; /* user ref */
	struct iommufd_ioas *ioas;     /* whose area it locks */
	struct iopt_area *area;        /* locked while the queue lives */
	struct iommufd_hw_queue *prev; /* index - 1, held (user ref) */
	uint32_t index;
	uint64_t base_addr, length;
};

struct iommufd_vevent {
	struct cds_list_head node;
	struct iommufd_vevent_header header;
	uint32_t data_len;
	uint8_t data[];
};

struct iommufd_veventq {
	struct iommufd_eventq common;
	struct iommufd_viommu *viommu; /* user ref */
	struct cds_list_head node;     /* in viommu->veventqs */
	uint32_t type, depth, num_events;
	int sequence;
	struct iommufd_vevent lost_events_header;
};

void iommufd_viommu_destroy(struct iommufd_object *obj);
void iommufd_vdevice_destroy(struct iommufd_object *obj);
void iommufd_hw_queue_destroy(struct iommufd_object *obj);
void iommufd_veventq_destroy(struct iommufd_object *obj);

static inline struct iommufd_viommu *
iommufd_get_viommu(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommufd_object *obj =
		iommufd_get_object(ictx, id, IOMMUFD_OBJ_VIOMMU);

	if (IS_ERR(obj))
		return (void *)obj;
	return container_of(obj, struct iommufd_viommu, obj);
}

/*
 * Queue an event of @type on @viommu's vEVENTQ of that type. -EOPNOTSUPP
 * if there is none; a full queue records lost events instead.
 */
int iommufd_viommu_report_event(struct iommufd_viommu *viommu, uint32_t type,
				const void *data, size_t len);
/* @idev's vDEVICE on @viommu, or NULL (caller holds idev->lock) */
struct iommufd_vdevice *iommufd_device_vdev_on(struct iommufd_device *idev,
					       struct iommufd_viommu *viommu);
/* the device is unbinding: its vDEVICE goes, its id tombstoned */
void iommufd_device_remove_vdev(struct iommufd_device *idev);

/* the selftest vIOMMU's invalidation (selftest_mock.c) */
int iommufd_test_viommu_invalidate(struct iommufd_viommu *viommu,
				   struct uio_hw_user_array *arr);

/* mmap of the iommufd fd (the selftest vIOMMU's page) */
long iommufd_mmap(struct iommufd_ctx *ictx, uint64_t offset, uint64_t length,
		  void **addr);
/* @addr is being unmapped: 1 if it was such a mapping (it lets go of
 * its vIOMMU), else 0 */
int iommufd_munmap(void *addr);

#endif

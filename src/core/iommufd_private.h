/* SPDX-License-Identifier: MIT */
/*
 * The core's shared vocabulary: the context, the object header every object
 * embeds, the per-ioctl command state, and the object types.
 *
 * Objects. Every object (IOAS, HWPT, device, ...) starts with struct
 * iommufd_object and lives in its context's id table. Creation is two-phase:
 * iommufd_object_alloc() reserves the id (lookups do not see it yet),
 * everything that can fail happens, then iommufd_object_finalize() publishes
 * it or iommufd_object_abort*() undoes it. Type behaviour (destroy, abort)
 * lives in one ops table indexed by type, not in switches.
 *
 * Reference counts. obj->users counts long-term holders: the id table holds
 * one, each object that points at this one holds one, and each ioctl in
 * progress that looked the object up holds one together with a
 * shortterm_users count. DESTROY succeeds only when the table's reference is
 * the last one; otherwise EBUSY, as in the kernel.
 *
 * Lock order (outermost first):
 *   ictx->lock            the id table, obj->users transitions to/from 1,
 *                         ictx->vfio_ioas, ictx->account_mode
 *   iopt->iova_rwsem      an IOAS's areas, reserved and allowed ranges
 *   pin_lock (pages.c)    the process-wide pinned-page ledger and accounting
 * No lock is held across a call back into the front end.
 */
#ifndef UIOMMUFD_CORE_IOMMUFD_PRIVATE_H
#define UIOMMUFD_CORE_IOMMUFD_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <urcu/list.h>

#include "core/context.h"
#include "core/io_pagetable.h"
#include "util/compiler.h"
#include "util/container_of.h"
#include "util/err.h"
#include "util/idtable.h"
#include "util/reason.h"

enum iommufd_object_type {
	IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_IOAS,
	IOMMUFD_OBJ_HWPT_PAGING,
	IOMMUFD_OBJ_HWPT_NESTED,
	IOMMUFD_OBJ_DEVICE,
	IOMMUFD_OBJ_ACCESS,
	IOMMUFD_OBJ_FAULT,
	IOMMUFD_OBJ_VIOMMU,
	IOMMUFD_OBJ_VDEVICE,
	IOMMUFD_OBJ_VEVENTQ,
	IOMMUFD_OBJ_HW_QUEUE,
	IOMMUFD_OBJ_SELFTEST,
	IOMMUFD_OBJ_MAX,
};

struct iommufd_object {
	atomic_int shortterm_users;
	atomic_int users;
	enum iommufd_object_type type;
	uint32_t id;
};

struct iommufd_object_ops {
	const char *name;
	/* free everything the object owns except the struct itself */
	void (*destroy)(struct iommufd_object *obj);
	/* undo a creation that failed before finalize; NULL uses destroy */
	void (*abort)(struct iommufd_object *obj);
};

extern const struct iommufd_object_ops iommufd_object_ops[IOMMUFD_OBJ_MAX];

/* "ioas", "hwpt", ...; "object" for ANY or an unnamed type */
const char *iommufd_object_type_name(enum iommufd_object_type type);

struct iommufd_ioas;

/* How pinned pages are charged to RLIMIT_MEMLOCK (IOMMU_OPTION_RLIMIT_MODE). */
enum iopt_account_mode {
	IOPT_PAGES_ACCOUNT_NONE,
	IOPT_PAGES_ACCOUNT_USER,
	IOPT_PAGES_ACCOUNT_MM,
};

struct iommufd_ctx {
	pthread_mutex_t lock;
	pthread_cond_t shortterm_done;
	atomic_int destroy_waiters;          /* DESTROYs waiting on shortterm */
	atomic_int refs;                     /* the fd's + each access's */
	struct idtable objects;
	struct iommufd_ioas *vfio_ioas;      /* the VFIO compat IOAS, or NULL */
	enum iopt_account_mode account_mode; /* user (0) or process (1) */
	unsigned int kernel;                 /* release followed, 0: latest */
};

/* One ioctl in progress. */
struct iommufd_ucmd {
	struct iommufd_ctx *ictx;
	void *ubuffer;     /* the caller's struct */
	uint32_t user_size; /* its size as the caller gave it */
	void *cmd;         /* our zero-extended copy */
};

/* copy the reply back, truncated to the caller's size */
int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t cmd_len);

struct iommufd_object *iommufd_object_alloc(struct iommufd_ctx *ictx,
					    size_t size,
					    enum iommufd_object_type type);
void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj);
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj);
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj);

/* look up @id of @type (or ANY) and hold it for this call; ERR_PTR(-ENOENT) */
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, uint32_t id,
					  enum iommufd_object_type type);
void iommufd_put_object(struct iommufd_ctx *ictx, struct iommufd_object *obj);
void iommufd_object_destroy_user(struct iommufd_ctx *ictx,
				 struct iommufd_object *obj);
void iommufd_ctx_get(struct iommufd_ctx *ictx);
void iommufd_ctx_put(struct iommufd_ctx *ictx);

/* long-term references held by one object on another */
static inline void iommufd_object_get_user(struct iommufd_object *obj)
{
	atomic_fetch_add(&obj->users, 1);
}

static inline void iommufd_object_put_user(struct iommufd_object *obj)
{
	atomic_fetch_sub(&obj->users, 1);
}

/*
 * IOAS: an IO address space, the object around one io_pagetable. mutex
 * guards hwpt_list, the paging HWPTs made on this IOAS (automatic domain
 * selection walks it); taken before iova_rwsem.
 */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct io_pagetable iopt;
	pthread_mutex_t mutex;
	struct cds_list_head hwpt_list;
};

struct uio_domain;
struct uio_dev;

struct iommufd_fault;
struct iommufd_viommu;
struct iommufd_vdevice;

/* HWPT: a domain as an object (paging or nested, both embed this) */
struct iommufd_hw_pagetable {
	struct iommufd_object obj;
	struct uio_domain *domain;
	struct iommufd_fault *fault; /* IO page faults go here; holds a user ref */
	bool pasid_compat;           /* allocated with IOMMU_HWPT_ALLOC_PASID */
};

struct iommufd_hwpt_paging {
	struct iommufd_hw_pagetable common;
	struct iommufd_ctx *ictx;
	struct iommufd_ioas *ioas;     /* holds a user reference */
	struct cds_list_head hwpt_item; /* in ioas->hwpt_list */
	bool auto_domain;   /* made by attach-to-IOAS; dies with its last user */
	bool nest_parent;
	bool in_iopt;       /* the IOAS fills the domain */
};

static inline struct iommufd_hwpt_paging *
to_hwpt_paging(struct iommufd_hw_pagetable *hwpt)
{
	return container_of(hwpt, struct iommufd_hwpt_paging, common);
}

static inline bool hwpt_is_paging(struct iommufd_hw_pagetable *hwpt)
{
	return hwpt->obj.type == IOMMUFD_OBJ_HWPT_PAGING;
}

/*
 * A nested HWPT: a user-owned stage 1 over a NEST_PARENT paging HWPT,
 * made either on that HWPT directly or through a vIOMMU (which then owns
 * the parent). Holds user references on both.
 */
struct iommufd_hwpt_nested {
	struct iommufd_hw_pagetable common;
	struct iommufd_ctx *ictx;
	struct iommufd_hwpt_paging *parent;
	struct iommufd_viommu *viommu; /* or NULL */
};

static inline struct iommufd_hwpt_nested *
to_hwpt_nested(struct iommufd_hw_pagetable *hwpt)
{
	return container_of(hwpt, struct iommufd_hwpt_nested, common);
}

/* a PASID attachment of a device (IOMMU_NO_PASID: the RID's own) */
struct iommufd_attach {
	uint32_t pasid;
	struct iommufd_hw_pagetable *hwpt; /* holds a user reference */
};

/*
 * DEVICE: an emulated device bound to this context. The binder (the
 * selftest object, a VFIO cdev) holds a user reference until it unbinds.
 */
struct iommufd_device {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct uio_dev *dev;
	pthread_mutex_t lock;            /* the attachments, vdev */
	struct iommufd_attach *attach;   /* array, num_attach entries */
	unsigned int num_attach;
	struct iommufd_vdevice *vdev;    /* its vDEVICE, or NULL */
};

#define IOMMU_NO_PASID UINT32_MAX

struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct uio_dev *dev);
void iommufd_device_unbind(struct iommufd_device *idev);
/*
 * Attach @idev's @pasid to *@pt_id (an IOAS: a compatible automatic domain is
 * found or made, and its HWPT id written back; or a HWPT). EINVAL if already
 * attached, the HWPT does not suit the device, or pt_id names something
 * else; ENOENT if nothing has that id.
 */
int iommufd_device_attach(struct iommufd_device *idev, uint32_t pasid,
			  uint32_t *pt_id);
/* the same, atomically replacing an existing attachment (EINVAL if none) */
int iommufd_device_replace(struct iommufd_device *idev, uint32_t pasid,
			   uint32_t *pt_id);
void iommufd_device_detach(struct iommufd_device *idev, uint32_t pasid);
/* the HWPT attached at @pasid, or NULL (no reference taken) */
struct iommufd_hw_pagetable *iommufd_device_hwpt(struct iommufd_device *idev,
						 uint32_t pasid);
/* the same, for a caller holding idev->lock */
struct iommufd_hw_pagetable *
iommufd_device_hwpt_locked(struct iommufd_device *idev, uint32_t pasid);

/* typed lookups, held for this call like iommufd_get_object() */
static inline struct iommufd_hwpt_paging *
iommufd_get_hwpt_paging(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommufd_object *obj =
		iommufd_get_object(ictx, id, IOMMUFD_OBJ_HWPT_PAGING);

	if (IS_ERR(obj))
		return (void *)obj;
	return container_of(obj, struct iommufd_hwpt_paging, common.obj);
}

static inline struct iommufd_device *iommufd_get_device(struct iommufd_ctx *ictx,
							uint32_t id)
{
	struct iommufd_object *obj =
		iommufd_get_object(ictx, id, IOMMUFD_OBJ_DEVICE);

	if (IS_ERR(obj))
		return (void *)obj;
	return container_of(obj, struct iommufd_device, obj);
}

/* hw_pagetable.c */
struct uio_hw_domain_req;
struct iommufd_hwpt_paging *
iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx, struct iommufd_ioas *ioas,
			  struct iommufd_device *idev,
			  const struct uio_hw_domain_req *req, bool auto_domain);
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj);
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj);
/* drop an attachment's reference; an automatic domain dies with its last */
void iommufd_hwpt_put_user(struct iommufd_hw_pagetable *hwpt);

/* free an object that is out of the table: its destroy op, then itself */
void iommufd_object_free(struct iommufd_object *obj);
/* wait (up to the kernel's 60 s) until no ioctl holds @obj for a moment;
 * the caller holds a user reference and no lock */
void iommufd_object_wait_shortterm(struct iommufd_ctx *ictx,
				   struct iommufd_object *obj);
/* drop a user reference; if only the table's is left, take @obj out of the
 * table and return true (the caller then frees it) */
bool iommufd_object_put_and_try_remove(struct iommufd_ctx *ictx,
				       struct iommufd_object *obj);
void iommufd_selftest_destroy(struct iommufd_object *obj);
/* drop a user reference and destroy @obj if only the table's is left */
void iommufd_object_put_and_try_destroy(struct iommufd_ctx *ictx,
					struct iommufd_object *obj);
void iommufd_device_destroy(struct iommufd_object *obj);

static inline struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx,
						    uint32_t id)
{
	struct iommufd_object *obj =
		iommufd_get_object(ictx, id, IOMMUFD_OBJ_IOAS);

	if (IS_ERR(obj))
		return (void *)obj;
	return container_of(obj, struct iommufd_ioas, obj);
}

struct iommufd_ioas *iommufd_ioas_alloc(struct iommufd_ctx *ictx);
void iommufd_ioas_destroy(struct iommufd_object *obj);

/* ioctl handlers */
int iommufd_destroy_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_iova_ranges_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_allow_iovas_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map_file_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_copy_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_unmap_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_change_process_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_option_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_option(struct iommufd_ucmd *ucmd);
int iommufd_vfio_ioas_ioctl(struct iommufd_ucmd *ucmd);

/*
 * Handlers whose objects arrive with devices; today they check their
 * arguments and end at the first object lookup (device.c, hw_pagetable.c,
 * viommu.c, eventq.c).
 */
int iommufd_get_hw_info_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_set_dirty_tracking_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_get_dirty_bitmap_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_invalidate_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_hw_queue_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_vdevice_tsm_op_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_veventq_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_fault_alloc_ioctl(struct iommufd_ucmd *ucmd);

/*
 * The VFIO type1 container ioctls (vfio_compat.c), for every command whose
 * _IOC_NR is outside the iommufd range. @arg is the caller's pointer, or for
 * VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU the integer argument. Returns the
 * ioctl's result or -errno; -ENOTTY for a command it does not know.
 */
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, void *arg);
int iommufd_test_ioctl(struct iommufd_ucmd *ucmd);
/* selftest_mock.c */
int iommufd_test_mock_domain(struct iommufd_ucmd *ucmd, uint32_t pt_id,
			     uint32_t dev_flags);
int iommufd_test_mock_domain_replace(struct iommufd_ucmd *ucmd,
				     uint32_t stdev_id, uint32_t pt_id);
int iommufd_test_md_check_pa(struct iommufd_ucmd *ucmd, uint32_t hwpt_id,
			     uint64_t iova, uint64_t length, uint64_t uptr);
int iommufd_test_dev_check_cache(struct iommufd_ucmd *ucmd, uint32_t idev_id,
				 unsigned int cache_id, uint32_t cache);
int iommufd_test_dirty(struct iommufd_ucmd *ucmd, uint32_t hwpt_id,
		       uint64_t iova, uint64_t length, uint64_t page_size,
		       uint64_t uptr);


#endif

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

/* IOAS: an IO address space, the object around one io_pagetable. */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct io_pagetable iopt;
};

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

/*
 * The VFIO type1 container ioctls (vfio_compat.c), for every command whose
 * _IOC_NR is outside the iommufd range. @arg is the caller's pointer, or for
 * VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU the integer argument. Returns the
 * ioctl's result or -errno; -ENOTTY for a command it does not know.
 */
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd, void *arg);
int iommufd_test_ioctl(struct iommufd_ucmd *ucmd);


#endif

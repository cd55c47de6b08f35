/* SPDX-License-Identifier: MIT */
/*
 * The context, its object table and the ioctl dispatcher.
 *
 * Dispatch follows the kernel's extensible-struct rules: the first u32 of
 * every argument is its size; a size below the command's minimum (the end of
 * the first ABI version's last field) is EINVAL; bytes past the struct we know
 * must be zero (else E2BIG); a short struct is zero-extended; the reply is
 * truncated to the caller's size. Commands outside the iommufd range go to the
 * VFIO compat layer (vfio_compat.c), which answers ENOTTY for what it does
 * not know. The op table has one line
 * per command; the union buffer is proven large enough for each at compile
 * time, so adding a command is one union line, one table line, one handler.
 *
 * Teardown on the last close destroys objects leaves first: repeatedly, every
 * object no other object holds, until the table is empty.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <time.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "core/access.h"
#include "core/eventq.h"
#include "core/iommufd_private.h"
#include "core/kernel_compat.h"
#include "util/alloc.h"
#include "util/uaccess.h"

/*
 * How long a DESTROY (or an automatic HWPT's last detach) waits for other
 * threads' ioctls to let go of an object before answering EBUSY: the
 * kernel's wait is 60 seconds. A short wait turned a loaded machine's slow
 * concurrent call into a spurious EBUSY.
 */
#define SHORTTERM_WAIT_SEC 60

const struct iommufd_object_ops iommufd_object_ops[IOMMUFD_OBJ_MAX] = {
	[IOMMUFD_OBJ_IOAS] = {
		.name = "ioas",
		.destroy = iommufd_ioas_destroy,
	},
	[IOMMUFD_OBJ_ACCESS] = {
		.name = "access",
		.destroy = iommufd_access_destroy_object,
	},
	[IOMMUFD_OBJ_HWPT_PAGING] = {
		.name = "hwpt",
		.destroy = iommufd_hwpt_paging_destroy,
	},
	[IOMMUFD_OBJ_DEVICE] = {
		.name = "device",
		.destroy = iommufd_device_destroy,
	},
	[IOMMUFD_OBJ_HWPT_NESTED] = {
		.name = "nested hwpt",
		.destroy = iommufd_hwpt_nested_destroy,
	},
	[IOMMUFD_OBJ_FAULT] = {
		.name = "fault",
		.destroy = iommufd_fault_destroy,
	},
	[IOMMUFD_OBJ_VIOMMU] = {
		.name = "viommu",
		.destroy = iommufd_viommu_destroy,
	},
	[IOMMUFD_OBJ_VDEVICE] = {
		.name = "vdevice",
		.destroy = iommufd_vdevice_destroy,
	},
	[IOMMUFD_OBJ_HW_QUEUE] = {
		.name = "hw queue",
		.destroy = iommufd_hw_queue_destroy,
	},
	[IOMMUFD_OBJ_VEVENTQ] = {
		.name = "veventq",
		.destroy = iommufd_veventq_destroy,
	},
	[IOMMUFD_OBJ_SELFTEST] = {
		.name = "selftest device",
		.destroy = iommufd_selftest_destroy,
	},
};

const char *iommufd_object_type_name(enum iommufd_object_type type)
{
	if (type >= IOMMUFD_OBJ_MAX || !iommufd_object_ops[type].name)
		return "object";
	return iommufd_object_ops[type].name;
}

struct iommufd_ctx *iommufd_ctx_alloc(void)
{
	struct iommufd_ctx *ictx;

	uaccess_init();
	ictx = uio_zalloc(sizeof(*ictx));
	if (!ictx)
		return NULL;
	pthread_mutex_init(&ictx->lock, NULL);
	pthread_cond_init(&ictx->shortterm_done, NULL);
	idtable_init(&ictx->objects);
	ictx->account_mode = IOPT_PAGES_ACCOUNT_USER;
	ictx->kernel = uio_kernel_from_env();
	atomic_init(&ictx->refs, 1);
	return ictx;
}

void iommufd_ctx_set_vfio_container(struct iommufd_ctx *ictx)
{
	ictx->account_mode = IOPT_PAGES_ACCOUNT_MM;
}

void iommufd_object_free(struct iommufd_object *obj)
{
	const struct iommufd_object_ops *ops = &iommufd_object_ops[obj->type];

	if (ops->destroy)
		ops->destroy(obj);
	uio_free(obj);
}

void iommufd_ctx_get(struct iommufd_ctx *ictx)
{
	atomic_fetch_add(&ictx->refs, 1);
}

void iommufd_ctx_destroy(struct iommufd_ctx *ictx)
{
	iommufd_ctx_put(ictx);
}

/* The last reference (the fd's, or an access that outlived it) tears down. */
void iommufd_ctx_put(struct iommufd_ctx *ictx)
{
	bool progress = true;
	uint32_t id;

	if (!ictx || atomic_fetch_sub(&ictx->refs, 1) != 1)
		return;
	/* No other thread can reach the context any more: the front end
	 * dropped its last reference. Leaves first: an object that others
	 * still hold has users > 1 and waits for a later round. */
	while (ictx->objects.count && progress) {
		progress = false;
		for (id = idtable_next(&ictx->objects, 0); id;
		     id = idtable_next(&ictx->objects, id)) {
			struct iommufd_object *obj =
				idtable_find(&ictx->objects, id);

			if (!obj || atomic_load(&obj->users) != 1)
				continue;
			idtable_erase(&ictx->objects, id);
			if (ictx->vfio_ioas && &ictx->vfio_ioas->obj == obj)
				ictx->vfio_ioas = NULL;
			iommufd_object_free(obj);
			progress = true;
		}
	}
	idtable_destroy(&ictx->objects);
	pthread_cond_destroy(&ictx->shortterm_done);
	pthread_mutex_destroy(&ictx->lock);
	uio_free(ictx);
}

struct iommufd_object *iommufd_object_alloc(struct iommufd_ctx *ictx,
					    size_t size,
					    enum iommufd_object_type type)
{
	struct iommufd_object *obj;
	int rc;

	obj = uio_zalloc(size);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->type = type;
	atomic_init(&obj->users, 1);
	atomic_init(&obj->shortterm_users, 1);
	pthread_mutex_lock(&ictx->lock);
	rc = idtable_alloc(&ictx->objects, IDTABLE_RESERVED, &obj->id);
	pthread_mutex_unlock(&ictx->lock);
	if (rc) {
		uio_free(obj);
		return ERR_PTR(rc);
	}
	return obj;
}

void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj)
{
	pthread_mutex_lock(&ictx->lock);
	idtable_store(&ictx->objects, obj->id, obj);
	atomic_store(&obj->shortterm_users, 0);
	pthread_mutex_unlock(&ictx->lock);
}

void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	pthread_mutex_lock(&ictx->lock);
	idtable_erase(&ictx->objects, obj->id);
	pthread_mutex_unlock(&ictx->lock);
	uio_free(obj);
}

void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj)
{
	const struct iommufd_object_ops *ops = &iommufd_object_ops[obj->type];

	if (ops->abort)
		ops->abort(obj);
	else if (ops->destroy)
		ops->destroy(obj);
	iommufd_object_abort(ictx, obj);
}

struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, uint32_t id,
					  enum iommufd_object_type type)
{
	struct iommufd_object *obj;

	pthread_mutex_lock(&ictx->lock);
	obj = idtable_find(&ictx->objects, id);
	if (!obj || (type != IOMMUFD_OBJ_ANY && obj->type != type)) {
		pthread_mutex_unlock(&ictx->lock);
		return ERR_PTR(uio_fail(-ENOENT, "no %s with id %u",
					iommufd_object_type_name(type), id));
	}
	atomic_fetch_add(&obj->shortterm_users, 1);
	atomic_fetch_add(&obj->users, 1);
	pthread_mutex_unlock(&ictx->lock);
	return obj;
}

/*
 * No lock on the way out: the counts are atomic, and only a DESTROY that is
 * waiting for short-term users (it counts itself in destroy_waiters under
 * the lock before it looks at the counts) needs the wake-up.
 */
void iommufd_put_object(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	atomic_fetch_sub(&obj->users, 1);
	if (atomic_fetch_sub(&obj->shortterm_users, 1) == 1 &&
	    atomic_load(&ictx->destroy_waiters)) {
		pthread_mutex_lock(&ictx->lock);
		pthread_cond_broadcast(&ictx->shortterm_done);
		pthread_mutex_unlock(&ictx->lock);
	}
}

/*
 * Remove an object by id. Another thread's ioctl may hold it for a moment
 * (a short-term user); wait a little for that to end, as the kernel does,
 * then refuse with EBUSY if anything else still holds it.
 */
static int iommufd_object_remove(struct iommufd_ctx *ictx, uint32_t id)
{
	struct iommufd_object *obj;
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SHORTTERM_WAIT_SEC;

	pthread_mutex_lock(&ictx->lock);
	obj = idtable_find(&ictx->objects, id);
	if (!obj) {
		pthread_mutex_unlock(&ictx->lock);
		return uio_fail(-ENOENT, "no object with id %u", id);
	}
	atomic_fetch_add(&ictx->destroy_waiters, 1);
	/*
	 * Wait for the short-term count itself to reach 0, not for users to
	 * look like 1: iommufd_put_object() drops users first and touches
	 * shortterm_users after, so users alone would let us free the object
	 * under a put that has not finished (a use after free a dump racing
	 * DESTROY once hit).
	 */
	while (atomic_load(&obj->shortterm_users)) {
		if (pthread_cond_timedwait(&ictx->shortterm_done, &ictx->lock,
					   &deadline))
			break;
		obj = idtable_find(&ictx->objects, id);
		if (!obj) {
			atomic_fetch_sub(&ictx->destroy_waiters, 1);
			pthread_mutex_unlock(&ictx->lock);
			return uio_fail(-ENOENT, "object %u went away", id);
		}
	}
	atomic_fetch_sub(&ictx->destroy_waiters, 1);
	if (atomic_load(&obj->users) != 1 ||
	    atomic_load(&obj->shortterm_users)) {
		int users = atomic_load(&obj->users) - 1;

		pthread_mutex_unlock(&ictx->lock);
		return uio_fail(-EBUSY, "%s %u is still used by %d other holder%s",
				iommufd_object_type_name(obj->type), id, users,
				users == 1 ? "" : "s");
	}
	idtable_erase(&ictx->objects, id);
	if (ictx->vfio_ioas && &ictx->vfio_ioas->obj == obj)
		ictx->vfio_ioas = NULL;
	pthread_mutex_unlock(&ictx->lock);

	iommufd_object_free(obj);
	return 0;
}

/*
 * Destroy an object on behalf of the kernel-side holder that created it
 * (an access): drop its reference, wait for passing users, and free it.
 */
void iommufd_object_destroy_user(struct iommufd_ctx *ictx,
				 struct iommufd_object *obj)
{
	/*
	 * Out of the table first, so that no new lookup can take it (a dump
	 * or another thread's ioctl once got it between our last look at the
	 * counts and the erase, and used it after the free), then wait for
	 * those that have it: users counts the table's and the creator's
	 * references and the passing holders. Wait for the short-term count
	 * too: iommufd_put_object() drops users first and touches the object
	 * last through shortterm_users.
	 */
	pthread_mutex_lock(&ictx->lock);
	if (idtable_find(&ictx->objects, obj->id) == obj)
		idtable_erase(&ictx->objects, obj->id);
	pthread_mutex_unlock(&ictx->lock);
	while (atomic_load(&obj->users) > 2 ||
	       atomic_load(&obj->shortterm_users))
		sched_yield();
	iommufd_object_free(obj);
}

void iommufd_object_wait_shortterm(struct iommufd_ctx *ictx,
				   struct iommufd_object *obj)
{
	struct timespec deadline;

	if (!atomic_load(&obj->shortterm_users))
		return;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += SHORTTERM_WAIT_SEC;
	pthread_mutex_lock(&ictx->lock);
	atomic_fetch_add(&ictx->destroy_waiters, 1);
	while (atomic_load(&obj->shortterm_users))
		if (pthread_cond_timedwait(&ictx->shortterm_done, &ictx->lock,
					   &deadline))
			break;
	atomic_fetch_sub(&ictx->destroy_waiters, 1);
	pthread_mutex_unlock(&ictx->lock);
}

bool iommufd_object_put_and_try_remove(struct iommufd_ctx *ictx,
					struct iommufd_object *obj)
{
	bool removed = false;

	pthread_mutex_lock(&ictx->lock);
	if (atomic_fetch_sub(&obj->users, 1) == 2 &&
	    !atomic_load(&obj->shortterm_users) &&
	    idtable_find(&ictx->objects, obj->id) == obj) {
		idtable_erase(&ictx->objects, obj->id);
		removed = true;
	}
	pthread_mutex_unlock(&ictx->lock);
	return removed;
}

void iommufd_object_put_and_try_destroy(struct iommufd_ctx *ictx,
					struct iommufd_object *obj)
{
	if (iommufd_object_put_and_try_remove(ictx, obj))
		iommufd_object_free(obj);
}

int iommufd_destroy_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;

	return iommufd_object_remove(ucmd->ictx, cmd->id);
}

int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t cmd_len)
{
	size_t n = cmd_len < ucmd->user_size ? cmd_len : ucmd->user_size;

	if (copy_to_user(ucmd->ubuffer, ucmd->cmd, n))
		return uio_fail(-EFAULT, "cannot write the reply to %p",
				ucmd->ubuffer);
	return 0;
}

union ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_ioas_alloc ioas_alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_ioas_change_process change_process;
	struct iommu_test_cmd test;
	struct iommu_hw_info hw_info;
	struct iommu_hwpt_alloc hwpt_alloc;
	struct iommu_hwpt_set_dirty_tracking set_dirty_tracking;
	struct iommu_hwpt_get_dirty_bitmap get_dirty_bitmap;
	struct iommu_hwpt_invalidate hwpt_invalidate;
	struct iommu_viommu_alloc viommu_alloc;
	struct iommu_vdevice_alloc vdevice_alloc;
	struct iommu_veventq_alloc veventq_alloc;
	struct iommu_hw_queue_alloc hw_queue_alloc;
	struct iommu_vdevice_tsm_op tsm_op;
};

struct iommufd_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned long ioctl_num;
	int (*execute)(struct iommufd_ucmd *ucmd);
	const char *name;
	enum uio_kfeature since; /* the release that brought it */
};

#define IOCTL_OP(_ioctl, _fn, _struct, _last, _since)                         \
	[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = {                              \
		.size = sizeof(_struct) +                                     \
			0 * sizeof(char[sizeof(union ucmd_buffer) >=          \
						sizeof(_struct) ? 1 : -1]),   \
		.min_size = offsetofend(_struct, _last),                      \
		.ioctl_num = _ioctl,                                          \
		.execute = _fn,                                               \
		.name = #_ioctl,                                              \
		.since = _since,                                              \
	}

static const struct iommufd_ioctl_op iommufd_ioctl_ops[] = {
	IOCTL_OP(IOMMU_DESTROY, iommufd_destroy_ioctl, struct iommu_destroy, id,
		 UIO_KF_BASE),
	IOCTL_OP(IOMMU_IOAS_ALLOC, iommufd_ioas_alloc_ioctl,
		 struct iommu_ioas_alloc, out_ioas_id,
		 UIO_KF_BASE),
	IOCTL_OP(IOMMU_IOAS_ALLOW_IOVAS, iommufd_ioas_allow_iovas_ioctl,
		 struct iommu_ioas_allow_iovas, allowed_iovas,
		 UIO_KF_BASE),
	IOCTL_OP(IOMMU_IOAS_CHANGE_PROCESS, iommufd_ioas_change_process_ioctl,
		 struct iommu_ioas_change_process, __reserved,
		 UIO_KF_MAP_FILE),
	IOCTL_OP(IOMMU_IOAS_COPY, iommufd_ioas_copy_ioctl,
		 struct iommu_ioas_copy, src_iova,
		 UIO_KF_BASE),
	IOCTL_OP(IOMMU_IOAS_IOVA_RANGES, iommufd_ioas_iova_ranges_ioctl,
		 struct iommu_ioas_iova_ranges, out_iova_alignment,
		 UIO_KF_BASE),
	IOCTL_OP(IOMMU_IOAS_MAP, iommufd_ioas_map_ioctl, struct iommu_ioas_map,
		 iova,
		 UIO_KF_BASE),
	IOCTL_OP(IOMMU_IOAS_MAP_FILE, iommufd_ioas_map_file_ioctl,
		 struct iommu_ioas_map_file, iova,
		 UIO_KF_MAP_FILE),
	IOCTL_OP(IOMMU_IOAS_UNMAP, iommufd_ioas_unmap_ioctl,
		 struct iommu_ioas_unmap, length,
		 UIO_KF_BASE),
	IOCTL_OP(IOMMU_OPTION, iommufd_option_ioctl, struct iommu_option, val64,
		 UIO_KF_BASE),
	IOCTL_OP(IOMMU_VFIO_IOAS, iommufd_vfio_ioas_ioctl,
		 struct iommu_vfio_ioas, __reserved,
		 UIO_KF_BASE),
	IOCTL_OP(IOMMU_TEST_CMD, iommufd_test_ioctl, struct iommu_test_cmd,
		 last,
		 UIO_KF_BASE),
	IOCTL_OP(IOMMU_FAULT_QUEUE_ALLOC, iommufd_fault_alloc_ioctl,
		 struct iommu_fault_alloc, out_fault_fd,
		 UIO_KF_FAULT_QUEUE),
	IOCTL_OP(IOMMU_GET_HW_INFO, iommufd_get_hw_info_ioctl,
		 struct iommu_hw_info, __reserved,
		 UIO_KF_HW_INFO),
	IOCTL_OP(IOMMU_HWPT_ALLOC, iommufd_hwpt_alloc_ioctl,
		 struct iommu_hwpt_alloc, __reserved,
		 UIO_KF_HWPT_ALLOC),
	IOCTL_OP(IOMMU_HWPT_GET_DIRTY_BITMAP,
		 iommufd_hwpt_get_dirty_bitmap_ioctl,
		 struct iommu_hwpt_get_dirty_bitmap, data,
		 UIO_KF_DIRTY_TRACKING),
	IOCTL_OP(IOMMU_HWPT_INVALIDATE, iommufd_hwpt_invalidate_ioctl,
		 struct iommu_hwpt_invalidate, __reserved,
		 UIO_KF_HWPT_INVALIDATE),
	IOCTL_OP(IOMMU_HWPT_SET_DIRTY_TRACKING,
		 iommufd_hwpt_set_dirty_tracking_ioctl,
		 struct iommu_hwpt_set_dirty_tracking, __reserved,
		 UIO_KF_DIRTY_TRACKING),
	IOCTL_OP(IOMMU_HW_QUEUE_ALLOC, iommufd_hw_queue_alloc_ioctl,
		 struct iommu_hw_queue_alloc, length,
		 UIO_KF_HW_QUEUE),
	IOCTL_OP(IOMMU_VDEVICE_ALLOC, iommufd_vdevice_alloc_ioctl,
		 struct iommu_vdevice_alloc, virt_id,
		 UIO_KF_VIOMMU),
	IOCTL_OP(IOMMU_VDEVICE_TSM_OP, iommufd_vdevice_tsm_op_ioctl,
		 struct iommu_vdevice_tsm_op, vdevice_id,
		 UIO_KF_TSM),
	IOCTL_OP(IOMMU_VEVENTQ_ALLOC, iommufd_veventq_alloc_ioctl,
		 struct iommu_veventq_alloc, out_veventq_fd,
		 UIO_KF_VEVENTQ),
	IOCTL_OP(IOMMU_VIOMMU_ALLOC, iommufd_viommu_alloc_ioctl,
		 struct iommu_viommu_alloc, out_viommu_id,
		 UIO_KF_VIOMMU),
};

const char *iommufd_ioctl_name(unsigned long cmd)
{
	unsigned int nr = _IOC_NR(cmd);

	if (_IOC_TYPE(cmd) != IOMMUFD_TYPE || nr < IOMMUFD_CMD_BASE ||
	    nr - IOMMUFD_CMD_BASE >= ARRAY_SIZE(iommufd_ioctl_ops))
		return NULL;
	return iommufd_ioctl_ops[nr - IOMMUFD_CMD_BASE].name;
}

long iommufd_ctx_ioctl(struct iommufd_ctx *ictx, unsigned long cmd, void *arg)
{
	const struct iommufd_ioctl_op *op;
	struct iommufd_ucmd ucmd = { .ictx = ictx, .ubuffer = arg };
	union ucmd_buffer buf;
	unsigned int nr, kernel_size;
	int rc;

	/* the ioctl system call's command is an unsigned int: higher bits of
	 * a long argument never reach a driver */
	cmd = (unsigned int)cmd;
	nr = _IOC_NR(cmd);

	uio_reason_clear();
	if (nr < IOMMUFD_CMD_BASE ||
	    nr - IOMMUFD_CMD_BASE >= ARRAY_SIZE(iommufd_ioctl_ops))
		return iommufd_vfio_ioctl(ictx, cmd, arg);
	op = &iommufd_ioctl_ops[nr - IOMMUFD_CMD_BASE];
	/* a release without the ioctl has no entry for it: ENOTTY unread */
	if (op->execute && op->ioctl_num == cmd) {
		rc = iommufd_kernel_check(ictx, op->since, ENOTTY, op->name);
		if (rc)
			return rc;
	}
	if (copy_from_user(&ucmd.user_size, arg, sizeof(ucmd.user_size)))
		return uio_fail(-EFAULT, "cannot read the size at %p", arg);
	if (!op->execute || op->ioctl_num != cmd)
		return uio_fail(-ENOTTY, "ioctl 0x%lx is not supported", cmd);
	if (ucmd.user_size < op->min_size)
		return uio_fail(-EINVAL, "%s: size %u < minimum %u", op->name,
				ucmd.user_size, op->min_size);
	ucmd.cmd = &buf;
	/* an older release's struct was shorter: copy (and answer) at its
	 * size, as that kernel would, and zero the fields it did not have */
	kernel_size = iommufd_kernel_struct_size(ictx, cmd);
	rc = copy_struct_from_user(&buf, kernel_size ?: op->size, arg,
				   ucmd.user_size);
	if (rc)
		return rc;
	if (kernel_size) {
		memset((char *)&buf + kernel_size, 0, op->size - kernel_size);
		if (ucmd.user_size > kernel_size)
			ucmd.user_size = kernel_size;
	}
	return op->execute(&ucmd);
}

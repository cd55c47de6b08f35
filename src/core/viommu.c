/* SPDX-License-Identifier: MIT */
/*
 * vIOMMU, vDEVICE and HW queue: the per-VM slice of a physical IOMMU
 * (VIOMMU), a device's guest-visible id on it (VDEVICE), a guest queue the
 * IOMMU model reads directly (HW_QUEUE), and the confidential-computing
 * operation on a vDEVICE (VDEVICE_TSM_OP).
 *
 * The kernel's design: a vIOMMU is made for the IOMMU unit behind a device,
 * over a NEST_PARENT paging HWPT it then holds (the VM's stage 2); nested
 * HWPTs may be made through it, and invalidations naming guest ids (vSIDs)
 * go to it. A vDEVICE ties a device to its virtual id on one vIOMMU (one per
 * device, one per id); when the device is unbound first, its vDEVICE is
 * destroyed and its object id left as a tombstone, so a later DESTROY of
 * that id is ENOENT and the id is not reused.
 *
 * A vIOMMU of a real model (SMMUv3) is the model's struct uio_viommu
 * (hw.h), whose vdev_find and report_event callbacks land here. The
 * selftest's vIOMMU type has no model state: the core serves it (its
 * invalidation clears the mock device's cache, selftest_mock.c), and with
 * user data it exposes two pages user space may mmap() from the iommufd fd
 * at the offset it returns, reading back in_data. A live mapping holds the
 * vIOMMU (DESTROY is EBUSY until munmap).
 *
 * HW queues: the selftest's (core-served, like its vIOMMU); a queue locks
 * the IOAS area it lives in. Not served: Tegra's CMDQV queues and the TSM
 * op beyond its argument checks.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/iommufd_test.h>

#include "core/eventq.h"
#include "core/kernel_compat.h"
#include "dev/dev.h"
#include "hw/hw.h"
#include "util/alloc.h"
#include "util/overflow.h"
#include "util/page.h"
#include "util/uaccess.h"

/* the selftest vIOMMU's mmap window (two pages, in_data at the start) */
#define SELFTEST_MMAP_PAGES 2

/*
 * Live mappings of vIOMMU pages, process-wide: munmap() names only an
 * address. Guarded by mmap_lock.
 */
struct viommu_mapping {
	struct viommu_mapping *next;
	void *addr;
	uint64_t length;
	struct iommufd_viommu *viommu;
};

static pthread_mutex_t mmap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct viommu_mapping *mappings;
/* mmap offsets handed out (page units), process-wide so they never repeat */
static uint64_t next_mmap_pgoff = 1;

static struct uio_hw_dev *viommu_vdev_find(struct uio_viommu *hw,
					   uint64_t virt_id)
{
	struct iommufd_viommu *viommu = hw->core;
	struct iommufd_vdevice *vdev;
	struct uio_hw_dev *found = NULL;

	pthread_mutex_lock(&viommu->vdevs_lock);
	cds_list_for_each_entry(vdev, &viommu->vdevs, node)
		if (vdev->virt_id == virt_id && vdev->idev)
			found = uio_dev_hw(vdev->idev->dev);
	pthread_mutex_unlock(&viommu->vdevs_lock);
	return found;
}

static void viommu_report_event(struct uio_viommu *hw, uint32_t type,
				const void *rec, size_t len)
{
	iommufd_viommu_report_event(hw->core, type, rec, len);
}

void iommufd_viommu_destroy(struct iommufd_object *obj)
{
	struct iommufd_viommu *viommu =
		container_of(obj, struct iommufd_viommu, obj);

	if (viommu->hw && viommu->hw->ops->free)
		viommu->hw->ops->free(viommu->hw);
	if (viommu->mmap_page)
		munmap(viommu->mmap_page, viommu->mmap_length);
	iommufd_object_put_user(&viommu->hwpt->common.obj);
	pthread_rwlock_destroy(&viommu->veventqs_rwsem);
	pthread_mutex_destroy(&viommu->vdevs_lock);
}

/* the selftest type's data: loop in_data back, hand out the mmap window */
static int viommu_selftest_init(struct iommufd_viommu *viommu,
				const struct iommu_viommu_alloc *cmd)
{
	struct iommu_viommu_selftest data = {};
	size_t len = cmd->data_len < sizeof(data) ? cmd->data_len :
						    sizeof(data);
	void *page;

	if (!cmd->data_len)
		return 0;
	if (cmd->data_len < sizeof(uint32_t))
		return uio_fail(-EINVAL, "data_len %u is below the minimum 4",
				cmd->data_len);
	if (copy_from_user(&data, u64_to_user_ptr(cmd->data_uptr), len))
		return uio_fail(-EFAULT, "cannot read the vIOMMU data");
	page = mmap(NULL, SELFTEST_MMAP_PAGES * PAGE_SIZE,
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return -ENOMEM;
	memcpy(page, &data.in_data, sizeof(data.in_data));
	viommu->mmap_page = page;
	viommu->mmap_length = SELFTEST_MMAP_PAGES * PAGE_SIZE;
	pthread_mutex_lock(&mmap_lock);
	viommu->mmap_offset = next_mmap_pgoff * PAGE_SIZE;
	next_mmap_pgoff += SELFTEST_MMAP_PAGES;
	pthread_mutex_unlock(&mmap_lock);
	data.out_data = data.in_data;
	data.out_mmap_offset = viommu->mmap_offset;
	data.out_mmap_length = viommu->mmap_length;
	if (copy_to_user(u64_to_user_ptr(cmd->data_uptr), &data, len))
		return uio_fail(-EFAULT, "cannot write the vIOMMU data back");
	return 0;
}

/*
 * IOMMU_VIOMMU_ALLOC, in the kernel's order: flags and type, the device,
 * whether its IOMMU serves the type, the HWPT (a nesting parent), the
 * model's initialisation with the user data.
 */
int iommufd_viommu_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;
	struct iommufd_hwpt_paging *hwpt_paging;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	struct uio_hw_dev *hw;
	struct uio_viommu *hv = NULL;
	void *data = NULL;
	bool selftest;
	int rc;

	if (cmd->flags)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown", cmd->flags);
	if (cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT)
		return uio_fail(-EOPNOTSUPP,
				"type DEFAULT is not a vIOMMU type");
	if (cmd->type == IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV ||
	    cmd->type == IOMMU_VIOMMU_TYPE_AMD) {
		rc = iommufd_kernel_check(
			ucmd->ictx,
			cmd->type == IOMMU_VIOMMU_TYPE_AMD ? UIO_KF_AMD_NESTING :
							     UIO_KF_HW_QUEUE,
			EOPNOTSUPP, "this vIOMMU type");
		if (rc)
			return rc;
	}

	idev = iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	hw = uio_dev_hw(idev->dev);
	selftest = hw->model == &uio_hw_mock &&
		   cmd->type == IOMMU_VIOMMU_TYPE_SELFTEST;
	if (!selftest && !hw->model->viommu_alloc) {
		rc = uio_fail(-EOPNOTSUPP, "%s: no vIOMMU of type 0x%x",
			      hw->model->name, cmd->type);
		goto out_put_idev;
	}
	hwpt_paging = iommufd_get_hwpt_paging(ucmd->ictx, cmd->hwpt_id);
	if (IS_ERR(hwpt_paging)) {
		rc = PTR_ERR(hwpt_paging);
		goto out_put_idev;
	}
	if (!hwpt_paging->nest_parent) {
		rc = uio_fail(-EINVAL, "hwpt %u is not a nesting parent",
			      cmd->hwpt_id);
		goto out_put_hwpt;
	}
	if (!selftest) {
		if (cmd->data_len) {
			data = uio_zalloc(cmd->data_len);
			if (!data) {
				rc = -ENOMEM;
				goto out_put_hwpt;
			}
			if (copy_from_user(data,
					   u64_to_user_ptr(cmd->data_uptr),
					   cmd->data_len)) {
				rc = uio_fail(-EFAULT,
					      "cannot read the vIOMMU data");
				goto out_put_hwpt;
			}
		}
		hv = hw->model->viommu_alloc(hw, hwpt_paging->common.domain,
					     cmd->type, data, cmd->data_len);
		if (IS_ERR(hv)) {
			rc = PTR_ERR(hv);
			goto out_put_hwpt;
		}
	}

	obj = iommufd_object_alloc(ucmd->ictx, sizeof(*viommu),
				   IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		if (hv && hv->ops->free)
			hv->ops->free(hv);
		goto out_put_hwpt;
	}
	viommu = container_of(obj, struct iommufd_viommu, obj);
	viommu->ictx = ucmd->ictx;
	viommu->type = cmd->type;
	viommu->hwpt = hwpt_paging;
	iommufd_object_get_user(&hwpt_paging->common.obj);
	pthread_rwlock_init(&viommu->veventqs_rwsem, NULL);
	pthread_mutex_init(&viommu->vdevs_lock, NULL);
	CDS_INIT_LIST_HEAD(&viommu->veventqs);
	CDS_INIT_LIST_HEAD(&viommu->vdevs);
	viommu->hw = hv;
	if (hv) {
		hv->core = viommu;
		hv->vdev_find = viommu_vdev_find;
		hv->report_event = viommu_report_event;
	} else {
		rc = viommu_selftest_init(viommu, cmd);
		if (rc)
			goto out_abort;
	}
	cmd->out_viommu_id = obj->id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_abort;
	iommufd_object_finalize(ucmd->ictx, obj);
	goto out_put_hwpt;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, obj);
out_put_hwpt:
	uio_free(data);
	iommufd_put_object(ucmd->ictx, &hwpt_paging->common.obj);
out_put_idev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}

struct iommufd_vdevice *iommufd_device_vdev_on(struct iommufd_device *idev,
					       struct iommufd_viommu *viommu)
{
	return idev->vdev && idev->vdev->viommu == viommu ? idev->vdev : NULL;
}

/* take @vdev off its vIOMMU and device (the object itself is freed by the
 * caller's path) */
static void vdevice_unlink(struct iommufd_vdevice *vdev)
{
	struct iommufd_viommu *viommu = vdev->viommu;
	struct iommufd_device *idev = vdev->idev;

	if (!idev)
		return;
	if (viommu->hw && viommu->hw->ops->vdevice_destroy)
		viommu->hw->ops->vdevice_destroy(viommu->hw,
						 uio_dev_hw(idev->dev),
						 vdev->virt_id);
	pthread_mutex_lock(&viommu->vdevs_lock);
	cds_list_del(&vdev->node);
	vdev->idev = NULL;
	pthread_mutex_unlock(&viommu->vdevs_lock);
	pthread_mutex_lock(&idev->lock);
	if (idev->vdev == vdev)
		idev->vdev = NULL;
	pthread_mutex_unlock(&idev->lock);
	iommufd_object_put_user(&idev->obj);
}

void iommufd_vdevice_destroy(struct iommufd_object *obj)
{
	struct iommufd_vdevice *vdev =
		container_of(obj, struct iommufd_vdevice, obj);

	vdevice_unlink(vdev);
	iommufd_object_put_user(&vdev->viommu->obj);
}

void iommufd_device_remove_vdev(struct iommufd_device *idev)
{
	struct iommufd_ctx *ictx = idev->ictx;
	struct iommufd_vdevice *vdev;

	pthread_mutex_lock(&idev->lock);
	vdev = idev->vdev;
	if (vdev)
		iommufd_object_get_user(&vdev->obj);
	pthread_mutex_unlock(&idev->lock);
	if (!vdev)
		return;
	/* drop its hold on the device now; the object is a tombstone */
	vdevice_unlink(vdev);
	iommufd_object_wait_shortterm(ictx, &vdev->obj);
	pthread_mutex_lock(&ictx->lock);
	iommufd_object_put_user(&vdev->obj);
	if (atomic_load(&vdev->obj.users) == 1 &&
	    idtable_find(&ictx->objects, vdev->obj.id) == &vdev->obj) {
		/* the id stays taken and unfindable */
		idtable_store(&ictx->objects, vdev->obj.id, IDTABLE_RESERVED);
		pthread_mutex_unlock(&ictx->lock);
		iommufd_object_free(&vdev->obj);
		return;
	}
	vdev->tombstoned = true;
	pthread_mutex_unlock(&ictx->lock);
}

/*
 * IOMMU_VDEVICE_ALLOC: one vDEVICE per device (EEXIST), one device per
 * virtual id on a vIOMMU (EEXIST), the device behind the vIOMMU's unit.
 */
int iommufd_vdevice_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	struct iommufd_vdevice *vdev, *cur;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	struct uio_hw_dev *hw;
	int rc;

	/* virt_id indexes a table keyed by unsigned long in the kernel */
	if (cmd->virt_id > (uint64_t)UINTPTR_MAX)
		return uio_fail(-EINVAL, "virt_id 0x%llx does not fit a long",
				(unsigned long long)cmd->virt_id);
	viommu = iommufd_get_viommu(ucmd->ictx, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);
	idev = iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_put_viommu;
	}
	hw = uio_dev_hw(idev->dev);
	if (hw->model != viommu->hwpt->common.domain->model ||
	    hw->instance != viommu->hwpt->common.domain->instance) {
		rc = uio_fail(-EINVAL,
			      "device %u is not behind viommu %u's IOMMU",
			      cmd->dev_id, cmd->viommu_id);
		goto out_put_idev;
	}
	obj = iommufd_object_alloc(ucmd->ictx, sizeof(*vdev),
				   IOMMUFD_OBJ_VDEVICE);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out_put_idev;
	}
	vdev = container_of(obj, struct iommufd_vdevice, obj);
	vdev->ictx = ucmd->ictx;
	vdev->virt_id = cmd->virt_id;

	pthread_mutex_lock(&idev->lock);
	pthread_mutex_lock(&viommu->vdevs_lock);
	if (idev->vdev) {
		rc = uio_fail(-EEXIST, "device %u already has vdevice %u",
			      cmd->dev_id, idev->vdev->obj.id);
		goto out_unlock;
	}
	cds_list_for_each_entry(cur, &viommu->vdevs, node) {
		if (cur->virt_id == cmd->virt_id) {
			rc = uio_fail(-EEXIST,
				      "virtual id 0x%llx is taken on viommu %u",
				      (unsigned long long)cmd->virt_id,
				      cmd->viommu_id);
			goto out_unlock;
		}
	}
	if (viommu->hw && viommu->hw->ops->vdevice_init) {
		rc = viommu->hw->ops->vdevice_init(viommu->hw, hw,
						   cmd->virt_id);
		if (rc)
			goto out_unlock;
	}
	vdev->viommu = viommu;
	iommufd_object_get_user(&viommu->obj);
	vdev->idev = idev;
	iommufd_object_get_user(&idev->obj);
	cds_list_add_tail(&vdev->node, &viommu->vdevs);
	idev->vdev = vdev;
	pthread_mutex_unlock(&viommu->vdevs_lock);
	pthread_mutex_unlock(&idev->lock);

	cmd->out_vdevice_id = obj->id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		iommufd_object_abort_and_destroy(ucmd->ictx, obj);
	else
		iommufd_object_finalize(ucmd->ictx, obj);
	goto out_put_idev;

out_unlock:
	pthread_mutex_unlock(&viommu->vdevs_lock);
	pthread_mutex_unlock(&idev->lock);
	iommufd_object_abort(ucmd->ictx, obj);
out_put_idev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
out_put_viommu:
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}

long iommufd_mmap(struct iommufd_ctx *ictx, uint64_t offset, uint64_t length,
		  void **addr)
{
	struct iommufd_viommu *viommu = NULL;
	struct viommu_mapping *m;
	uint32_t id;
	void *va;

	pthread_mutex_lock(&ictx->lock);
	for (id = idtable_next(&ictx->objects, 0); id;
	     id = idtable_next(&ictx->objects, id)) {
		struct iommufd_object *obj = idtable_find(&ictx->objects, id);
		struct iommufd_viommu *v;

		if (!obj || obj->type != IOMMUFD_OBJ_VIOMMU)
			continue;
		v = container_of(obj, struct iommufd_viommu, obj);
		if (v->mmap_page && v->mmap_offset == offset &&
		    v->mmap_length == length) {
			viommu = v;
			iommufd_object_get_user(&v->obj);
			break;
		}
	}
	pthread_mutex_unlock(&ictx->lock);
	if (!viommu)
		return uio_fail(-ENXIO,
				"nothing to map at offset 0x%llx length 0x%llx",
				(unsigned long long)offset,
				(unsigned long long)length);
	m = uio_zalloc(sizeof(*m));
	/* a second view of the vIOMMU's shared pages */
	va = m ? mremap(viommu->mmap_page, 0, length, MREMAP_MAYMOVE) :
		 MAP_FAILED;
	if (va == MAP_FAILED) {
		uio_free(m);
		iommufd_object_put_user(&viommu->obj);
		return -ENOMEM;
	}
	m->addr = va;
	m->length = length;
	m->viommu = viommu;
	pthread_mutex_lock(&mmap_lock);
	m->next = mappings;
	__atomic_store_n(&mappings, m, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&mmap_lock);
	*addr = va;
	return 0;
}

int iommufd_munmap(void *addr)
{
	struct viommu_mapping **pp, *m = NULL;

	/* every munmap() of the program passes here: no lock when none live */
	if (!__atomic_load_n(&mappings, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&mmap_lock);
	for (pp = &mappings; *pp; pp = &(*pp)->next) {
		if ((*pp)->addr == addr) {
			m = *pp;
			__atomic_store_n(pp, m->next, __ATOMIC_RELEASE);
			break;
		}
	}
	pthread_mutex_unlock(&mmap_lock);
	if (!m)
		return 0;
	iommufd_object_put_user(&m->viommu->obj);
	uio_free(m);
	return 1;
}

void iommufd_hw_queue_destroy(struct iommufd_object *obj)
{
	struct iommufd_hw_queue *q =
		container_of(obj, struct iommufd_hw_queue, obj);
	struct iommufd_viommu *viommu = q->viommu;

	pthread_mutex_lock(&viommu->vdevs_lock);
	if (viommu->hw_queues[q->index] == q)
		viommu->hw_queues[q->index] = NULL;
	pthread_mutex_unlock(&viommu->vdevs_lock);
	if (q->area)
		iopt_unlock_area(&q->ioas->iopt, q->area);
	if (q->prev)
		iommufd_object_put_user(&q->prev->obj);
	iommufd_object_put_user(&viommu->obj);
}

/*
 * IOMMU_HW_QUEUE_ALLOC. The kernel pins the queue's memory through the
 * nesting parent's IOAS first (ENOENT for an unmapped IOVA), locking its
 * area against unmap (EBUSY), then lets the model install the queue. The
 * selftest vIOMMU's queues: index < IOMMU_TEST_HW_QUEUE_MAX (EINVAL), one
 * per index (EEXIST), and each past the first needs, and holds, the one
 * before it (EIO). Real models serve no queue type yet (EOPNOTSUPP).
 */
int iommufd_hw_queue_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_queue_alloc *cmd = ucmd->cmd;
	struct iommufd_viommu *viommu;
	struct iommufd_hw_queue *q, *prev = NULL;
	struct iommufd_object *obj;
	struct iopt_area *area;
	struct iommufd_ioas *ioas;
	uint64_t last;
	int rc;

	if (cmd->flags)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown", cmd->flags);
	if (cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return uio_fail(-EOPNOTSUPP,
				"type DEFAULT is not a HW queue type");
	if (!cmd->length)
		return uio_fail(-EINVAL, "length 0");
	if (check_add_overflow(cmd->nesting_parent_iova, cmd->length - 1,
			       &last))
		return uio_fail(-EOVERFLOW,
				"queue at 0x%llx of length 0x%llx passes 2^64",
				(unsigned long long)cmd->nesting_parent_iova,
				(unsigned long long)cmd->length);

	viommu = iommufd_get_viommu(ucmd->ictx, cmd->viommu_id);
	if (IS_ERR(viommu))
		return PTR_ERR(viommu);
	if (viommu->hw || viommu->type != IOMMU_VIOMMU_TYPE_SELFTEST ||
	    cmd->type != IOMMU_HW_QUEUE_TYPE_SELFTEST) {
		rc = uio_fail(-EOPNOTSUPP,
			      "viommu %u serves no HW queue of type 0x%x",
			      cmd->viommu_id, cmd->type);
		goto out_put;
	}
	ioas = viommu->hwpt->ioas;
	area = iopt_lock_area(&ioas->iopt, cmd->nesting_parent_iova,
			      cmd->length);
	if (IS_ERR(area)) {
		rc = PTR_ERR(area);
		goto out_put;
	}
	pthread_mutex_lock(&viommu->vdevs_lock);
	if (cmd->index >= IOMMU_TEST_HW_QUEUE_MAX) {
		rc = uio_fail(-EINVAL, "queue index %u >= %u", cmd->index,
			      IOMMU_TEST_HW_QUEUE_MAX);
		goto out_unlock;
	}
	if (viommu->hw_queues[cmd->index]) {
		rc = uio_fail(-EEXIST, "queue %u exists", cmd->index);
		goto out_unlock;
	}
	if (cmd->index) {
		prev = viommu->hw_queues[cmd->index - 1];
		if (!prev) {
			rc = uio_fail(-EIO, "queue %u needs queue %u first",
				      cmd->index, cmd->index - 1);
			goto out_unlock;
		}
	}
	obj = iommufd_object_alloc(ucmd->ictx, sizeof(*q),
				   IOMMUFD_OBJ_HW_QUEUE);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out_unlock;
	}
	q = container_of(obj, struct iommufd_hw_queue, obj);
	q->viommu = viommu;
	iommufd_object_get_user(&viommu->obj);
	q->ioas = ioas;
	q->area = area;
	q->index = cmd->index;
	q->base_addr = cmd->nesting_parent_iova;
	q->length = cmd->length;
	if (prev) {
		q->prev = prev;
		iommufd_object_get_user(&prev->obj);
	}
	viommu->hw_queues[cmd->index] = q;
	pthread_mutex_unlock(&viommu->vdevs_lock);

	cmd->out_hw_queue_id = obj->id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		iommufd_object_abort_and_destroy(ucmd->ictx, obj);
	else
		iommufd_object_finalize(ucmd->ictx, obj);
	goto out_put;

out_unlock:
	pthread_mutex_unlock(&viommu->vdevs_lock);
	iopt_unlock_area(&ioas->iopt, area);
out_put:
	iommufd_put_object(ucmd->ictx, &viommu->obj);
	return rc;
}

int iommufd_vdevice_tsm_op_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_vdevice_tsm_op *cmd = ucmd->cmd;
	struct iommufd_object *obj;

	if (cmd->flags)
		return uio_fail(-EOPNOTSUPP, "flags 0x%x unknown", cmd->flags);

	obj = iommufd_get_object(ucmd->ictx, cmd->vdevice_id,
				 IOMMUFD_OBJ_VDEVICE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	/*
	 * The rest needs devices (the device milestone) and a TSM model: the
	 * vIOMMU must have been created with a KVM file (ENODEV), type must
	 * be BIND or UNBIND (EINVAL), and the TSM binds or unbinds the
	 * device. Unreachable until vDEVICE objects exist.
	 */
	iommufd_put_object(ucmd->ictx, obj);
	return uio_fail(-EOPNOTSUPP, "vdevice %u: TSM is not implemented",
			cmd->vdevice_id);
}

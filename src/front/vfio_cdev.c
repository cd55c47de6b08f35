/* SPDX-License-Identifier: MIT */
/*
 * The VFIO device cdev: /dev/vfio/devices/vfioN for emulated devices.
 *
 * Which devices exist is configuration: UIOMMUFD_VFIO_DEVS (uiommufd-run
 * --vfio-dev, repeatable) lists one SPEC per device, and device N is the
 * N-th, counting from 0; UIOMMUFD_IOMMU (--iommu) names the IOMMU model of
 * those whose SPEC names none (front/options.h parses both). The list is
 * read once, at the first open of a device node; each device (an emulated
 * device handle of front/dev_api.c, with its dev/ device) is made at the
 * first open of its own node and lives as long as the process, as a
 * physical device outlives the files opened on it.
 *
 * An open gives a file that is not bound yet: it refuses every ioctl but
 * VFIO_DEVICE_BIND_IOMMUFD with EINVAL, as the kernel's cdev does until the
 * bind opens the device. A device may be opened many times but bound through
 * one file at a time (the kernel's open_count rule for cdevs: the second
 * bind is EINVAL). The bound file's ioctls attach and detach the device and
 * its PASIDs through the handle (VFIO_DEVICE_ATTACH_IOMMUFD_PT attaches, or
 * replaces atomically what is attached already; detaching what is not
 * attached succeeds silently); closing the last descriptor of the bound file
 * detaches everything and unbinds, and the handle drops its reference on
 * the iommufd context.
 *
 * Beyond the iommufd ioctls the device is a vfio-pci device with nothing to
 * show: VFIO_DEVICE_GET_INFO says PCI with no regions, no IRQs and no reset,
 * and the ioctls about regions, IRQs, reset and features refuse what the
 * kernel refuses for a device without them (reasons say "not served yet"
 * where a real device would have something). Everything else is ENOTTY, the
 * vfio-pci default.
 *
 * Locking: node->lock orders bind, attach, detach and unbind of one device
 * (the kernel's dev_set lock); the handle takes its own lock inside. A
 * file's bound flag is written under node->lock and read without it
 * (release/acquire), as the kernel reads access_granted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/vfio.h>
#include <linux/vfio_iommufd.h>

#include "core/context.h"
#include "core/kernel_compat.h"
#include "front/dev_api.h"
#include "front/file.h"
#include "front/options.h"
#include "front/vfio_cdev.h"
#include "uiommufd/uiommufd.h"
#include "util/alloc.h"
#include "util/reason.h"
#include "util/uaccess.h"

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

struct vfio_cdev_file;

/* One configured device: /dev/vfio/devices/vfio<index>. */
struct vfio_node {
	pthread_mutex_t lock;
	unsigned int index;
	struct uio_vfio_dev_spec spec;
	struct uiommufd_dev *dev;     /* made at the first open; never freed */
	struct vfio_cdev_file *bound; /* the file bound to an iommufd */
};

/* One open of a node. */
struct vfio_cdev_file {
	struct uio_file file;
	struct vfio_node *node;
	atomic_bool bound; /* node->bound == this; set under node->lock */
};

static struct {
	pthread_once_t once;
	const char *default_model;
	unsigned int nr;
	struct vfio_node *nodes;
} reg = { .once = PTHREAD_ONCE_INIT };

/* ---- the configuration ---- */

static void say(const char *msg)
{
	/* raw: the shim's write() is ours */
	syscall(SYS_write, 2, msg, strlen(msg));
}

static int count_spec(void *opaque, unsigned int index,
		      const struct uio_vfio_dev_spec *spec)
{
	(void)spec;
	*(unsigned int *)opaque = index + 1;
	return 0;
}

static int store_spec(void *opaque, unsigned int index,
		      const struct uio_vfio_dev_spec *spec)
{
	struct vfio_node *node = &((struct vfio_node *)opaque)[index];

	node->index = index;
	node->spec = *spec;
	if (!node->spec.have_rid)
		node->spec.rid = (index + 1) << 3; /* 00:0N.0 */
	pthread_mutex_init(&node->lock, NULL);
	return 0;
}

static void registry_init(void)
{
	const char *devs = getenv(UIOMMUFD_ENV_VFIO_DEVS);
	const char *model = getenv(UIOMMUFD_ENV_IOMMU);
	unsigned int nr = 0;

	reg.default_model = UIO_IOMMU_DEFAULT;
	if (model && *model) {
		if (uio_iommu_model_name(model, strlen(model)))
			reg.default_model =
				uio_iommu_model_name(model, strlen(model));
		else
			say("uiommufd: UIOMMUFD_IOMMU is not vtd, smmuv3, amd "
			    "or mock; vtd used\n");
	}
	if (!devs || !*devs)
		return;
	if (uio_parse_vfio_devs(devs, count_spec, &nr) || !nr) {
		say("uiommufd: UIOMMUFD_VFIO_DEVS is not a list of device "
		    "specs; no VFIO device served\n");
		return;
	}
	reg.nodes = uio_zalloc(nr * sizeof(*reg.nodes));
	if (!reg.nodes) {
		say("uiommufd: out of memory for UIOMMUFD_VFIO_DEVS\n");
		return;
	}
	uio_parse_vfio_devs(devs, store_spec, reg.nodes);
	reg.nr = nr;
	/*
	 * A SPEC without a model took aw on trust: the default model's widths
	 * are known only now. Such a device still exists (the numbering stays),
	 * but its opens fail EINVAL, as uiommufd_dev_create() refuses it.
	 */
	for (nr = 0; nr < reg.nr; nr++) {
		const struct uio_vfio_dev_spec *spec = &reg.nodes[nr].spec;
		const char *m = spec->model ? spec->model : reg.default_model;
		char msg[128];

		if (uio_iommu_aw_ok(m, spec->aw))
			continue;
		snprintf(msg, sizeof(msg),
			 "uiommufd: vfio%u: aw=%u is not a width of the %s "
			 "IOMMU model; its opens fail\n",
			 nr, spec->aw, m);
		say(msg);
	}
}

/* The node's device, made now if this is its first open; node->lock held. */
static int node_get_dev(struct vfio_node *node)
{
	struct uiommufd_dev_config cfg = {
		.model = node->spec.model ? node->spec.model :
					    reg.default_model,
		.rid = node->spec.rid,
		.pasid_bits = node->spec.pasid_bits,
		.instance = node->spec.unit,
		.aw = node->spec.aw,
	};

	if (node->dev)
		return 0;
	if (node->spec.no_dirty)
		cfg.flags |= UIOMMUFD_DEV_NO_DIRTY;
	if (node->spec.ats)
		cfg.flags |= UIOMMUFD_DEV_ATS;
	if (node->spec.pri)
		cfg.flags |= UIOMMUFD_DEV_PRI;
	return uiommufd_dev_create(&cfg, &node->dev);
}

/* ---- bind ---- */

/*
 * The context behind @fd, held, for BIND_IOMMUFD: EBADF when @fd is not an
 * open descriptor, EBADFD when it is one but not an iommufd (the kernel's
 * iommufd_ctx_from_fd()).
 */
static struct iommufd_ctx *bind_get_ctx(int fd, int *err)
{
	struct iommufd_ctx *ictx = uio_fd_iommufd_ctx(fd);

	if (ictx)
		return ictx;
	if (syscall(SYS_fcntl, fd, F_GETFD) < 0 && errno == EBADF)
		*err = uio_fail(-EBADF, "iommufd %d is not an open descriptor",
				fd);
	else
		*err = uio_fail(-EBADFD, "fd %d is not an iommufd", fd);
	return NULL;
}

static long cdev_bind(struct vfio_cdev_file *cf, void *arg)
{
	const size_t minsz =
		offsetofend(struct vfio_device_bind_iommufd, out_devid);
	struct vfio_device_bind_iommufd bind;
	struct vfio_node *node = cf->node;
	struct iommufd_ctx *ictx;
	uint32_t argsz, dev_id;
	int rc;

	if (copy_from_user(&argsz, arg, sizeof(argsz)))
		return uio_fail(-EFAULT, "cannot read argsz at %p", arg);
	if (argsz < minsz)
		return uio_fail(-EINVAL, "argsz %u < %zu", argsz, minsz);
	rc = copy_struct_from_user(&bind, sizeof(bind), arg, argsz);
	if (rc)
		return rc;
	if (bind.iommufd < 0)
		return uio_fail(-EINVAL, "iommufd %d is negative", bind.iommufd);
	if (bind.flags & ~VFIO_DEVICE_BIND_FLAG_TOKEN)
		return uio_fail(-EINVAL, "flags 0x%x unknown",
				bind.flags & ~VFIO_DEVICE_BIND_FLAG_TOKEN);

	pthread_mutex_lock(&node->lock);
	if (atomic_load_explicit(&cf->bound, memory_order_relaxed)) {
		rc = uio_fail(-EINVAL, "this fd of vfio%u is bound already",
			      node->index);
		goto out_unlock;
	}
	if (bind.flags & VFIO_DEVICE_BIND_FLAG_TOKEN) {
		/* vfio-pci reads the token, then finds the device is
		 * neither an SR-IOV PF nor a VF */
		uint8_t uuid[16];

		if (copy_from_user(uuid, u64_to_user_ptr(bind.token_uuid_ptr),
				   sizeof(uuid)))
			rc = uio_fail(-EFAULT, "cannot read the VF token at 0x%llx",
				      (unsigned long long)bind.token_uuid_ptr);
		else
			rc = uio_fail(-EINVAL,
				      "a VF token for vfio%u, which is neither a PF nor a VF",
				      node->index);
		goto out_unlock;
	}
	ictx = bind_get_ctx(bind.iommufd, &rc);
	if (!ictx)
		goto out_unlock;
	if (node->bound) {
		iommufd_ctx_put(ictx);
		rc = uio_fail(-EINVAL,
			      "vfio%u is bound through another open file (a cdev device is opened once)",
			      node->index);
		goto out_unlock;
	}
	rc = uio_dev_handle_bind(node->dev, ictx, &dev_id);
	if (rc)
		goto out_unlock;
	if (copy_to_user((char *)arg +
				 offsetof(struct vfio_device_bind_iommufd,
					  out_devid),
			 &dev_id, sizeof(dev_id))) {
		uiommufd_dev_unbind(node->dev);
		rc = uio_fail(-EFAULT, "cannot write out_devid to %p", arg);
		goto out_unlock;
	}
	node->bound = cf;
	atomic_store_explicit(&cf->bound, true, memory_order_release);
out_unlock:
	pthread_mutex_unlock(&node->lock);
	return rc;
}

/* ---- attach and detach ---- */

/* PASIDs VFIO keeps in an IDA, whose ids are at most INT_MAX */
static bool pasid_fits_ida(uint32_t pasid)
{
	return pasid <= INT_MAX;
}

static long cdev_attach(struct vfio_cdev_file *cf, void *arg)
{
	const size_t minsz =
		offsetofend(struct vfio_device_attach_iommufd_pt, pt_id);
	const size_t xend =
		offsetofend(struct vfio_device_attach_iommufd_pt, pasid);
	struct vfio_device_attach_iommufd_pt attach = { 0 };
	struct vfio_node *node = cf->node;
	uint32_t pasid = UIOMMUFD_NO_PASID;
	unsigned int pt_id;
	bool replace;
	int rc;

	rc = copy_argsz_struct_from_user(&attach, arg, minsz);
	if (rc)
		return rc;
	if (attach.flags & ~VFIO_DEVICE_ATTACH_PASID)
		return uio_fail(-EINVAL, "flags 0x%x unknown",
				attach.flags & ~VFIO_DEVICE_ATTACH_PASID);
	if (attach.flags & VFIO_DEVICE_ATTACH_PASID) {
		rc = uio_kernel_check(uio_kernel_from_env(), UIO_KF_PASID,
				      EINVAL, "VFIO_DEVICE_ATTACH_PASID");
		if (rc)
			return rc;
		if (attach.argsz < xend)
			return uio_fail(-EINVAL,
					"argsz %u < %zu: ATTACH_PASID needs pasid",
					attach.argsz, xend);
		if (copy_from_user(&attach.pasid, (char *)arg + minsz,
				   xend - minsz))
			return uio_fail(-EFAULT, "cannot read pasid at %p",
					(char *)arg + minsz);
		pasid = attach.pasid;
	}

	pthread_mutex_lock(&node->lock);
	if ((attach.flags & VFIO_DEVICE_ATTACH_PASID) &&
	    !pasid_fits_ida(pasid)) {
		rc = uio_fail(-ENOSPC, "PASID 0x%x is past INT_MAX", pasid);
		goto out_unlock;
	}
	pt_id = attach.pt_id;
	replace = uio_dev_handle_attached(node->dev, pasid);
	if (replace)
		rc = uiommufd_dev_replace(node->dev, pasid, &pt_id);
	else
		rc = uiommufd_dev_attach(node->dev, pasid, &pt_id);
	if (rc)
		goto out_unlock;
	if (copy_to_user((char *)arg +
				 offsetof(struct vfio_device_attach_iommufd_pt,
					  pt_id),
			 &pt_id, sizeof(uint32_t))) {
		/* the caller never learns what it attached: undo it (the
		 * kernel detaches the RID here, whatever was attached) */
		uiommufd_dev_detach(node->dev, pasid);
		rc = uio_fail(-EFAULT, "cannot write pt_id to %p", arg);
	}
out_unlock:
	pthread_mutex_unlock(&node->lock);
	return rc;
}

static long cdev_detach(struct vfio_cdev_file *cf, void *arg)
{
	const size_t minsz =
		offsetofend(struct vfio_device_detach_iommufd_pt, flags);
	const size_t xend =
		offsetofend(struct vfio_device_detach_iommufd_pt, pasid);
	struct vfio_device_detach_iommufd_pt detach = { 0 };
	struct vfio_node *node = cf->node;
	uint32_t pasid = UIOMMUFD_NO_PASID;
	int rc;

	rc = copy_argsz_struct_from_user(&detach, arg, minsz);
	if (rc)
		return rc;
	if (detach.flags & ~VFIO_DEVICE_DETACH_PASID)
		return uio_fail(-EINVAL, "flags 0x%x unknown",
				detach.flags & ~VFIO_DEVICE_DETACH_PASID);
	if (detach.flags & VFIO_DEVICE_DETACH_PASID) {
		rc = uio_kernel_check(uio_kernel_from_env(), UIO_KF_PASID,
				      EINVAL, "VFIO_DEVICE_DETACH_PASID");
		if (rc)
			return rc;
		if (detach.argsz < xend)
			return uio_fail(-EINVAL,
					"argsz %u < %zu: DETACH_PASID needs pasid",
					detach.argsz, xend);
		if (copy_from_user(&detach.pasid, (char *)arg + minsz,
				   xend - minsz))
			return uio_fail(-EFAULT, "cannot read pasid at %p",
					(char *)arg + minsz);
		/* a PASID VFIO cannot have attached is never attached */
		if (!pasid_fits_ida(detach.pasid))
			return 0;
		pasid = detach.pasid;
	}
	/* detaching what is not attached succeeds, as in the kernel */
	pthread_mutex_lock(&node->lock);
	if (uio_dev_handle_attached(node->dev, pasid))
		uiommufd_dev_detach(node->dev, pasid);
	pthread_mutex_unlock(&node->lock);
	return 0;
}

/* ---- what vfio-pci answers for a device with nothing to show ---- */

static long cdev_get_info(void *arg)
{
	const size_t minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;
	int rc;

	rc = copy_argsz_struct_from_user(&info, arg, minsz);
	if (rc)
		return rc;
	/* no RESET: the device has no reset to offer; regions and IRQs are
	 * not emulated, and no capability chain follows */
	info.flags = VFIO_DEVICE_FLAGS_PCI;
	info.num_regions = 0;
	info.num_irqs = 0;
	if (copy_to_user(arg, &info, minsz))
		return uio_fail(-EFAULT, "cannot write the reply to %p", arg);
	return 0;
}

static long cdev_get_region_info(void *arg)
{
	const size_t minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;
	int rc;

	rc = copy_argsz_struct_from_user(&info, arg, minsz);
	if (rc)
		return rc;
	return uio_fail(-EINVAL,
			"region %u: the device has no regions (regions are not served yet)",
			info.index);
}

static long cdev_get_irq_info(void *arg)
{
	const size_t minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;
	int rc;

	rc = copy_argsz_struct_from_user(&info, arg, minsz);
	if (rc)
		return rc;
	return uio_fail(-EINVAL,
			"IRQ index %u: the device has no IRQs (IRQs are not served yet)",
			info.index);
}

static long cdev_feature(void *arg)
{
	const size_t minsz = offsetofend(struct vfio_device_feature, flags);
	const uint32_t known = VFIO_DEVICE_FEATURE_MASK |
			       VFIO_DEVICE_FEATURE_GET |
			       VFIO_DEVICE_FEATURE_SET |
			       VFIO_DEVICE_FEATURE_PROBE;
	struct vfio_device_feature feature;
	int rc;

	rc = copy_argsz_struct_from_user(&feature, arg, minsz);
	if (rc)
		return rc;
	if (feature.flags & ~known)
		return uio_fail(-EINVAL, "flags 0x%x unknown",
				feature.flags & ~known);
	if (!(feature.flags & VFIO_DEVICE_FEATURE_PROBE) &&
	    (feature.flags & VFIO_DEVICE_FEATURE_SET) &&
	    (feature.flags & VFIO_DEVICE_FEATURE_GET))
		return uio_fail(-EINVAL, "GET and SET without PROBE");
	return uio_fail(-ENOTTY,
			"feature %u: device features are not served yet",
			feature.flags & VFIO_DEVICE_FEATURE_MASK);
}

/* ---- the file ---- */

static long cdev_ioctl(struct uio_file *file, unsigned long cmd, void *arg)
{
	struct vfio_cdev_file *cf = file->priv;

	cmd = (unsigned int)cmd;
	if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
		return cdev_bind(cf, arg);
	if (!atomic_load_explicit(&cf->bound, memory_order_acquire))
		return uio_fail(-EINVAL,
				"vfio%u is not bound: VFIO_DEVICE_BIND_IOMMUFD first",
				cf->node->index);
	switch (cmd) {
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		return cdev_attach(cf, arg);
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return cdev_detach(cf, arg);
	case VFIO_DEVICE_GET_INFO:
		return cdev_get_info(arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return cdev_get_region_info(arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return cdev_get_irq_info(arg);
	case VFIO_DEVICE_RESET:
		return uio_fail(-EINVAL, "vfio%u has no reset",
				cf->node->index);
	case VFIO_DEVICE_FEATURE:
		return cdev_feature(arg);
	default:
		return uio_fail(-ENOTTY, "ioctl 0x%lx is not a VFIO device ioctl",
				cmd);
	}
}

static void cdev_release(struct uio_file *file)
{
	struct vfio_cdev_file *cf = file->priv;
	struct vfio_node *node = cf->node;

	pthread_mutex_lock(&node->lock);
	if (node->bound == cf) {
		/* detaches every PASID and the RID, then unbinds */
		uiommufd_dev_unbind(node->dev);
		node->bound = NULL;
	}
	pthread_mutex_unlock(&node->lock);
	uio_free(cf);
}

/* The kernel's vfio_device_fops: read, write and mmap need a region. */
static const struct uio_file_ops vfio_cdev_ops = {
	.name = "VFIO device",
	.ioctl = cdev_ioctl,
	.release = cdev_release,
};

int uio_vfio_cdev_open(unsigned int index, int flags)
{
	struct vfio_cdev_file *cf;
	struct vfio_node *node;
	int rc;

	pthread_once(&reg.once, registry_init);
	if (index >= reg.nr)
		return -ENOENT;
	/* before 6.6 there were no device cdevs: no such file */
	rc = uio_kernel_check(uio_kernel_from_env(), UIO_KF_VFIO_CDEV, ENOENT,
			      "the VFIO device cdev");
	if (rc)
		return rc;
	node = &reg.nodes[index];
	pthread_mutex_lock(&node->lock);
	rc = node_get_dev(node);
	pthread_mutex_unlock(&node->lock);
	if (rc)
		return rc;
	cf = uio_zalloc(sizeof(*cf));
	if (!cf)
		return uio_fail(-ENOMEM, "no memory for a VFIO device file");
	cf->node = node;
	cf->file.ops = &vfio_cdev_ops;
	cf->file.flags = flags & (O_CLOEXEC | O_NONBLOCK);
	cf->file.priv = cf;
	rc = uio_file_install(&cf->file, cf->file.flags);
	if (rc < 0)
		uio_free(cf);
	return rc;
}

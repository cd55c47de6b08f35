/* SPDX-License-Identifier: MIT */
/*
 * libuiommufd: the Linux iommufd interface, served in user space.
 *
 * The library hands out file descriptors that behave like an open of
 * /dev/iommu: every descriptor is a real kernel fd underneath (so its number,
 * close-on-exec flag and poll behaviour are real), and the engine keeps a table
 * from fd number to the emulated file behind it. The same calls serve the
 * preload shim (which routes a program's open/ioctl/close here) and programs
 * that link the library directly.
 *
 * Every function returns a non-negative value on success and -errno on
 * failure; none of them sets errno or logs.
 */
#ifndef UIOMMUFD_UIOMMUFD_H
#define UIOMMUFD_UIOMMUFD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * uiommufd_open() - open a new iommufd context, like open("/dev/iommu")
 * @flags: O_CLOEXEC and O_NONBLOCK are honoured, other open flags ignored
 *
 * Return: the new file descriptor, or -errno.
 */
int uiommufd_open(int flags);

/**
 * uiommufd_open_path() - open a device node the library serves
 * @path: "/dev/iommu"; "/dev/vfio/vfio" (an iommufd that is also a VFIO type1
 *        container, as Linux provides it with CONFIG_IOMMUFD_VFIO_CONTAINER);
 *        or "/dev/vfio/devices/vfioN", an emulated VFIO device cdev
 *        configured with UIOMMUFD_VFIO_DEVS (uiommufd-run --vfio-dev)
 * @flags: open(2) flags; O_CLOEXEC and O_NONBLOCK are honoured,
 *         O_DIRECTORY and O_CREAT|O_EXCL fail as on a character device
 *
 * Return: the new file descriptor, -ENOENT if @path is none of these (the
 * caller may open the real file), or another -errno.
 */
int uiommufd_open_path(const char *path, int flags);

/**
 * uiommufd_ioctl() - issue an iommufd ioctl on an emulated fd
 * @fd: a descriptor from uiommufd_open() or one the engine handed out
 * @request: the ioctl number, e.g. IOMMU_IOAS_MAP
 * @arg: the ioctl argument (a user pointer; a bad one gives -EFAULT)
 *
 * Return: 0 (or a non-negative ioctl result) on success, -errno on failure.
 */
long uiommufd_ioctl(int fd, unsigned long request, void *arg);

/** uiommufd_read() - read(2) on an emulated fd (event and fault queues). */
ssize_t uiommufd_read(int fd, void *buf, size_t count);

/** uiommufd_write() - write(2) on an emulated fd (fault responses). */
ssize_t uiommufd_write(int fd, const void *buf, size_t count);

/**
 * uiommufd_close() - close an emulated fd; the last close of a context tears
 * down every object it holds. Return: 0 or -EBADF.
 */
int uiommufd_close(int fd);

/**
 * uiommufd_mmap() - mmap(2) of an emulated iommufd fd: the pages a vIOMMU
 * hands out at @offset (the selftest vIOMMU's window). @flags must include
 * MAP_SHARED (else -EINVAL), @prot not PROT_EXEC (-EPERM); an offset and
 * length that name no such pages are -ENXIO. On success *@addr is the
 * mapping (@hint is ignored, as MAP_FIXED is not supported: -EINVAL).
 */
int uiommufd_mmap(int fd, void *hint, size_t length, int prot, int flags,
		  off_t offset, void **addr);

/**
 * uiommufd_munmap() - tell the engine that [@addr, @addr + @length) is
 * being unmapped (before munmap(2) itself): a vIOMMU mapping made by
 * uiommufd_mmap() stops holding its vIOMMU. Return: 1 if it was one, else 0.
 */
int uiommufd_munmap(void *addr, size_t length);

/** uiommufd_is_emulated() - true if @fd is a descriptor the engine serves. */
bool uiommufd_is_emulated(int fd);

/**
 * uiommufd_fd_dup() - record that @newfd (already made by dup/dup2/dup3/
 * fcntl(F_DUPFD)) refers to the same emulated file as @oldfd. If @newfd was
 * itself emulated, its old file is released first.
 *
 * Return: 0, or -EBADF if @oldfd is not emulated.
 */
int uiommufd_fd_dup(int oldfd, int newfd);

/**
 * uiommufd_fd_forget() - drop the engine's record of @fd without closing the
 * kernel fd (the caller closes it). Used when a program closes or dup2()s over
 * an emulated fd.
 */
void uiommufd_fd_forget(int fd);

/**
 * uiommufd_fd_forget_range() - uiommufd_fd_forget() for every emulated fd in
 * [@first, @last], as close_range() or closefrom() closing them needs; it
 * walks only the fds the engine holds, however wide the range.
 */
void uiommufd_fd_forget_range(unsigned int first, unsigned int last);

/**
 * uiommufd_fail_nth() - arm fault injection: the @nth failure point reached
 * from now on (1-based) fails as if out of memory; 0 disarms.
 */
void uiommufd_fail_nth(unsigned long nth);

/**
 * uiommufd_fail_nth_hit() - true if the armed failure has been injected since
 * the last uiommufd_fail_nth() call. A sweep stops when a scenario completes
 * without it being hit.
 */
bool uiommufd_fail_nth_hit(void);

/**
 * uiommufd_last_reason() - the reason, in words, why the last failed call on
 * this thread was refused ("iova 0x1000 overlaps reserved range ..."), or ""
 */
const char *uiommufd_last_reason(void);

/* ---- state dump ---- */

/* uiommufd_dump() flags */
#define UIOMMUFD_DUMP_JSON (1u << 0) /* one JSON document instead of text */

/**
 * uiommufd_dump() - write the state of an iommufd context to @out_fd
 * @iommufd: an emulated iommufd, or -1 for every context the process has
 *           open (each listed once, with all the fds that refer to it)
 * @out_fd: where to write (with the write system call; not an emulated fd)
 * @flags: 0 for readable text, UIOMMUFD_DUMP_JSON for JSON
 *
 * The dump lists every object with its id, type and reference counts; each
 * IOAS with its areas, reserved and allowed ranges, alignment and domains;
 * each paging HWPT with its model, flags, aperture, page sizes, dirty
 * tracking and a census of its page table; each device with its
 * attachments and DMA counters; each access; and the process-wide pinned
 * page totals. It may run while other threads issue ioctls; objects
 * destroyed meanwhile are left out. The JSON document is
 * {"uiommufd_dump": 1 (its layout version), "pid", "pin_ledger",
 * "contexts": [{"fds", "rlimit_mode", "vfio_compat_ioas", "objects": [...]}]}
 * with one member per object in id order; the text says the same.
 *
 * The library also dumps by itself when the environment asks, read when it
 * is loaded: UIOMMUFD_DUMP_ON_EXIT=FILE (or "-" for stderr) dumps every
 * live context at process exit (a process with none writes nothing);
 * UIOMMUFD_DUMP_SIGNAL=SIG (USR1, SIGUSR2, RTMIN+2, a number) dumps on each
 * such signal, to the same FILE when set, else to stderr. A FILE ending in
 * ".json", or UIOMMUFD_DUMP_FORMAT=json, selects JSON.
 *
 * Return: 0, -EBADF (@iommufd is not an emulated iommufd, @out_fd cannot be
 * written), -EINVAL (unknown @flags, @out_fd is emulated), -ENOMEM, or the
 * write's -errno.
 */
int uiommufd_dump(int iommufd, int out_fd, unsigned int flags);

/* ---- emulated devices that DMA through a software IOMMU ---- */

struct uiommufd_dev;

/* uiommufd_dev_config.flags */
#define UIOMMUFD_DEV_NO_DIRTY (1u << 0) /* the IOMMU cannot track dirty */
#define UIOMMUFD_DEV_ATS (1u << 2)      /* ATS capable */
#define UIOMMUFD_DEV_PRI (1u << 3)      /* page requests capable */

/* the "no PASID" (requester id alone) attachment and DMA */
#define UIOMMUFD_NO_PASID 0xffffffffu

/**
 * struct uiommufd_dev_config - what an emulated device is
 * @model: the IOMMU in front of it: "mock", "vtd", "smmuv3" or "amd"
 * @rid: requester id (PCI bus/device/function, or SMMU stream id)
 * @pasid_bits: PASID width, 0 for a device without PASID (at most 20)
 * @flags: UIOMMUFD_DEV_*
 * @instance: which IOMMU unit of that model the device sits behind; domains
 *            of one unit cannot be attached to devices of another
 * @aw: the IOMMU's address width in bits, as its registers report it
 *      (IOMMU_GET_HW_INFO) and its domains translate; 0 for the model's
 *      default. "vtd": 39, 48 (default) or 57 (MGAW, SAGAW, FS5LP);
 *      "smmuv3": 32, 36, 40, 42, 44 or 48 (default), the SMMU_IDR5.OAS
 *      and stage-2 input size; "amd": 48 (default) or 57 (EFR.HATS/GATS);
 *      "mock": 0 only. A domain made for a wider device does not attach to
 *      a narrower one of the same unit.
 */
struct uiommufd_dev_config {
	const char *model;
	unsigned int rid;
	unsigned int pasid_bits;
	unsigned int flags;
	unsigned int instance;
	unsigned int aw;
};

/** uiommufd_dev_create() - a new device; 0 or -EINVAL (unknown model,
 * PASID width, address width) / -ENOMEM */
int uiommufd_dev_create(const struct uiommufd_dev_config *cfg,
			struct uiommufd_dev **ret);

/** uiommufd_dev_destroy() - unbind (detaching everything) and free */
void uiommufd_dev_destroy(struct uiommufd_dev *dev);

/**
 * uiommufd_dev_bind() - bind the device to the iommufd context behind
 * @iommufd, as VFIO_DEVICE_BIND_IOMMUFD does: it becomes a DEVICE object
 * whose id (*@out_dev_id) the context's ioctls accept (IOMMU_GET_HW_INFO,
 * IOMMU_HWPT_ALLOC). -EBADF if @iommufd is not an emulated iommufd, -EBUSY
 * if the device is bound already.
 */
int uiommufd_dev_bind(struct uiommufd_dev *dev, int iommufd,
		      unsigned int *out_dev_id);

/** uiommufd_dev_unbind() - detach everything and unbind; -ENODEV if not bound */
int uiommufd_dev_unbind(struct uiommufd_dev *dev);

/**
 * uiommufd_dev_attach() - attach @pasid (or UIOMMUFD_NO_PASID) to *@pt_id,
 * an IOAS (an automatic domain is found or made, its HWPT id written back)
 * or a HWPT, as VFIO_DEVICE_ATTACH_IOMMUFD_PT does. -EINVAL if attached
 * already or incompatible, -ENOENT for no such object, -ENODEV if unbound.
 */
int uiommufd_dev_attach(struct uiommufd_dev *dev, unsigned int pasid,
			unsigned int *pt_id);
/** uiommufd_dev_replace() - the same, swapping an existing attachment */
int uiommufd_dev_replace(struct uiommufd_dev *dev, unsigned int pasid,
			 unsigned int *pt_id);
/** uiommufd_dev_detach() - detach @pasid (DMA is then blocked) */
int uiommufd_dev_detach(struct uiommufd_dev *dev, unsigned int pasid);

/**
 * uiommufd_dma_read() / uiommufd_dma_write() - DMA @len bytes at @iova
 * through the domain attached at @pasid. 0, or -EFAULT if some page does not
 * translate or lacks the permission (counted in the device's stats; bytes
 * before the faulting page may have moved), -EINVAL for a bad PASID.
 */
int uiommufd_dma_read(struct uiommufd_dev *dev, unsigned int pasid,
		      unsigned long long iova, void *buf, size_t len);
int uiommufd_dma_write(struct uiommufd_dev *dev, unsigned int pasid,
		       unsigned long long iova, const void *buf, size_t len);
/**
 * uiommufd_dma_cas64() - atomic compare-and-swap of the 8 bytes at @iova
 * (8-byte aligned): 0 if *@old matched and @new_val was written, -EAGAIN if
 * not (*@old gets the value found), -EFAULT on a fault.
 */
int uiommufd_dma_cas64(struct uiommufd_dev *dev, unsigned int pasid,
		       unsigned long long iova, unsigned long long *old,
		       unsigned long long new_val);

/** struct uiommufd_dev_stats - a device's DMA counters */
struct uiommufd_dev_stats {
	unsigned long long dma_ops, dma_bytes;
	unsigned long long iotlb_hits, iotlb_misses;
	unsigned long long faults_translation, faults_permission;
};

void uiommufd_dev_get_stats(struct uiommufd_dev *dev,
			    struct uiommufd_dev_stats *stats);

#ifdef __cplusplus
}
#endif
#endif

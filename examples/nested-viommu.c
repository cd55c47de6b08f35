/* SPDX-License-Identifier: MIT */
/*
 * nested-viommu: what a VMM with a virtual SMMUv3 (or VT-d) does with an
 * iommufd when the guest owns stage 1: the guest's page tables translate
 * device addresses (IOVA) to guest physical addresses (GPA), the host's
 * stage 2 translates GPA to host memory, and the hardware walks both.
 *
 *   nested-viommu [MODEL]      MODEL: smmuv3 (default) or vtd
 *
 * The flow, one numbered step per stage of a VMM's life:
 *
 *   1  guest RAM (a memfd), /dev/iommu, an emulated PCI device with PRI
 *      (it can post page requests), bound to the iommufd;
 *   2  IOMMU_GET_HW_INFO (the registers the vIOMMU will mirror to the
 *      guest), IOAS_ALLOC, IOAS_MAP_FILE of guest RAM at its GPA;
 *   3  the stage-2 HWPT (NEST_PARENT, with DIRTY_TRACKING when the IOMMU
 *      can track dirty pages at stage 2), and for SMMUv3 the vIOMMU over
 *      it, the device's vDEVICE (its virtual stream id) and a vEVENTQ;
 *      then a fault queue (IOMMU_FAULT_QUEUE_ALLOC) for page requests;
 *   4  the guest writes its stage-1 tables into guest RAM (SMMUv3: a
 *      context descriptor and an LPAE table; VT-d: an x86-64 first-stage
 *      table); the VMM turns the guest's STE (VT-d: PASID entry) into a
 *      nested HWPT that reports page requests to the fault queue, and
 *      attaches the device to it;
 *   5  device DMA through both stages lands in the right guest page;
 *   6  the guest changes a stage-1 entry: the device's IOTLB keeps using
 *      the old translation until the guest's invalidation, in the
 *      hardware's own format (SMMUv3 CMDQ commands on the vIOMMU; VT-d
 *      descriptors on the nested HWPT), reaches IOMMU_HWPT_INVALIDATE;
 *   7  an IO page fault: the device (on a thread of its own, as in a real
 *      emulator) writes at an IOVA the guest has not mapped; it blocks
 *      while its page request waits in the fault queue; the VMM reads it,
 *      "the guest" maps the page and invalidates, the VMM answers SUCCESS
 *      and the device's retry lands. Then the same fault without a fault
 *      queue: SMMUv3 reports it as an event record on the vEVENTQ (VT-d
 *      has no event queue in iommufd: the fault is only the device's);
 *   8  a live-migration dirty pass on the stage-2 parent: tracking on,
 *      device writes, GET_DIRTY_BITMAP over guest RAM names exactly the
 *      guest pages written, a harvest clears them, tracking off;
 *   9  teardown, in the order the objects hold each other.
 *
 * What differs between the models is what differs in Linux: SMMUv3
 * nests through a vIOMMU (IOMMU_VIOMMU_TYPE_ARM_SMMUV3) that takes the
 * guest's CMDQ commands and queues its events; VT-d nests directly on the
 * parent HWPT and takes invalidations on the nested HWPT. And the Linux
 * SMMUv3 driver has no dirty tracking on a stage-2 (nesting parent)
 * table, so with SMMUv3 step 3 asks, is refused, and step 8 is skipped;
 * run with "vtd" to see the dirty pass.
 *
 * Guest RAM is 1 MiB, smaller than a 2 MiB leaf, so stage 2 maps it with
 * 4 KiB IOPTEs and the dirty bitmap is exact per page (with large leaves a
 * write marks its whole leaf dirty: see vmm-flow).
 *
 * As in vmm-flow, /dev/iommu is opened with open(): under `uiommufd-run --
 * nested-viommu` the preload serves that fd and the event and fault fds
 * (read, write, close). Run alone, it falls back to uiommufd_open() and
 * reaches every fd through the library (uiommufd_ioctl, uiommufd_read,
 * uiommufd_write, uiommufd_close). poll() needs neither: the queue fds are
 * real eventfds underneath. The device is the library's (uiommufd_dev_*),
 * standing in for a VFIO device cdev; uiommufd_dma_read/write stand in for
 * its bus-master accesses.
 *
 * Every ioctl and every read or write of a queue is issued by the main
 * thread; the device's thread in step 7 only DMAs, so the sequence of calls
 * (what `uiommufd-run --trace` records) is the same on every run.
 *
 * Each step prints its lines; any unexpected result prints why and exits 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <uiommufd/uiommufd.h>

#define PAGE 4096ULL

/* guest RAM: 1 MiB at GPA 1 GiB (where an arm64 "virt" machine has RAM) */
#define RAM_GPA 0x40000000ULL
#define RAM_SIZE (1ULL << 20)
#define RAM_PAGES (RAM_SIZE / PAGE)

/* where the guest keeps things in its RAM (offsets from RAM_GPA) */
#define CD_TABLE_OFF 0x0000ULL /* SMMUv3: one 64-byte context descriptor */
#define TABLES_OFF 0x1000ULL /* stage-1 table pages, allocated upwards */
#define TABLES_END 0x10000ULL
#define PAGE_A_OFF 0x10000ULL /* step 5's buffer */
#define PAGE_B_OFF 0x11000ULL /* step 6 moves IOVA_A here */
#define PAGE_PRI_OFF 0x12000ULL /* mapped on demand in step 7 */
/* step 8's device buffers: three pages, the last one of RAM among them */
static const uint64_t dirty_offs[] = { 0x20000, 0x23000, RAM_SIZE - PAGE };
#define NDIRTY (sizeof(dirty_offs) / sizeof(dirty_offs[0]))

/* the device addresses the guest driver hands out (stage-1 input) */
#define IOVA_A 0x10000000ULL
#define IOVA_PRI 0x10001000ULL /* not mapped until the page request */
#define IOVA_HOLE 0x10002000ULL /* never mapped */
#define IOVA_BUF 0x10100000ULL /* step 8: dirty_offs[i] at + i pages */

#define HOST_SID 0x100 /* the device's requester / stream id on the host */
#define VSID 0x8 /* and the one the guest sees on its vSMMU */
#define GUEST_ASID 1 /* the guest's ASID in its context descriptor */

static int iommufd = -1;
static bool via_open; /* fds from open(): libc calls; else uiommufd_*() */
static bool smmu; /* the model: SMMUv3, else VT-d */
static uint8_t *ram; /* guest RAM, as the VMM maps it */
static uint64_t next_table = TABLES_OFF;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("nested-viommu: FAILED: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(1);
}

/* ---- the fds, whichever way they are served ---- */

/* one iommufd ioctl: 0 or -errno */
static long iommufd_ioctl(unsigned long request, void *arg)
{
	if (via_open)
		return ioctl(iommufd, request, arg) ? -errno : 0;
	return uiommufd_ioctl(iommufd, request, arg);
}

/* read() or write() of an event or fault queue fd: bytes, or -errno */
static ssize_t queue_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	if (!via_open)
		return uiommufd_read(fd, buf, len);
	n = read(fd, buf, len);
	return n < 0 ? -errno : n;
}

static ssize_t queue_write(int fd, const void *buf, size_t len)
{
	ssize_t n;

	if (!via_open)
		return uiommufd_write(fd, buf, len);
	n = write(fd, buf, len);
	return n < 0 ? -errno : n;
}

static void close_fd(int fd)
{
	if (via_open)
		close(fd);
	else
		uiommufd_close(fd);
}

static void must(long rc, const char *what)
{
	if (rc < 0)
		die("%s: %s (%s)", what, strerror((int)-rc),
		    uiommufd_last_reason());
}

static void destroy(uint32_t id, const char *what)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	must(iommufd_ioctl(IOMMU_DESTROY, &cmd), what);
}

static void open_iommufd(void)
{
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd >= 0 && uiommufd_is_emulated(iommufd)) {
		via_open = true;
		printf("  open(\"/dev/iommu\")   -> fd %d, served by the uiommufd preload\n",
		       iommufd);
		return;
	}
	if (iommufd >= 0) {
		/* a kernel iommufd cannot bind the library's device */
		printf("  open(\"/dev/iommu\")   -> a kernel iommufd; not used, emulated devices need uiommufd's\n");
		close(iommufd);
	} else {
		printf("  open(\"/dev/iommu\")   -> %s (not under uiommufd-run)\n",
		       strerror(errno));
	}
	iommufd = uiommufd_open(O_CLOEXEC);
	must(iommufd, "uiommufd_open");
	printf("  uiommufd_open()      -> fd %d, served in-process\n", iommufd);
}

/* ---- the guest: its RAM and its stage-1 tables ---- */

static uint64_t *guest_u64(uint64_t off)
{
	return (uint64_t *)(ram + off);
}

static uint64_t guest_table(void)
{
	uint64_t off = next_table;

	if (off >= TABLES_END)
		die("the guest ran out of table pages");
	next_table += PAGE;
	memset(ram + off, 0, PAGE);
	return off;
}

/*
 * Both stage-1 formats here are 4 levels of 512 8-byte entries over a
 * 48-bit input with 4 KiB pages, an output address in bits 47:12: only the
 * attribute bits differ.
 *  - LPAE (SMMUv3): a table is Valid|Table; a 4 KiB page is Valid|Page
 *    (bit 1 again, at level 3)|AF|AP[1] (device accesses are unprivileged,
 *    so a page must allow EL0).
 *  - x86-64 (VT-d first stage): Present|R/W|U/S at every level, the
 *    device's requests being user-level too.
 */
#define LPAE_VALID (1ULL << 0)
#define LPAE_TABLE (1ULL << 1)
#define LPAE_AP_EL0 (1ULL << 6)
#define LPAE_AF (1ULL << 10)
#define X86_P (1ULL << 0)
#define X86_RW (1ULL << 1)
#define X86_US (1ULL << 2)
#define S1_OA 0x0000fffffffff000ULL

static uint64_t s1_root; /* offset of the top table in guest RAM */

static uint64_t s1_table_bits(void)
{
	return smmu ? LPAE_VALID | LPAE_TABLE : X86_P | X86_RW | X86_US;
}

static uint64_t s1_page_bits(void)
{
	return smmu ? LPAE_VALID | LPAE_TABLE | LPAE_AF | LPAE_AP_EL0 :
		      X86_P | X86_RW | X86_US;
}

/* the level-3 entry of @iova; missing tables on the way are made */
static uint64_t *s1_leaf(uint64_t iova)
{
	uint64_t table = s1_root;
	int level;

	for (level = 0; level < 3; level++) {
		uint64_t *e = guest_u64(table +
					((iova >> (39 - 9 * level)) & 511) * 8);

		if (!(*e & 1))
			*e = (RAM_GPA + guest_table()) | s1_table_bits();
		table = (*e & S1_OA) - RAM_GPA;
	}
	return guest_u64(table + ((iova >> 12) & 511) * 8);
}

/* the guest maps @iova to its page at @gpa (0: unmaps it) */
static void s1_map(uint64_t iova, uint64_t gpa)
{
	uint64_t *e = s1_leaf(iova);

	/* a store the IOMMU's walker may see at any time: one of 8 bytes */
	__atomic_store_n(e, gpa ? gpa | s1_page_bits() : 0, __ATOMIC_RELEASE);
}

/* SMMUv3 context descriptor words 0 and 1 (the fields this guest sets) */
#define CD0_T0SZ(bits) (64ULL - (bits)) /* input size: 64 - T0SZ bits */
#define CD0_V (1ULL << 31)
#define CD0_AA64 (1ULL << 41)
#define CD0_ASID(a) ((uint64_t)(a) << 48)

/* SMMUv3 STE words 0 and 1: what the guest's vSTE holds */
#define STE0_V (1ULL << 0)
#define STE0_CFG_S1_TRANS (5ULL << 1)
#define STE0_S1FMT_LINEAR (0ULL << 4)
#define STE0_S1CDMAX(lg2) ((uint64_t)(lg2) << 59)

/* SMMUv3 CMDQ: the commands this guest sends */
#define CMD_TLBI_NH_VA 0x12
#define CMD_ASID(a) ((uint64_t)(a) << 48)
#define CMD_LEAF 1ULL /* in word 1: only the leaf entry changed */

/* SMMUv3 event record fields (the guest's event queue format) */
#define EVT_ID(e0) ((unsigned int)((e0) & 0xff))
#define EVT_SID(e0) ((unsigned int)((e0) >> 32))
#define EVT_RNW(e1) (((e1) >> 35) & 1)
#define EVT_F_TRANSLATION 0x10

/* ---- step 2: what the IOMMU is ---- */

static void show_hw_info(uint32_t dev_id)
{
	union {
		struct iommu_hw_info_arm_smmuv3 smmu;
		struct iommu_hw_info_vtd vtd;
	} data;
	struct iommu_hw_info info = {
		.size = sizeof(info),
		.dev_id = dev_id,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};

	memset(&data, 0, sizeof(data));
	must(iommufd_ioctl(IOMMU_GET_HW_INFO, &info), "IOMMU_GET_HW_INFO");
	if (smmu) {
		uint32_t idr0 = data.smmu.idr[0];

		if (info.out_data_type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
			die("hw_info type %u, not ARM_SMMUV3",
			    info.out_data_type);
		/* IDR0: S2P 0, S1P 1, HTTU 7:6, PRI 16; IDR1: SSIDSIZE 10:6 */
		printf("  IOMMU_GET_HW_INFO    -> ARM SMMUv3: IDR0 0x%08x: stage 1 %s, stage 2 %s, PRI %s, HTTU %s; %u-bit substream ids\n",
		       idr0, idr0 & (1u << 1) ? "yes" : "no",
		       idr0 & (1u << 0) ? "yes" : "no",
		       idr0 & (1u << 16) ? "yes" : "no",
		       ((idr0 >> 6) & 3) == 2 ? "access+dirty" :
		       ((idr0 >> 6) & 3) == 1 ? "access" :
						"none",
		       (data.smmu.idr[1] >> 6) & 31);
		if (!(idr0 & (1u << 0)) || !(idr0 & (1u << 1)) ||
		    !(idr0 & (1u << 16)))
			die("this SMMU cannot nest with page requests");
	} else {
		uint64_t ecap = data.vtd.ecap_reg;

		if (info.out_data_type != IOMMU_HW_INFO_TYPE_INTEL_VTD)
			die("hw_info type %u, not INTEL_VTD",
			    info.out_data_type);
		/* ECAP: NEST 26, PRS 29, SMTS 43, SSADS 45, FSTS 47 */
		printf("  IOMMU_GET_HW_INFO    -> Intel VT-d: ECAP 0x%llx: scalable mode %s, nesting %s, first stage %s, page requests %s, stage-2 dirty bits %s\n",
		       (unsigned long long)ecap,
		       ecap & (1ULL << 43) ? "yes" : "no",
		       ecap & (1ULL << 26) ? "yes" : "no",
		       ecap & (1ULL << 47) ? "yes" : "no",
		       ecap & (1ULL << 29) ? "yes" : "no",
		       ecap & (1ULL << 45) ? "yes" : "no");
		if (!(ecap & (1ULL << 26)) || !(ecap & (1ULL << 29)))
			die("this VT-d unit cannot nest with page requests");
	}
	printf("                          capabilities: dirty tracking %s, PASID width %u\n",
	       info.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING ? "yes" :
								     "no",
	       info.out_max_pasid_log2);
}

/* ---- step 3: stage 2 and the objects over it ---- */

static uint32_t hwpt_alloc(uint32_t dev_id, uint32_t pt_id, uint32_t flags,
			   uint32_t fault_id, uint32_t data_type,
			   const void *data, uint32_t data_len, long *rc)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
		.fault_id = fault_id,
	};

	*rc = iommufd_ioctl(IOMMU_HWPT_ALLOC, &cmd);
	return cmd.out_hwpt_id;
}

/*
 * The stage-2 HWPT. A VMM that may migrate asks for dirty tracking too;
 * an IOMMU that cannot give it on a nesting parent refuses, and the VMM
 * goes on without (and would block migration). *dirty says which it got.
 */
static uint32_t alloc_parent(uint32_t dev_id, uint32_t ioas, bool *dirty)
{
	uint32_t id;
	long rc;

	id = hwpt_alloc(dev_id, ioas,
			IOMMU_HWPT_ALLOC_NEST_PARENT |
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
			0, IOMMU_HWPT_DATA_NONE, NULL, 0, &rc);
	if (!rc) {
		*dirty = true;
		printf("  HWPT_ALLOC NEST_PARENT|DIRTY_TRACKING -> hwpt %u: stage 2 over ioas %u, dirty tracking capable\n",
		       id, ioas);
		return id;
	}
	if (rc != -EOPNOTSUPP)
		must(rc, "IOMMU_HWPT_ALLOC NEST_PARENT|DIRTY_TRACKING");
	printf("  HWPT_ALLOC NEST_PARENT|DIRTY_TRACKING -> %s (%s)\n",
	       strerror((int)-rc), uiommufd_last_reason());
	if (smmu)
		printf("                          the Linux SMMUv3 driver tracks dirty pages only in stage-1 tables; a nesting parent is stage 2\n");
	id = hwpt_alloc(dev_id, ioas, IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
			IOMMU_HWPT_DATA_NONE, NULL, 0, &rc);
	must(rc, "IOMMU_HWPT_ALLOC NEST_PARENT");
	*dirty = false;
	printf("  HWPT_ALLOC NEST_PARENT -> hwpt %u: stage 2 over ioas %u, no dirty tracking (no live migration)\n",
	       id, ioas);
	return id;
}

struct viommu_objs {
	uint32_t viommu, vdevice, veventq;
	int veventq_fd;
};

static void alloc_viommu(uint32_t dev_id, uint32_t parent,
			 struct viommu_objs *v)
{
	struct iommu_viommu_alloc va = {
		.size = sizeof(va),
		.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
		.dev_id = dev_id,
		.hwpt_id = parent,
	};
	struct iommu_vdevice_alloc vd = {
		.size = sizeof(vd),
		.dev_id = dev_id,
		.virt_id = VSID,
	};
	struct iommu_veventq_alloc vq = {
		.size = sizeof(vq),
		.type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
		.veventq_depth = 64,
	};

	must(iommufd_ioctl(IOMMU_VIOMMU_ALLOC, &va), "IOMMU_VIOMMU_ALLOC");
	v->viommu = va.out_viommu_id;
	printf("  VIOMMU_ALLOC ARM_SMMUV3 -> viommu %u over hwpt %u: the VM's slice of the SMMU (its VMID)\n",
	       v->viommu, parent);
	vd.viommu_id = v->viommu;
	must(iommufd_ioctl(IOMMU_VDEVICE_ALLOC, &vd), "IOMMU_VDEVICE_ALLOC");
	v->vdevice = vd.out_vdevice_id;
	printf("  VDEVICE_ALLOC        -> vdevice %u: dev_id %u is virtual stream id 0x%x to the guest (host 0x%x)\n",
	       v->vdevice, dev_id, VSID, HOST_SID);
	vq.viommu_id = v->viommu;
	must(iommufd_ioctl(IOMMU_VEVENTQ_ALLOC, &vq), "IOMMU_VEVENTQ_ALLOC");
	v->veventq = vq.out_veventq_id;
	v->veventq_fd = (int)vq.out_veventq_fd;
	printf("  VEVENTQ_ALLOC ARM_SMMUV3 -> veventq %u, fd %d: the guest's event queue, 64 records deep\n",
	       v->veventq, v->veventq_fd);
}

/* ---- step 4: the guest's stage 1, and the nested HWPT ---- */

/* the guest's tables, and the data it describes to the HWPT allocation */
static void guest_build_stage1(void)
{
	unsigned int i;

	s1_root = guest_table();
	s1_map(IOVA_A, RAM_GPA + PAGE_A_OFF);
	for (i = 0; i < NDIRTY; i++)
		s1_map(IOVA_BUF + i * PAGE, RAM_GPA + dirty_offs[i]);
	if (smmu) {
		/* one context descriptor (S1CDMax 0): ASID, 48-bit input */
		uint64_t *cd = guest_u64(CD_TABLE_OFF);

		cd[1] = RAM_GPA + s1_root; /* TTB0 */
		cd[0] = CD0_V | CD0_AA64 | CD0_ASID(GUEST_ASID) |
			CD0_T0SZ(48);
		printf("  guest: context descriptor at GPA 0x%llx (ASID %u, TTB0 0x%llx), LPAE tables in %llu pages\n",
		       RAM_GPA + CD_TABLE_OFF, GUEST_ASID, RAM_GPA + s1_root,
		       (next_table - TABLES_OFF) / PAGE);
	} else {
		printf("  guest: 4-level first-stage table at GPA 0x%llx, %llu pages\n",
		       RAM_GPA + s1_root, (next_table - TABLES_OFF) / PAGE);
	}
	printf("  guest: IOVA 0x%llx -> GPA 0x%llx; IOVA 0x%llx.. -> %zu buffer pages; IOVA 0x%llx left unmapped\n",
	       IOVA_A, RAM_GPA + PAGE_A_OFF, IOVA_BUF, NDIRTY, IOVA_PRI);
}

/*
 * A nested HWPT of the guest's translation: SMMUv3 from the guest's STE
 * through the vIOMMU, VT-d from the guest's PASID entry fields on the
 * parent. @fault_id 0: no fault queue.
 */
static uint32_t alloc_nested(uint32_t dev_id, uint32_t parent,
			     uint32_t viommu, uint32_t fault_id)
{
	uint32_t flags = fault_id ? IOMMU_HWPT_FAULT_ID_VALID : 0;
	uint32_t id;
	long rc;

	if (smmu) {
		struct iommu_hwpt_arm_smmuv3 vste = {
			.ste = { STE0_V | STE0_CFG_S1_TRANS |
					 STE0_S1FMT_LINEAR | STE0_S1CDMAX(0) |
					 (RAM_GPA + CD_TABLE_OFF),
				 0 },
		};

		id = hwpt_alloc(dev_id, viommu, flags, fault_id,
				IOMMU_HWPT_DATA_ARM_SMMUV3, &vste,
				sizeof(vste), &rc);
		must(rc, "IOMMU_HWPT_ALLOC nested (vSTE)");
		printf("  HWPT_ALLOC vSTE      -> hwpt %u through viommu %u: STE 0x%016llx (stage 1, linear CD table at GPA 0x%llx)%s\n",
		       id, viommu, (unsigned long long)vste.ste[0],
		       RAM_GPA + CD_TABLE_OFF,
		       fault_id ? ", page requests to the fault queue" : "");
	} else {
		struct iommu_hwpt_vtd_s1 s1 = {
			.pgtbl_addr = RAM_GPA + s1_root,
			.addr_width = 48,
		};

		id = hwpt_alloc(dev_id, parent, flags, fault_id,
				IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1), &rc);
		must(rc, "IOMMU_HWPT_ALLOC nested (VTD_S1)");
		printf("  HWPT_ALLOC VTD_S1    -> hwpt %u on hwpt %u: first stage at GPA 0x%llx, 48-bit%s\n",
		       id, parent, (unsigned long long)s1.pgtbl_addr,
		       fault_id ? ", page requests to the fault queue" : "");
	}
	return id;
}

/*
 * The guest invalidates its stage-1 entry for @iova, in its IOMMU's own
 * format: an SMMUv3 CMD_TLBI_NH_VA (ASID, VA, leaf) sent to the vIOMMU; a
 * VT-d page-selective descriptor sent to the nested HWPT.
 */
static void guest_invalidate(uint32_t viommu, uint32_t nested, uint64_t iova)
{
	struct iommu_viommu_arm_smmuv3_invalidate cmd = {
		.cmd = { CMD_TLBI_NH_VA | CMD_ASID(GUEST_ASID),
			 iova | CMD_LEAF },
	};
	struct iommu_hwpt_vtd_s1_invalidate desc = {
		.addr = iova,
		.npages = 1,
		.flags = IOMMU_VTD_INV_FLAGS_LEAF,
	};
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv),
		.entry_num = 1,
	};

	if (smmu) {
		inv.hwpt_id = viommu;
		inv.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
		inv.entry_len = sizeof(cmd);
		inv.data_uptr = (uintptr_t)&cmd;
	} else {
		inv.hwpt_id = nested;
		inv.data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1;
		inv.entry_len = sizeof(desc);
		inv.data_uptr = (uintptr_t)&desc;
	}
	must(iommufd_ioctl(IOMMU_HWPT_INVALIDATE, &inv),
	     "IOMMU_HWPT_INVALIDATE");
	if (inv.entry_num != 1)
		die("HWPT_INVALIDATE handled %u of 1 entries", inv.entry_num);
	if (smmu)
		printf("  HWPT_INVALIDATE      -> viommu %u ran CMD_TLBI_NH_VA {ASID %u, VA 0x%llx, leaf}\n",
		       viommu, GUEST_ASID, (unsigned long long)iova);
	else
		printf("  HWPT_INVALIDATE      -> hwpt %u ran a page-selective invalidation {0x%llx, 1 page, leaf}\n",
		       nested, (unsigned long long)iova);
}

/* ---- the device ---- */

static void dev_write(struct uiommufd_dev *dev, uint64_t iova, const void *buf,
		      size_t len)
{
	int rc = uiommufd_dma_write(dev, UIOMMUFD_NO_PASID, iova, buf, len);

	if (rc)
		die("device DMA write at IOVA 0x%llx: %s (%s)",
		    (unsigned long long)iova, strerror(-rc),
		    uiommufd_last_reason());
}

static void dev_read(struct uiommufd_dev *dev, uint64_t iova, void *buf,
		     size_t len)
{
	int rc = uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, iova, buf, len);

	if (rc)
		die("device DMA read at IOVA 0x%llx: %s (%s)",
		    (unsigned long long)iova, strerror(-rc),
		    uiommufd_last_reason());
}

/* a DMA on the device's own thread (step 7): it blocks on a page request */
struct dma_job {
	struct uiommufd_dev *dev;
	uint64_t iova;
	char data[32];
	int rc;
};

static void *dma_thread(void *arg)
{
	struct dma_job *job = arg;

	job->rc = uiommufd_dma_write(job->dev, UIOMMUFD_NO_PASID, job->iova,
				     job->data, sizeof(job->data));
	return NULL;
}

/* ---- steps 5 to 8 ---- */

static void step_dma(struct uiommufd_dev *dev)
{
	static const char msg[] = "through both stages";

	printf("step 5: device DMA through stage 1 and stage 2\n");
	dev_write(dev, IOVA_A + 0x80, msg, sizeof(msg));
	if (memcmp(ram + PAGE_A_OFF + 0x80, msg, sizeof(msg)))
		die("the write at IOVA 0x%llx is not in guest page 0x%llx",
		    IOVA_A, RAM_GPA + PAGE_A_OFF);
	printf("  device writes \"%s\" at IOVA 0x%llx -> GPA 0x%llx (stage 1) -> host %p (stage 2): found there\n",
	       msg, IOVA_A + 0x80, RAM_GPA + PAGE_A_OFF + 0x80,
	       (void *)(ram + PAGE_A_OFF + 0x80));
}

static void step_invalidate(struct uiommufd_dev *dev, uint32_t viommu,
			    uint32_t nested)
{
	struct uiommufd_dev_stats before, after;
	char buf[16];

	printf("step 6: the guest moves IOVA 0x%llx to GPA 0x%llx\n", IOVA_A,
	       RAM_GPA + PAGE_B_OFF);
	strcpy((char *)ram + PAGE_A_OFF, "old page A");
	strcpy((char *)ram + PAGE_B_OFF, "new page B");
	s1_map(IOVA_A, RAM_GPA + PAGE_B_OFF);
	uiommufd_dev_get_stats(dev, &before);
	dev_read(dev, IOVA_A, buf, sizeof(buf));
	uiommufd_dev_get_stats(dev, &after);
	if (!strcmp(buf, "old page A")) {
		printf("  device reads \"%s\": its IOTLB still holds the old translation\n",
		       buf);
	} else if (!strcmp(buf, "new page B") &&
		   after.iotlb_hits == before.iotlb_hits) {
		/* a DMA thread without an IOTLB of its own always walks */
		printf("  device reads \"%s\": this thread has no IOTLB, its walk saw the change\n",
		       buf);
	} else {
		die("before the invalidation the device read \"%.16s\"", buf);
	}
	guest_invalidate(viommu, nested, IOVA_A);
	dev_read(dev, IOVA_A, buf, sizeof(buf));
	if (strcmp(buf, "new page B"))
		die("after the invalidation the device read \"%.16s\"", buf);
	printf("  device reads \"%s\": the new translation\n", buf);
}

/* wait for @fd to be readable: a record is queued */
static void wait_readable(int fd, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;

	do
		n = poll(&p, 1, 30000);
	while (n < 0 && errno == EINTR);
	if (n != 1 || !(p.revents & POLLIN))
		die("%s: nothing to read after 30 s (poll %d, revents 0x%x)",
		    what, n, n > 0 ? p.revents : 0);
}

static void step_page_fault(struct uiommufd_dev *dev, uint32_t viommu,
			    uint32_t nested, int fault_fd)
{
	struct dma_job job = { .dev = dev, .iova = IOVA_PRI + 0x40 };
	struct iommu_hwpt_page_response resp = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};
	struct iommu_hwpt_pgfault rec;
	pthread_t thread;
	ssize_t n;
	int rc;

	printf("step 7: an IO page fault, resolved by the guest\n");
	strcpy(job.data, "written after a page request");
	rc = pthread_create(&thread, NULL, dma_thread, &job);
	if (rc)
		die("pthread_create: %s", strerror(rc));
	printf("  device thread writes at IOVA 0x%llx, which stage 1 does not map: a page request, the DMA waits\n",
	       (unsigned long long)job.iova);

	wait_readable(fault_fd, "fault queue");
	n = queue_read(fault_fd, &rec, sizeof(rec));
	if (n != (ssize_t)sizeof(rec))
		die("read of the fault queue: %zd (%s)", n,
		    n < 0 ? strerror((int)-n) : "short");
	printf("  read(fault fd %d)     -> addr 0x%llx, pasid %u%s, perm %s%s, flags %s%s, dev_id %u, cookie %u\n",
	       fault_fd, (unsigned long long)rec.addr, rec.pasid,
	       rec.flags & IOMMU_PGFAULT_FLAGS_PASID_VALID ? "" :
							       " (none)",
	       rec.perm & IOMMU_PGFAULT_PERM_READ ? "r" : "",
	       rec.perm & IOMMU_PGFAULT_PERM_WRITE ? "w" : "",
	       rec.flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE ? "LAST_PAGE" : "",
	       rec.flags & IOMMU_PGFAULT_FLAGS_PASID_VALID ? "|PASID_VALID" :
							       "",
	       rec.dev_id, rec.cookie);
	if (rec.addr != IOVA_PRI || !(rec.perm & IOMMU_PGFAULT_PERM_WRITE))
		die("the page request is not for writing IOVA 0x%llx",
		    IOVA_PRI);

	/* the guest's fault handler: map the page, invalidate, answer */
	s1_map(IOVA_PRI, RAM_GPA + PAGE_PRI_OFF);
	printf("  guest: maps IOVA 0x%llx -> GPA 0x%llx\n", IOVA_PRI,
	       RAM_GPA + PAGE_PRI_OFF);
	guest_invalidate(viommu, nested, IOVA_PRI);
	resp.cookie = rec.cookie;
	n = queue_write(fault_fd, &resp, sizeof(resp));
	if (n != (ssize_t)sizeof(resp))
		die("write of the page response: %zd (%s)", n,
		    n < 0 ? strerror((int)-n) : "short");
	printf("  write(fault fd %d)    -> cookie %u: IOMMUFD_PAGE_RESP_SUCCESS\n",
	       fault_fd, resp.cookie);

	rc = pthread_join(thread, NULL);
	if (rc)
		die("pthread_join: %s", strerror(rc));
	if (job.rc)
		die("the device's DMA after the page response: %s",
		    strerror(-job.rc));
	if (strcmp((char *)ram + PAGE_PRI_OFF + 0x40, job.data))
		die("the retried write is not in guest page 0x%llx",
		    RAM_GPA + PAGE_PRI_OFF);
	printf("  device thread: its retry succeeded, \"%s\" is at GPA 0x%llx\n",
	       job.data, RAM_GPA + PAGE_PRI_OFF + 0x40);
}

/*
 * The same kind of fault where no fault queue takes page requests: the
 * device is moved to a nested HWPT of the same guest STE without one (as
 * a VMM allocates for a guest that did not enable PRI or stalls), and
 * reads an IOVA that stage 1 does not map.
 */
static void step_event(struct uiommufd_dev *dev, uint32_t nested_nofault,
		       int veventq_fd)
{
	struct {
		struct iommufd_vevent_header hdr;
		struct iommu_vevent_arm_smmuv3 evt;
	} rec;
	struct uiommufd_dev_stats before, after;
	unsigned int pt_id = nested_nofault;
	char buf[8];
	ssize_t n;
	int rc;

	must(uiommufd_dev_replace(dev, UIOMMUFD_NO_PASID, &pt_id),
	     "uiommufd_dev_replace");
	printf("  uiommufd_dev_replace -> the device moves to hwpt %u: same guest tables, no fault queue\n",
	       nested_nofault);
	uiommufd_dev_get_stats(dev, &before);
	rc = uiommufd_dma_read(dev, UIOMMUFD_NO_PASID, IOVA_HOLE, buf,
			       sizeof(buf));
	uiommufd_dev_get_stats(dev, &after);
	if (rc != -EFAULT ||
	    after.faults_translation != before.faults_translation + 1)
		die("a read at unmapped IOVA 0x%llx gave %d, not one translation fault",
		    IOVA_HOLE, rc);
	printf("  device reads IOVA 0x%llx, unmapped -> EFAULT: no page request is possible, the access fails\n",
	       IOVA_HOLE);
	if (!smmu) {
		printf("  (VT-d has no vIOMMU event queue in iommufd: the fault is known only to the device, which counted it)\n");
		return;
	}
	wait_readable(veventq_fd, "vEVENTQ");
	n = queue_read(veventq_fd, &rec, sizeof(rec));
	if (n != (ssize_t)sizeof(rec))
		die("read of the vEVENTQ: %zd (%s)", n,
		    n < 0 ? strerror((int)-n) : "short");
	printf("  read(veventq fd %d)   -> header {flags 0x%x, sequence %u} + event %02x (%s), vSID 0x%x, %s, input address 0x%llx\n",
	       veventq_fd, rec.hdr.flags, rec.hdr.sequence,
	       EVT_ID(rec.evt.evt[0]),
	       EVT_ID(rec.evt.evt[0]) == EVT_F_TRANSLATION ? "F_TRANSLATION" :
							     "?",
	       EVT_SID(rec.evt.evt[0]),
	       EVT_RNW(rec.evt.evt[1]) ? "read" : "write",
	       (unsigned long long)rec.evt.evt[2]);
	if (EVT_ID(rec.evt.evt[0]) != EVT_F_TRANSLATION ||
	    EVT_SID(rec.evt.evt[0]) != VSID || !EVT_RNW(rec.evt.evt[1]) ||
	    rec.evt.evt[2] != IOVA_HOLE)
		die("the event is not F_TRANSLATION of vSID 0x%x reading 0x%llx",
		    VSID, IOVA_HOLE);
	printf("                          the VMM copies it into the guest's event queue, vSID as the guest knows it\n");
}

static bool test_bit(const uint64_t *bits, uint64_t n)
{
	return bits[n / 64] >> (n % 64) & 1;
}

/* GET_DIRTY_BITMAP over all guest RAM; prints and checks the dirty pages */
static void harvest(uint32_t parent, uint32_t flags, bool expect_dirty)
{
	uint64_t bits[RAM_PAGES / 64];
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.hwpt_id = parent,
		.flags = flags,
		.iova = RAM_GPA,
		.length = RAM_SIZE,
		.page_size = PAGE,
		.data = (uintptr_t)bits,
	};
	unsigned int count = 0, i;
	uint64_t n;

	memset(bits, 0, sizeof(bits));
	must(iommufd_ioctl(IOMMU_HWPT_GET_DIRTY_BITMAP, &get),
	     "IOMMU_HWPT_GET_DIRTY_BITMAP");
	printf("  GET_DIRTY_BITMAP%s -> dirty GPA pages:",
	       flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR ? " NO_CLEAR" :
							     "         ");
	for (n = 0; n < RAM_PAGES; n++) {
		if (!test_bit(bits, n))
			continue;
		count++;
		printf(" 0x%llx", RAM_GPA + n * PAGE);
	}
	printf("%s\n", count ? "" : " none");
	for (n = 0; n < RAM_PAGES; n++) {
		bool written = false;

		for (i = 0; i < NDIRTY; i++)
			written |= dirty_offs[i] == n * PAGE;
		if (test_bit(bits, n) != (expect_dirty && written))
			die("GPA page 0x%llx is %s", RAM_GPA + n * PAGE,
			    test_bit(bits, n) ? "dirty, not written" :
						"written, not dirty");
	}
}

static void step_dirty(struct uiommufd_dev *dev, uint32_t parent, bool dirty)
{
	struct iommu_hwpt_set_dirty_tracking track = {
		.size = sizeof(track),
		.hwpt_id = parent,
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	char msg[64];
	unsigned int i;

	if (!dirty) {
		printf("step 8: no dirty pass: hwpt %u cannot track dirty pages (step 3)\n",
		       parent);
		return;
	}
	printf("step 8: a live-migration dirty pass on stage 2 (hwpt %u)\n",
	       parent);
	must(iommufd_ioctl(IOMMU_HWPT_SET_DIRTY_TRACKING, &track),
	     "IOMMU_HWPT_SET_DIRTY_TRACKING");
	printf("  SET_DIRTY_TRACKING on -> every dirty bit starts clean\n");
	for (i = 0; i < NDIRTY; i++) {
		snprintf(msg, sizeof(msg), "migration round, buffer %u", i);
		dev_write(dev, IOVA_BUF + i * PAGE + 0x100, msg, sizeof(msg));
	}
	printf("  device writes IOVA");
	for (i = 0; i < NDIRTY; i++)
		printf(" 0x%llx", IOVA_BUF + i * PAGE);
	printf(" -> GPA");
	for (i = 0; i < NDIRTY; i++)
		printf(" 0x%llx", RAM_GPA + dirty_offs[i]);
	putchar('\n');
	/* stage 2 marks the final guest page: the GPA, not the IOVA */
	harvest(parent, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, true);
	harvest(parent, 0, true);
	harvest(parent, 0, false);
	track.flags = 0;
	must(iommufd_ioctl(IOMMU_HWPT_SET_DIRTY_TRACKING, &track),
	     "IOMMU_HWPT_SET_DIRTY_TRACKING off");
	printf("  SET_DIRTY_TRACKING off\n");
}

/* ---- main: steps 1 to 4, then the rest ---- */

int main(int argc, char **argv)
{
	struct uiommufd_dev_config cfg = {
		.model = argc > 1 ? argv[1] : "smmuv3",
		.rid = HOST_SID,
		.flags = UIOMMUFD_DEV_PRI,
	};
	struct iommu_ioas_alloc ioas_cmd = { .size = sizeof(ioas_cmd) };
	struct iommu_ioas_map_file map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	struct viommu_objs v = { .veventq_fd = -1 };
	struct uiommufd_dev *dev;
	uint32_t ioas, parent, nested, nested_nofault;
	unsigned int dev_id, pt_id;
	int memfd, fault_fd;
	bool dirty;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "smmuv3") &&
			 strcmp(argv[1], "vtd"))) {
		fprintf(stderr, "usage: %s [smmuv3|vtd]\n", argv[0]);
		return 2;
	}
	smmu = !strcmp(cfg.model, "smmuv3");
	printf("nested-viommu: a guest-owned stage 1 over the VMM's stage 2, behind an emulated %s\n",
	       smmu ? "SMMUv3" : "VT-d");

	printf("step 1: guest RAM, /dev/iommu, the device\n");
	memfd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, RAM_SIZE))
		die("memfd for guest RAM: %s", strerror(errno));
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		   0);
	if (ram == MAP_FAILED)
		die("mmap guest RAM: %s", strerror(errno));
	printf("  guest RAM            -> %llu KiB memfd (fd %d) at GPA 0x%llx\n",
	       RAM_SIZE >> 10, memfd, RAM_GPA);
	open_iommufd();
	must(uiommufd_dev_create(&cfg, &dev), "uiommufd_dev_create");
	must(uiommufd_dev_bind(dev, iommufd, &dev_id), "uiommufd_dev_bind");
	printf("  uiommufd_dev_bind    -> a %s device with PRI, stream id 0x%x, is dev_id %u (as VFIO_DEVICE_BIND_IOMMUFD)\n",
	       cfg.model, HOST_SID, dev_id);

	printf("step 2: the IOMMU, and the guest's physical address space\n");
	show_hw_info(dev_id);
	must(iommufd_ioctl(IOMMU_IOAS_ALLOC, &ioas_cmd), "IOMMU_IOAS_ALLOC");
	ioas = ioas_cmd.out_ioas_id;
	map.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		    IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = ioas;
	map.fd = memfd;
	map.length = RAM_SIZE;
	map.iova = RAM_GPA;
	must(iommufd_ioctl(IOMMU_IOAS_MAP_FILE, &map), "IOMMU_IOAS_MAP_FILE");
	printf("  IOAS_ALLOC, MAP_FILE -> ioas %u: guest RAM at IOVA = GPA 0x%llx (stage 2's input)\n",
	       ioas, RAM_GPA);

	printf("step 3: stage 2, %sthe fault queue\n",
	       smmu ? "the vIOMMU over it, " : "");
	parent = alloc_parent(dev_id, ioas, &dirty);
	if (smmu)
		alloc_viommu(dev_id, parent, &v);
	else
		printf("  (VT-d: no vIOMMU object; nested HWPTs sit on hwpt %u and take invalidations themselves)\n",
		       parent);
	must(iommufd_ioctl(IOMMU_FAULT_QUEUE_ALLOC, &fault),
	     "IOMMU_FAULT_QUEUE_ALLOC");
	fault_fd = (int)fault.out_fault_fd;
	printf("  FAULT_QUEUE_ALLOC    -> fault %u, fd %d: page requests arrive here\n",
	       fault.out_fault_id, fault_fd);

	printf("step 4: the guest's stage 1, and the nested HWPT\n");
	guest_build_stage1();
	nested = alloc_nested(dev_id, parent, v.viommu, fault.out_fault_id);
	pt_id = nested;
	must(uiommufd_dev_attach(dev, UIOMMUFD_NO_PASID, &pt_id),
	     "uiommufd_dev_attach");
	printf("  uiommufd_dev_attach  -> the device translates through hwpt %u (as VFIO_DEVICE_ATTACH_IOMMUFD_PT)\n",
	       nested);

	step_dma(dev);
	step_invalidate(dev, v.viommu, nested);
	step_page_fault(dev, v.viommu, nested, fault_fd);
	printf("  and without a fault queue:\n");
	nested_nofault = alloc_nested(dev_id, parent, v.viommu, 0);
	step_event(dev, nested_nofault, v.veventq_fd);
	step_dirty(dev, parent, dirty);

	printf("step 9: teardown\n");
	must(uiommufd_dev_detach(dev, UIOMMUFD_NO_PASID),
	     "uiommufd_dev_detach");
	destroy(nested_nofault, "IOMMU_DESTROY nested hwpt");
	destroy(nested, "IOMMU_DESTROY nested hwpt");
	printf("  detach, DESTROY      -> nested hwpts %u and %u\n", nested,
	       nested_nofault);
	/* a queue's fd holds its object: close it first */
	close_fd(fault_fd);
	destroy(fault.out_fault_id, "IOMMU_DESTROY fault queue");
	printf("  close, DESTROY       -> fault queue %u\n", fault.out_fault_id);
	if (smmu) {
		close_fd(v.veventq_fd);
		destroy(v.veventq, "IOMMU_DESTROY veventq");
		destroy(v.vdevice, "IOMMU_DESTROY vdevice");
		destroy(v.viommu, "IOMMU_DESTROY viommu");
		printf("  close, DESTROY       -> veventq %u, vdevice %u, viommu %u\n",
		       v.veventq, v.vdevice, v.viommu);
	}
	destroy(parent, "IOMMU_DESTROY parent hwpt");
	must(uiommufd_dev_unbind(dev), "uiommufd_dev_unbind");
	uiommufd_dev_destroy(dev);
	printf("  DESTROY, unbind      -> stage-2 hwpt %u, dev_id %u\n", parent,
	       dev_id);
	unmap.ioas_id = ioas;
	unmap.length = UINT64_MAX;
	must(iommufd_ioctl(IOMMU_IOAS_UNMAP, &unmap), "IOMMU_IOAS_UNMAP");
	destroy(ioas, "IOMMU_DESTROY ioas");
	printf("  UNMAP, DESTROY       -> %llu KiB of guest RAM, ioas %u\n",
	       (unsigned long long)unmap.length >> 10, ioas);
	close_fd(iommufd);
	munmap(ram, RAM_SIZE);
	close(memfd);
	printf("nested-viommu: ok\n");
	return 0;
}

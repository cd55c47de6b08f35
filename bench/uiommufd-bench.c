/* SPDX-License-Identifier: MIT */
/*
 * uiommufd-bench: every figure is a ratio against a baseline measured in the
 * same run, because absolute times on shared machines drift by 2x.
 *
 *   map_unmap_4k_pair_nodomain_vs_kernel_ioctl
 *       one IOAS_MAP + IOAS_UNMAP of 4 KiB on an IOAS without domains,
 *       in-process (uiommufd_ioctl), divided by one no-op kernel ioctl
 *       (ENOTTY on a memfd)
 *   map_unmap_4k_pair_vs_kernel_ioctl, map_1g_2domains_*
 *       the same with two domains attached: see bench_domains.c
 *   shim_vs_inprocess
 *       the same pair through ioctl() and the preload shim, divided by the
 *       in-process pair
 *   type1_map_unmap_4k_pair_vs_kernel_ioctl
 *       one VFIO_IOMMU_MAP_DMA + VFIO_IOMMU_UNMAP_DMA of 4 KiB on a type1v2
 *       container (an in-process context whose compat IOAS has no domain),
 *       divided by the same no-op kernel ioctl: what a DPDK-style program
 *       pays per buffer, beside the IOAS pair above
 *   dirty_harvest_*, pt_memory_*
 *       the page-table engine's figures: see bench_pt.c
 *   dma_*
 *       the emulated-device DMA path's figures: see bench_dma.c
 *   iopf_*
 *       the IO page fault round trip against a cross-thread spin round
 *       trip: see bench_iopf.c
 *
 * The shim figure needs the preload; when started without it the program
 * re-executes itself under the uiommufd-run found next to it (build dir).
 * Each figure is the median of several timed batches. --only GROUP
 * (ioctl, pt, dma, domains, iopf) measures one group of figures alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "bench_util.h"
#include "bench_dma.h"
#include "bench_domains.h"
#include "bench_iopf.h"
#include "bench_pt.h"
#include "uiommufd/uiommufd.h"

#define BATCHES 9

typedef void (*bench_fn)(void *ctx, long iters);

/* median ns per iteration over BATCHES batches */
static double measure(bench_fn fn, void *ctx, long iters)
{
	double t[BATCHES];
	int i;

	fn(ctx, iters / 10); /* warm up */
	for (i = 0; i < BATCHES; i++) {
		double t0 = bench_now_ns();

		fn(ctx, iters);
		t[i] = (bench_now_ns() - t0) / iters;
	}
	qsort(t, BATCHES, sizeof(t[0]), bench_cmp_double);
	return t[BATCHES / 2];
}

static void kernel_noop_ioctl(void *ctx, long iters)
{
	int fd = *(int *)ctx;

	while (iters--)
		ioctl(fd, _IO('x', 0x7f), 0);
}

struct pair_ctx {
	int fd;
	uint32_t ioas;
	void *buf;
	bool shim;
};

static void map_unmap_pair(void *arg, long iters)
{
	struct pair_ctx *c = arg;
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = c->ioas,
		.user_va = (uintptr_t)c->buf,
		.length = 4096,
		.iova = 0x100000,
	};
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = c->ioas,
		.iova = 0x100000,
		.length = 4096,
	};

	while (iters--) {
		if (c->shim) {
			if (ioctl(c->fd, IOMMU_IOAS_MAP, &map) ||
			    ioctl(c->fd, IOMMU_IOAS_UNMAP, &unmap))
				abort();
		} else {
			if (uiommufd_ioctl(c->fd, IOMMU_IOAS_MAP, &map) ||
			    uiommufd_ioctl(c->fd, IOMMU_IOAS_UNMAP, &unmap))
				abort();
		}
	}
}

/* the type1 container's MAP_DMA + UNMAP_DMA pair, in-process */
static void type1_map_unmap_pair(void *arg, long iters)
{
	struct pair_ctx *c = arg;
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)c->buf,
		.iova = 0x100000,
		.size = 4096,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = 0x100000,
		.size = 4096,
	};

	while (iters--) {
		if (uiommufd_ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &map) ||
		    uiommufd_ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &unmap) ||
		    unmap.size != 4096)
			abort();
	}
}

/* a type1v2 container in-process: an iommufd with a compat IOAS */
static double bench_type1(struct pair_ctx *c, long iters)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_vfio_ioas vioas = {
		.size = sizeof(vioas),
		.op = IOMMU_VFIO_IOAS_SET,
	};
	double t;

	c->fd = uiommufd_open(O_CLOEXEC);
	if (c->fd < 0 || uiommufd_ioctl(c->fd, IOMMU_IOAS_ALLOC, &alloc))
		return -1;
	vioas.ioas_id = alloc.out_ioas_id;
	if (uiommufd_ioctl(c->fd, IOMMU_VFIO_IOAS, &vioas) ||
	    uiommufd_ioctl(c->fd, VFIO_SET_IOMMU,
			   (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU))
		return -1;
	t = measure(type1_map_unmap_pair, c, iters);
	uiommufd_close(c->fd);
	return t;
}

static void reexec_under_preload(char **argv)
{
	char self[PATH_MAX], run[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *args[8];
	int i = 0;

	if (n < 0)
		return;
	self[n] = '\0';
	snprintf(run, sizeof(run), "%s/../uiommufd-run", dirname(strdup(self)));
	if (access(run, X_OK))
		return;
	setenv("UIOMMUFD_BENCH_REEXEC", "1", 1);
	args[i++] = run;
	args[i++] = "--";
	args[i++] = self;
	for (int j = 1; argv[j] && i < 7; j++)
		args[i++] = argv[j];
	args[i] = NULL;
	execv(run, args);
}

/* the --only groups */
enum {
	GROUP_IOCTL = 1 << 0, /* map_unmap_*, type1_*, shim_vs_inprocess */
	GROUP_PT = 1 << 1,
	GROUP_DMA = 1 << 2,
	GROUP_DOMAINS = 1 << 3,
	GROUP_IOPF = 1 << 4,
	GROUP_ALL = (1 << 5) - 1,
};

static int parse_group(const char *s)
{
	static const char *const names[] = { "ioctl", "pt", "dma", "domains",
					     "iopf" };
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return 1 << i;
	return 0;
}

/* the in-process, type1 and shim pairs; 0 or 1 after printing why */
static int bench_ioctl(json_object *out, long iters, int shim_fd,
		       double t_kernel)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct pair_ctx c = { 0 };
	double t_inproc, t_shim = 0, t_type1;

	c.buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	c.fd = uiommufd_open(O_CLOEXEC);
	if (c.fd < 0 || uiommufd_ioctl(c.fd, IOMMU_IOAS_ALLOC, &alloc)) {
		fprintf(stderr, "cannot open an in-process context\n");
		return 1;
	}
	c.ioas = alloc.out_ioas_id;
	t_inproc = measure(map_unmap_pair, &c, iters);
	uiommufd_close(c.fd);
	t_type1 = bench_type1(&c, iters);
	if (t_type1 < 0) {
		fprintf(stderr, "cannot set up a type1 container\n");
		return 1;
	}

	if (shim_fd >= 0) {
		alloc.out_ioas_id = 0;
		if (ioctl(shim_fd, IOMMU_IOAS_ALLOC, &alloc))
			return 1;
		c.fd = shim_fd;
		c.ioas = alloc.out_ioas_id;
		c.shim = true;
		t_shim = measure(map_unmap_pair, &c, iters);
	}
	bench_add(out, "map_unmap_4k_pair_ns", t_inproc);
	bench_add(out, "map_unmap_4k_pair_nodomain_vs_kernel_ioctl",
		  t_inproc / t_kernel);
	bench_add(out, "type1_map_unmap_4k_pair_ns", t_type1);
	bench_add(out, "type1_map_unmap_4k_pair_vs_kernel_ioctl",
		  t_type1 / t_kernel);
	if (t_shim > 0) {
		bench_add(out, "map_unmap_4k_pair_shim_ns", t_shim);
		bench_add(out, "shim_vs_inprocess", t_shim / t_inproc);
	}
	return 0;
}

static void bench_ioctl_print(json_object *out)
{
	printf("4K MAP+UNMAP pair, no domain:   %8.1f ns  (%.2fx the kernel ioctl)\n",
	       bench_get(out, "map_unmap_4k_pair_ns"),
	       bench_get(out, "map_unmap_4k_pair_nodomain_vs_kernel_ioctl"));
	printf("4K MAP_DMA+UNMAP_DMA (type1):   %8.1f ns  (%.2fx the kernel ioctl)\n",
	       bench_get(out, "type1_map_unmap_4k_pair_ns"),
	       bench_get(out, "type1_map_unmap_4k_pair_vs_kernel_ioctl"));
}

static void bench_shim_print(json_object *out)
{
	double t_shim = bench_get(out, "map_unmap_4k_pair_shim_ns");

	if (t_shim > 0)
		printf("4K MAP+UNMAP pair, via shim:    %8.1f ns  (%.3fx in-process; goal <= 1.2)\n",
		       t_shim, bench_get(out, "shim_vs_inprocess"));
	else
		printf("shim figure skipped: not running under the preload\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quick", no_argument, NULL, 'q' },
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool json = false, quick = false;
	long iters = 200000;
	int groups = 0, g, memfd, opt, shim_fd = -1;
	double t_kernel;
	json_object *out;

	while ((opt = getopt_long(argc, argv, "jqo:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'q':
			quick = true;
			iters = 20000;
			break;
		case 'o':
			g = parse_group(optarg);
			if (g) {
				groups |= g;
				break;
			}
			/* fall through */
		default:
			printf("usage: uiommufd-bench [--json] [--quick] "
			       "[--only ioctl|pt|dma|domains|iopf]...\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!groups)
		groups = GROUP_ALL;

	if (groups & GROUP_IOCTL) {
		shim_fd = open("/dev/iommu", O_RDWR);
		if (shim_fd < 0 && !getenv("UIOMMUFD_BENCH_REEXEC"))
			reexec_under_preload(argv);
	}

	memfd = memfd_create("bench", MFD_CLOEXEC);
	t_kernel = measure(kernel_noop_ioctl, &memfd, iters);

	out = json_object_new_object();
	bench_add(out, "kernel_noop_ioctl_ns", t_kernel);
	if ((groups & GROUP_IOCTL) &&
	    bench_ioctl(out, iters, shim_fd, t_kernel))
		return 1;
	if (shim_fd >= 0)
		close(shim_fd);
	if ((groups & GROUP_PT) && bench_pt(out, quick)) {
		fprintf(stderr, "page-table benchmark failed\n");
		return 1;
	}
	if ((groups & GROUP_DMA) && bench_dma(out, quick)) {
		fprintf(stderr, "DMA benchmark failed\n");
		return 1;
	}
	if ((groups & GROUP_DOMAINS) && bench_domains(out, quick, t_kernel)) {
		fprintf(stderr, "domain benchmark failed\n");
		return 1;
	}
	if ((groups & GROUP_IOPF) && bench_iopf(out, quick)) {
		fprintf(stderr, "IO page fault benchmark failed\n");
		return 1;
	}
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(
				       out, JSON_C_TO_STRING_PLAIN));
	} else {
		printf("no-op kernel ioctl:             %8.1f ns\n", t_kernel);
		if (groups & GROUP_IOCTL)
			bench_ioctl_print(out);
		if (groups & GROUP_DOMAINS)
			bench_domains_print(out);
		if (groups & GROUP_IOCTL)
			bench_shim_print(out);
		if (groups & GROUP_PT)
			bench_pt_print(out);
		if (groups & GROUP_DMA)
			bench_dma_print(out);
		if (groups & GROUP_IOPF)
			bench_iopf_print(out);
	}
	json_object_put(out);
	return 0;
}

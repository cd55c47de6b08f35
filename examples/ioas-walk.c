/* SPDX-License-Identifier: MIT */
/*
 * ioas-walk: open /dev/iommu and walk the IOAS ioctls, saying what each does.
 * Run it under the preload: `uiommufd-run -- ioas-walk` (or `make run`).
 * It uses only <linux/iommufd.h> and raw ioctl(), so the same binary runs
 * against a kernel with iommufd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>

static int iommufd;

static int do_ioctl(const char *what, unsigned long req, void *arg)
{
	int rc = ioctl(iommufd, req, arg);

	if (rc)
		printf("  %-28s -> failed: %s\n", what, strerror(errno));
	return rc;
}

static void show_ranges(uint32_t ioas_id)
{
	struct iommu_iova_range ranges[8];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = 0,
		.allowed_iovas = (uintptr_t)ranges,
	};
	uint32_t i;

	/* the two-call pattern: ask for the count, then fetch */
	if (ioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &cmd) && errno == EMSGSIZE)
		printf("  IOVA_RANGES with no room     -> EMSGSIZE, %u range(s) needed\n",
		       cmd.num_iovas);
	cmd.num_iovas = 8;
	if (do_ioctl("IOAS_IOVA_RANGES", IOMMU_IOAS_IOVA_RANGES, &cmd))
		return;
	for (i = 0; i < cmd.num_iovas; i++)
		printf("    usable IOVA [0x%llx, 0x%llx]\n",
		       (unsigned long long)ranges[i].start,
		       (unsigned long long)ranges[i].last);
	printf("    alignment %llu\n",
	       (unsigned long long)cmd.out_iova_alignment);
}

int main(void)
{
	size_t len = 2 * 1024 * 1024;
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct iommu_ioas_copy copy = { .size = sizeof(copy) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	uint32_t ioas, ioas2;
	void *buf;

	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0) {
		perror("open /dev/iommu (run me under uiommufd-run)");
		return 1;
	}
	printf("opened /dev/iommu as fd %d\n", iommufd);

	if (do_ioctl("IOAS_ALLOC", IOMMU_IOAS_ALLOC, &alloc))
		return 1;
	ioas = alloc.out_ioas_id;
	printf("  IOAS_ALLOC                   -> ioas %u\n", ioas);
	show_ranges(ioas);

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	map.ioas_id = ioas;
	map.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
	map.user_va = (uintptr_t)buf;
	map.length = len;
	if (do_ioctl("IOAS_MAP (automatic IOVA)", IOMMU_IOAS_MAP, &map))
		return 1;
	printf("  IOAS_MAP 2 MiB at %p       -> iova 0x%llx\n", buf,
	       (unsigned long long)map.iova);

	map.flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
	printf("  IOAS_MAP again at the same fixed IOVA:\n");
	do_ioctl("IOAS_MAP (fixed, overlapping)", IOMMU_IOAS_MAP, &map);

	alloc.out_ioas_id = 0;
	if (do_ioctl("IOAS_ALLOC", IOMMU_IOAS_ALLOC, &alloc))
		return 1;
	ioas2 = alloc.out_ioas_id;
	copy.dst_ioas_id = ioas2;
	copy.src_ioas_id = ioas;
	copy.src_iova = map.iova;
	copy.length = len;
	copy.flags = IOMMU_IOAS_MAP_READABLE;
	if (do_ioctl("IOAS_COPY", IOMMU_IOAS_COPY, &copy))
		return 1;
	printf("  IOAS_COPY into ioas %u       -> iova 0x%llx (pages shared)\n",
	       ioas2, (unsigned long long)copy.dst_iova);

	unmap.ioas_id = ioas;
	unmap.iova = map.iova;
	unmap.length = 4096;
	printf("  IOAS_UNMAP of one page inside the 2 MiB map:\n");
	do_ioctl("IOAS_UNMAP (would cut)", IOMMU_IOAS_UNMAP, &unmap);

	unmap.iova = 0;
	unmap.length = UINT64_MAX;
	if (do_ioctl("IOAS_UNMAP (all)", IOMMU_IOAS_UNMAP, &unmap))
		return 1;
	printf("  IOAS_UNMAP 0..U64_MAX        -> %llu bytes unmapped\n",
	       (unsigned long long)unmap.length);

	destroy.id = ioas;
	if (do_ioctl("DESTROY", IOMMU_DESTROY, &destroy))
		return 1;
	printf("  DESTROY ioas %u              -> ok\n", ioas);
	destroy.id = ioas;
	do_ioctl("DESTROY (again)", IOMMU_DESTROY, &destroy);

	close(iommufd);
	printf("closed; ioas %u and its copy went with the fd\n", ioas2);
	munmap(buf, len);
	return 0;
}

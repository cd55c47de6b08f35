/* SPDX-License-Identifier: MIT */
/*
 * The state dump: the object graph of iommufd contexts as one JSON document
 * or as readable text (dump.c). The front end decides which contexts to
 * dump and where the bytes go (front/dump_api.c); this side only looks.
 *
 * Building is separate from rendering: iommufd_dump_add_ctx() gathers a
 * context's state under the core's locks into a json-c tree, and the
 * renderers work on that tree with no lock held, so a slow reader of the
 * output never holds up an ioctl.
 */
#ifndef UIOMMUFD_CORE_DUMP_H
#define UIOMMUFD_CORE_DUMP_H

#include <stdbool.h>
#include <stddef.h>

struct iommufd_ctx;
struct iommufd_dump;

/* a new dump (process-wide parts filled in), or NULL without memory */
struct iommufd_dump *iommufd_dump_new(void);
void iommufd_dump_free(struct iommufd_dump *dump);

/*
 * Add the state of @ictx (held by the caller), reached through the fd
 * numbers @fds[0..nfds). 0 or -ENOMEM.
 */
int iommufd_dump_add_ctx(struct iommufd_dump *dump, struct iommufd_ctx *ictx,
			 const int *fds, unsigned int nfds);

/* how many contexts were added */
unsigned int iommufd_dump_num_ctx(const struct iommufd_dump *dump);

/*
 * The dump as text (@json false) or as one JSON document, in a buffer the
 * caller frees with free(); its length in *@ret_len. NULL without memory.
 */
char *iommufd_dump_render(struct iommufd_dump *dump, bool json,
			  size_t *ret_len);

#endif

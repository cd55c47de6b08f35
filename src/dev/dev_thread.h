/* SPDX-License-Identifier: MIT */
/*
 * dev_thread: what the DMA path keeps per thread.
 *
 * Every thread that DMAs must be registered with urcu-memb (the DMA runs
 * in a read-side critical section, hw.h "IOTLB"). Library users should not
 * have to know: the first DMA of a thread registers it, and a pthread key
 * destructor unregisters it when the thread exits (an exited thread that
 * stays registered would block every later grace period). A thread that
 * registered itself with urcu-memb before its first DMA is left alone: it
 * keeps its registration, and unregisters itself, after its last DMA.
 *
 * The same first call hands the thread a statistics slot: each device
 * keeps DEV_STAT_SLOTS cache-line sized counter blocks, and a thread owning
 * a slot updates its block with plain (relaxed load + relaxed store)
 * increments: no atomic read-modify-write and no cache line shared with
 * another DMA thread on the hot path. Slots are recycled at thread exit.
 * Threads beyond DEV_STAT_SLOTS live ones share the last block and update
 * it with atomic adds (slower, still exact).
 *
 * Initial-exec TLS: the DMA path reads this on every call, and
 * __tls_get_addr would cost more than an 8-byte copy.
 */
#ifndef UIOMMUFD_DEV_DEV_THREAD_H
#define UIOMMUFD_DEV_DEV_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "util/compiler.h"

#define DEV_STAT_SLOTS 32
/* the block shared, with atomic adds, by threads that found no free slot */
#define DEV_STAT_SHARED (DEV_STAT_SLOTS - 1)

struct dev_thread {
	bool ready; /* registered and holding a slot */
	bool registered_by_us; /* unregister at thread exit */
	bool shared; /* slot is DEV_STAT_SHARED: use atomic adds */
	bool membarrier; /* urcu-memb uses sys_membarrier (dma.c) */
	/*
	 * statistics block (and IOTLB) of this thread; DEV_STAT_SHARED, the
	 * slot no IOTLB ever belongs to, while not ready
	 */
	uint8_t slot;
};

extern __thread struct dev_thread dev_thread __attribute__((tls_model("initial-"
								      "exec")));

/* the slow path of dev_thread_get(): register, take a slot; 0 or -ENOMEM */
int dev_thread_init(void);

/*
 * This thread's state, registered with urcu-memb and holding a slot; NULL
 * in the unlikely case the thread-exit hook cannot be installed.
 */
static inline struct dev_thread *dev_thread_get(void)
{
	if (unlikely(!dev_thread.ready) && dev_thread_init())
		return NULL;
	return &dev_thread;
}

#endif

/* SPDX-License-Identifier: MIT */
/*
 * dev_thread: lazy urcu-memb registration and statistics slots of the
 * threads that DMA (see dev_thread.h).
 *
 * Registration happens once per thread, on its first DMA; the pthread key
 * below exists only for its destructor, which runs when the thread exits
 * (pthread_exit or return from its start routine) and undoes what
 * dev_thread_init() did. The main thread's destructor does not run at
 * exit(): the process is going away, nothing waits for a grace period any
 * more.
 */
#define _LGPL_SOURCE /* see dma.c: only to read urcu_memb_reader.registered */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include <urcu/urcu-memb.h>

#include "dev/dev_thread.h"

/* the slot no IOTLB ever belongs to, until the thread has one of its own */
__thread struct dev_thread dev_thread __attribute__((tls_model("initial-"
							       "exec"))) = {
	.slot = DEV_STAT_SHARED,
};

/* bit n set: slot n is owned by a live thread; DEV_STAT_SHARED never is */
static atomic_uint_least32_t slot_map;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static int exit_key_err;

_Static_assert(DEV_STAT_SLOTS <= 32, "slot_map is 32 bits");

static void dev_thread_exit(void *arg)
{
	struct dev_thread *th = &dev_thread;

	if (!th->ready)
		return;
	if (!th->shared)
		atomic_fetch_and_explicit(&slot_map, ~(1u << th->slot),
					  memory_order_release);
	if (th->registered_by_us)
		urcu_memb_unregister_thread();
	th->ready = false;
	th->registered_by_us = false;
	th->slot = DEV_STAT_SHARED;
}

static void exit_key_create(void)
{
	exit_key_err = pthread_key_create(&exit_key, dev_thread_exit);
}

static void take_slot(struct dev_thread *th)
{
	uint32_t map = atomic_load_explicit(&slot_map, memory_order_relaxed);
	unsigned int slot;

	for (;;) {
		uint32_t free_bits = ~map & ((1u << DEV_STAT_SHARED) - 1);

		if (!free_bits) {
			th->slot = DEV_STAT_SHARED;
			th->shared = true;
			return;
		}
		slot = __builtin_ctz(free_bits);
		/* acquire: the previous owner's counter updates are ours now */
		if (atomic_compare_exchange_weak_explicit(
			    &slot_map, &map, map | (1u << slot),
			    memory_order_acquire, memory_order_relaxed))
			break;
	}
	th->slot = slot;
	th->shared = false;
}

/*
 * Without the destructor a thread would stay registered after it exits and
 * block every later grace period: if the key cannot be had or set, the
 * thread does not DMA at all (-ENOMEM) rather than risk that.
 */
int dev_thread_init(void)
{
	struct dev_thread *th = &dev_thread;

	pthread_once(&exit_key_once, exit_key_create);
	if (exit_key_err)
		return -ENOMEM;
	/* any non-NULL value makes the destructor run at thread exit */
	if (pthread_setspecific(exit_key, th))
		return -ENOMEM;
	if (!URCU_TLS(urcu_memb_reader).registered) {
		urcu_memb_register_thread();
		th->registered_by_us = true;
	}
	take_slot(th);
	/* known once registered: read by the library's initialization */
	th->membarrier = urcu_memb_has_sys_membarrier;
	th->ready = true;
	return 0;
}

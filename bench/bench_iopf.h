/* SPDX-License-Identifier: MIT */
/*
 * bench_iopf: the IO page fault round trip's figures for uiommufd-bench
 * (see bench_iopf.c for what each key measures and against which baseline).
 */
#ifndef UIOMMUFD_BENCH_IOPF_H
#define UIOMMUFD_BENCH_IOPF_H

#include <json-c/json.h>
#include <stdbool.h>

/*
 * measure and add the iopf keys to @out; 0, or -errno if setup fails
 * (fewer than two CPUs to run on: the keys are left out and 0 returned)
 */
int bench_iopf(json_object *out, bool quick);

/* print the iopf keys of @out for a human */
void bench_iopf_print(json_object *out);

#endif

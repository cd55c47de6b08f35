/* SPDX-License-Identifier: MIT */
/*
 * bench_pt: the page-table engine's figures for uiommufd-bench (see
 * bench_pt.c for what each key measures and against which baseline).
 */
#ifndef UIOMMUFD_BENCH_PT_H
#define UIOMMUFD_BENCH_PT_H

#include <json-c/json.h>
#include <stdbool.h>

/* measure and add the pt keys to @out; 0, or -errno if a table fails */
int bench_pt(json_object *out, bool quick);

/* print the pt keys of @out for a human */
void bench_pt_print(json_object *out);

#endif

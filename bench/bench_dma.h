/* SPDX-License-Identifier: MIT */
/*
 * bench_dma: the emulated-device DMA path's figures for uiommufd-bench (see
 * bench_dma.c for what each key measures and against which baseline).
 */
#ifndef UIOMMUFD_BENCH_DMA_H
#define UIOMMUFD_BENCH_DMA_H

#include <json-c/json.h>
#include <stdbool.h>

/* measure and add the dma keys to @out; 0, or -errno if setup fails */
int bench_dma(json_object *out, bool quick);

/* print the dma keys of @out for a human */
void bench_dma_print(json_object *out);

#endif

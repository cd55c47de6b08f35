/* SPDX-License-Identifier: MIT */
/*
 * The VT-d model's registers and what vtd.c and vtd_nested.c share: the
 * capability and extended capability bits (VT-d spec 11.4.2, 11.4.3) the
 * model reports and reads back, and the nested-domain allocator the model
 * table points to.
 */
#ifndef UIOMMUFD_HW_VTD_H
#define UIOMMUFD_HW_VTD_H

#include <stdint.h>

#include "hw/hw.h"

#define VTD_BIT(n) (1ULL << (n))
#define VTD_FIELD(v, shift) ((uint64_t)(v) << (shift))
#define VTD_GET(reg, shift, width) \
	(((reg) >> (shift)) & ((1ULL << (width)) - 1))

/* Capability register (VT-d spec 11.4.2) */
#define VTD_CAP_ND(n) VTD_FIELD(n, 0)           /* 2:0 domain-id width */
#define VTD_CAP_SAGAW_SHIFT 8                   /* 12:8 */
#define VTD_CAP_SAGAW_3LVL VTD_BIT(9)           /* SAGAW bit 1 */
#define VTD_CAP_SAGAW_4LVL VTD_BIT(10)          /* SAGAW bit 2 */
#define VTD_CAP_SAGAW_5LVL VTD_BIT(11)          /* SAGAW bit 3 */
#define VTD_CAP_MGAW_SHIFT 16                   /* 21:16, width - 1 */
#define VTD_CAP_ZLR VTD_BIT(22)
#define VTD_CAP_FRO(units) VTD_FIELD(units, 24) /* 33:24, 16-byte units */
#define VTD_CAP_SLLPS_SHIFT 34                  /* 37:34 */
#define VTD_CAP_PSI VTD_BIT(39)
#define VTD_CAP_NFR(n) VTD_FIELD((n) - 1, 40)   /* 47:40, count - 1 */
#define VTD_CAP_MAMV(v) VTD_FIELD(v, 48)        /* 53:48 */
#define VTD_CAP_DWD VTD_BIT(54)
#define VTD_CAP_DRD VTD_BIT(55)
#define VTD_CAP_FS1GP VTD_BIT(56)
#define VTD_CAP_FS5LP VTD_BIT(60)

/* Extended capability register (VT-d spec 11.4.3) */
#define VTD_ECAP_C VTD_BIT(0)
#define VTD_ECAP_QI VTD_BIT(1)
#define VTD_ECAP_DT VTD_BIT(2)
#define VTD_ECAP_IR VTD_BIT(3)
#define VTD_ECAP_EIM VTD_BIT(4)
#define VTD_ECAP_SC VTD_BIT(7)
#define VTD_ECAP_IRO(units) VTD_FIELD(units, 8) /* 17:8, 16-byte units */
#define VTD_ECAP_MHMV(v) VTD_FIELD(v, 20)       /* 23:20 */
#define VTD_ECAP_NEST VTD_BIT(26)
#define VTD_ECAP_PRS VTD_BIT(29)
#define VTD_ECAP_SRS VTD_BIT(31)
#define VTD_ECAP_EAFS VTD_BIT(34)
#define VTD_ECAP_PSS(bits) VTD_FIELD((bits) - 1, 35) /* 39:35 */
#define VTD_ECAP_PASID VTD_BIT(40)
#define VTD_ECAP_SMTS VTD_BIT(43)
#define VTD_ECAP_SSADS VTD_BIT(45)
#define VTD_ECAP_SSTS VTD_BIT(46)
#define VTD_ECAP_FSTS VTD_BIT(47)
#define VTD_ECAP_SMPWC VTD_BIT(48)

/*
 * The unit's address width (uio_hw_dev.aw): MGAW, with the SAGAW and FS5LP
 * that go with it (vtd.c). 48 unless the device asks for 39 or 57.
 */
#define VTD_AW_DEFAULT 48

struct vtd_regs {
	uint64_t cap, ecap;
};

/* the registers @dev sees (vtd.c) */
void vtd_regs(const struct uio_hw_dev *dev, struct vtd_regs *r);

/* the VT-d first-stage nested domain over a second-stage parent (vtd_nested.c) */
struct uio_domain *vtd_domain_alloc_nested(const struct uio_hw_dev *dev,
					   struct uio_domain *parent,
					   const struct uio_hw_domain_req *req);
/* the model's attach rules for a nested domain (vtd_nested.c) */
int vtd_nested_attach_check(const struct uio_hw_dev *dev,
			    const struct uio_domain *domain);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The VFIO device cdevs (/dev/vfio/devices/vfioN) the front end serves: see
 * front/vfio_cdev.c.
 */
#ifndef UIOMMUFD_FRONT_VFIO_CDEV_H
#define UIOMMUFD_FRONT_VFIO_CDEV_H

/**
 * uio_vfio_cdev_open() - open /dev/vfio/devices/vfio@index.
 * @flags: O_CLOEXEC and O_NONBLOCK are honoured.
 * Return: the new fd; -ENOENT if no such device is configured
 * (UIOMMUFD_VFIO_DEVS); else -errno (the device cannot be made, no fd).
 */
int uio_vfio_cdev_open(unsigned int index, int flags);

#endif

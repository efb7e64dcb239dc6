/* The container's filesystem, as runc builds it: overlay root, its own /proc, a minimal /dev, a
   read-only /sys with its own cgroupfs, the volumes, then the masked and read-only paths. */
#ifndef TINYLET_ROOTFS_H
#define TINYLET_ROOTFS_H
#include "spec.h"

/* In the host's root: opens every bind source (fds survive pivot_root), makes the overlay and the
   special filesystems under it, and pivots into it. Returns the source fds (one per bind). */
int *enter_rootfs(struct spec *s, int errfd);

/* Inside the new root: mounts the volumes onto targets resolved as the container sees its own
   tree, then applies masked/read-only paths and readOnlyRootFilesystem. */
void finish_rootfs(struct spec *s, int *bind_fds, int errfd);
#endif

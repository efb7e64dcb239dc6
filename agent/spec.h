/*
 * The container spec the agent writes for the launcher (like an OCI bundle's config.json), read by
 * `tinylet-pause launch --spec FILE` and `tinylet-pause exec --spec FILE`. The file is a sequence of
 * NUL-terminated strings: a key, then its values (one, except bind: 4, cgmount: 3, cglink: 2), so
 * paths and arguments may hold any character but NUL and nothing is parsed out of a string.
 */
#ifndef TINYLET_SPEC_H
#define TINYLET_SPEC_H
#include <sys/types.h>

struct bind { const char *src, *sub, *dst, *flags; };
struct cgmount { const char *name, *fstype, *options; };
struct cglink { const char *name, *target; };

struct spec {
  const char *pidns, *netns, *ipcns, *utsns;   /* "new" or a namespace file to join */
  const char **cgroups; int ncgroups;          /* cgroup dirs whose cgroup.procs PID 1 joins */
  int cgroupns;                                /* a new cgroup namespace rooted at those */
  const char *rootfs, *upper, *work, *lower;   /* overlay root */
  const char **opaque; int nopaque;            /* lower paths shown as empty dirs */
  const char **whiteout; int nwhiteout;        /* lower paths not shown at all */
  int readonly_root, privileged;
  const char **masks; int nmasks;              /* masked paths (OCI maskedPaths) */
  const char **ropaths; int nropaths;          /* read-only paths (OCI readonlyPaths) */
  struct cgmount *cgmounts; int ncgmounts;     /* the container's /sys/fs/cgroup */
  struct cglink *cglinks; int ncglinks;
  struct bind *binds; int nbinds;
  const char *workdir;
  const char *user;                            /* the image's USER: name|uid[:group|gid] */
  long uid, gid;                               /* runAsUser / runAsGroup, -1 when unset */
  gid_t *groups; int ngroups;                  /* supplementalGroups + fsGroup */
  int groups_strict;                           /* supplementalGroupsPolicy: Strict */
  int *caps; int ncaps;                        /* the capability set (bounding = effective) */
  int nnp;                                     /* no_new_privs */
  char **seccomp; int nseccomp;                /* seccomp.c's line format */
  char **argv; int argc;                       /* NULL-terminated */
  char **envp; int nenv;                       /* NULL-terminated */
};

/* Returns 0, or -1 with a message in err. */
int spec_read(const char *path, struct spec *s, char *err, size_t errlen);
#endif

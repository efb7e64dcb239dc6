#define _GNU_SOURCE
#include "rootfs.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Safe devices a container gets (runc's default set), bind-mounted from the host so that /dev
   itself can be nodev: a node a container makes with CAP_MKNOD can never be opened. */
static const char *const DEVICES[] = {"null", "zero", "full", "random", "urandom", "tty"};

static int open_how(int dirfd, const char *path, int flags, mode_t mode) {
  struct open_how how = {.flags = (unsigned long long)(flags | O_CLOEXEC), .mode = mode, .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
  return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/*
 * A volume's subPath, resolved beneath the volume (a symlink a container planted there cannot lead
 * out of it: the kubelet's "subpath ... not within volume path"); missing directories are made
 * with the volume's own mode, as the kubelet does.
 */
static int open_subpath(int errfd, const char *base, const char *sub) {
  int basefd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (basefd < 0) fail(errfd, "open volume", base);
  struct stat st;
  if (fstat(basefd, &st) != 0) fail(errfd, "stat volume", base);
  char *copy = strdup(sub), *save = NULL;
  int cur = basefd;
  for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
    int next = open_how(cur, part, O_PATH, 0);
    if (next < 0 && errno == ENOENT) {
      if (mkdirat(cur, part, st.st_mode & 07777) != 0 && errno != EEXIST) fail(errfd, "create subPath", sub);
      next = open_how(cur, part, O_PATH, 0);
    }
    if (next < 0) {
      if (errno == EXDEV || errno == ELOOP) {
        char msg[1024];
        snprintf(msg, sizeof msg, "subPath \"%s\" is not within the volume path %s", sub, base);
        failmsg(errfd, msg);
      }
      fail(errfd, "open subPath", sub);
    }
    if (cur != basefd) close(cur);
    cur = next;
  }
  free(copy);
  if (cur != basefd) close(basefd);
  return cur;
}

static int has_flag(const char *flags, const char *flag) {
  size_t n = strlen(flag);
  for (const char *p = flags; (p = strstr(p, flag)); p += n)
    if ((p == flags || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) return 1;
  return 0;
}

/* Copies a lower directory's mode and owner onto the upper one, so the merged view is unchanged. */
static void mkdir_like(const char *upper, const char *lower, const char *rel) {
  char *u = join_path(upper, ""), *l;
  char *path = strdup(rel);
  for (char *p = path; ; p++) {
    if (*p != '/' && *p != 0) continue;
    char saved = *p;
    *p = 0;
    if (*path) {
      free(u);
      u = join_path(upper, path);
      l = join_path(lower, path);
      struct stat st;
      int have = stat(l, &st) == 0 && S_ISDIR(st.st_mode);
      if (mkdir(u, have ? st.st_mode & 07777 : 0755) == 0 && have) {
        if (chown(u, st.st_uid, st.st_gid) != 0) { /* best effort */ }
        chmod(u, st.st_mode & 07777);
      }
      free(l);
    }
    if (!saved) break;
    *p = saved;
  }
  free(path);
  free(u);
}

static char *parent_of(const char *rel) {
  char *dir = strdup(rel);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = 0; else dir[0] = 0;
  return dir;
}

/* Hidden lower paths: an opaque directory (shown empty, writes go to the upper layer) or a whiteout. */
static void prepare_upper(struct spec *s, int errfd) {
  for (int i = 0; i < s->nopaque; i++) {
    mkdir_like(s->upper, s->lower, s->opaque[i]);
    char *u = join_path(s->upper, s->opaque[i]);
    if (setxattr(u, "trusted.overlay.opaque", "y", 1, 0) != 0) fail(errfd, "make opaque", s->opaque[i]);
    free(u);
  }
  for (int i = 0; i < s->nwhiteout; i++) {
    char *dir = parent_of(s->whiteout[i]);
    mkdir_like(s->upper, s->lower, dir);
    free(dir);
    char *u = join_path(s->upper, s->whiteout[i]);
    if (mknod(u, S_IFCHR | 0600, makedev(0, 0)) != 0 && errno != EEXIST) fail(errfd, "whiteout", s->whiteout[i]);
    free(u);
  }
}

static void mount_at(int errfd, const char *root, const char *rel, const char *src, const char *fstype, unsigned long flags, const char *data, mode_t mode) {
  char *path = join_path(root, rel);
  if (mkdir_p(path, mode) != 0) fail(errfd, "mkdir", path);
  if (mount(src, path, fstype, flags, data) != 0) fail(errfd, "mount", path);
  free(path);
}

static void touch(int errfd, const char *path) {
  int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0) fail(errfd, "create", path);
  close(fd);
}

static void setup_dev(struct spec *s, int errfd) {
  const char *r = s->rootfs;
  const unsigned long secure = MS_NOSUID | MS_NOEXEC;
  if (s->privileged) {
    mount_at(errfd, r, "dev", "/dev", NULL, MS_BIND | MS_REC, NULL, 0755);
  } else {
    mount_at(errfd, r, "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=755,size=65536k", 0755);
    for (size_t i = 0; i < sizeof DEVICES / sizeof *DEVICES; i++) {
      char host[32], rel[32];
      snprintf(host, sizeof host, "/dev/%s", DEVICES[i]);
      snprintf(rel, sizeof rel, "dev/%s", DEVICES[i]);
      char *target = join_path(r, rel);
      touch(errfd, target);
      if (mount(host, target, NULL, MS_BIND, NULL) != 0) fail(errfd, "bind", host);
      free(target);
    }
    /* No terminal is attached to a container's PID 1: its console is a sink. */
    char *console = join_path(r, "dev/console");
    touch(errfd, console);
    if (mount("/dev/null", console, NULL, MS_BIND, NULL) != 0) fail(errfd, "bind", console);
    free(console);
  }
  mount_at(errfd, r, "dev/pts", "devpts", "devpts", secure, "newinstance,ptmxmode=0666,mode=0620,gid=5", 0755);
  mount_at(errfd, r, "dev/shm", "shm", "tmpfs", secure | MS_NODEV, "mode=1777,size=65536k", 01777);
  mount_at(errfd, r, "dev/mqueue", "mqueue", "mqueue", secure | MS_NODEV, NULL, 0755);
  static const char *const links[][2] = {
      {"pts/ptmx", "dev/ptmx"}, {"/proc/self/fd", "dev/fd"}, {"/proc/self/fd/0", "dev/stdin"},
      {"/proc/self/fd/1", "dev/stdout"}, {"/proc/self/fd/2", "dev/stderr"}, {"/proc/kcore", "dev/core"}};
  for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
    char *at = join_path(r, links[i][1]);
    if (s->privileged) unlink(at);
    if (symlink(links[i][0], at) != 0 && errno != EEXIST) fail(errfd, "symlink", at);
    free(at);
  }
}

/* A fresh sysfs (the pod's network devices only) and, under it, the container's own cgroupfs. */
static void setup_sys(struct spec *s, int errfd) {
  const unsigned long ro = s->privileged ? 0 : MS_RDONLY;
  const unsigned long secure = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  mount_at(errfd, s->rootfs, "sys", "sysfs", "sysfs", secure | ro, NULL, 0755);
  if (s->ncgmounts == 0) return;
  if (s->ncgmounts == 1 && s->cgmounts[0].name[0] == 0) {
    mount_at(errfd, s->rootfs, "sys/fs/cgroup", "cgroup2", "cgroup2", secure | ro, NULL, 0755);
    return;
  }
  mount_at(errfd, s->rootfs, "sys/fs/cgroup", "tmpfs", "tmpfs", secure, "mode=755", 0755);
  char *base = join_path(s->rootfs, "sys/fs/cgroup");
  for (int i = 0; i < s->ncgmounts; i++) {
    struct cgmount *m = &s->cgmounts[i];
    mount_at(errfd, base, m->name, m->fstype, m->fstype, secure | ro, m->options[0] ? m->options : NULL, 0755);
  }
  for (int i = 0; i < s->ncglinks; i++) {
    char *at = join_path(base, s->cglinks[i].name);
    if (symlink(s->cglinks[i].target, at) != 0 && errno != EEXIST) fail(errfd, "symlink", at);
    free(at);
  }
  if (mount(NULL, base, NULL, MS_REMOUNT | secure | ro, "mode=755") != 0) fail(errfd, "remount", base);
  free(base);
}

int *enter_rootfs(struct spec *s, int errfd) {
  if (unshare(CLONE_NEWNS) != 0) fail(errfd, "unshare", "mount namespace");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail(errfd, "make-rprivate", "/");
  /* Each source as a detached copy of its mount tree (open_tree): it outlives the old root, and is
     attached at its target only once that is resolved inside the new root. */
  int *fds = calloc((size_t)s->nbinds + 1, sizeof(int));
  for (int i = 0; i < s->nbinds; i++) {
    struct bind *b = &s->binds[i];
    int src = b->sub[0] ? open_subpath(errfd, b->src, b->sub) : open(b->src, O_PATH | O_CLOEXEC);
    if (src < 0) fail(errfd, "open volume source", b->src);
    fds[i] = (int)syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
    if (fds[i] < 0) fail(errfd, "clone volume source", b->src);
    close(src);
  }
  if (!s->rootfs || !s->upper || !s->work || !s->lower) failmsg(errfd, "spec: rootfs, upper, work and lower are required");
  prepare_upper(s, errfd);
  size_t len = strlen(s->lower) + strlen(s->upper) + strlen(s->work) + 64;
  char *opts = malloc(len);
  /* volatile: the upper layer is thrown away (prepareRootFs deletes the dir before every start, so a
     layer left by a crash is never mounted again), so it never needs syncing. Without it, tearing the
     mount namespace down syncs the whole upper filesystem and a container's exit waits for the host's
     unrelated dirty data. Kernels before 5.10 refuse the option: retry without it, once, and remember. */
  static int no_volatile;
  unsigned long oflags = s->privileged ? 0 : MS_NODEV;
  int mounted = 0;
  if (!no_volatile) {
    snprintf(opts, len, "lowerdir=%s,upperdir=%s,workdir=%s,volatile", s->lower, s->upper, s->work);
    mounted = mount("overlay", s->rootfs, "overlay", oflags, opts) == 0;
    if (!mounted && errno != EINVAL) fail(errfd, "mount overlay", s->rootfs);
    if (!mounted) no_volatile = 1;
  }
  if (!mounted) {
    snprintf(opts, len, "lowerdir=%s,upperdir=%s,workdir=%s", s->lower, s->upper, s->work);
    if (mount("overlay", s->rootfs, "overlay", oflags, opts) != 0) fail(errfd, "mount overlay", s->rootfs);
  }
  free(opts);
  mount_at(errfd, s->rootfs, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0555);
  setup_dev(s, errfd);
  setup_sys(s, errfd);
  if (chdir(s->rootfs) != 0) fail(errfd, "chdir", s->rootfs);
  if (syscall(SYS_pivot_root, ".", ".") != 0) fail(errfd, "pivot_root", s->rootfs);
  if (umount2(".", MNT_DETACH) != 0) fail(errfd, "umount", "old root");
  if (chdir("/") != 0) fail(errfd, "chdir", "/");
  return fds;
}

static unsigned long long bind_attrs(const char *flags, int privileged) {
  unsigned long long f = has_flag(flags, "ro") ? MOUNT_ATTR_RDONLY : 0;
  /* Device nodes on a volume never open in an unprivileged container (the devices cgroup's job in runc). */
  if (!privileged) f |= MOUNT_ATTR_NODEV;
  return f;
}

/* The target as the container sees it: every path is resolved after pivot_root, inside the new root. */
static void bind_one(int errfd, struct bind *b, int fd, int privileged) {
  struct stat st;
  if (fstat(fd, &st) != 0) fail(errfd, "stat volume source", b->src);
  if (S_ISDIR(st.st_mode)) {
    if (mkdir_p(b->dst, 0755) != 0) fail(errfd, "create mount point", b->dst);
  } else {
    char *dir = parent_of(b->dst);
    if (*dir && mkdir_p(dir, 0755) != 0) fail(errfd, "create mount point", b->dst);
    free(dir);
    struct stat tst;
    if (stat(b->dst, &tst) != 0) touch(errfd, b->dst);
  }
  struct mount_attr attr = {.attr_set = bind_attrs(b->flags, privileged)};
  if (attr.attr_set && syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) fail(errfd, "set mount flags", b->dst);
  if (syscall(SYS_move_mount, fd, "", AT_FDCWD, b->dst, MOVE_MOUNT_F_EMPTY_PATH) != 0) fail(errfd, "bind mount", b->dst);
}

void finish_rootfs(struct spec *s, int *fds, int errfd) {
  for (int i = 0; i < s->nbinds; i++) {
    bind_one(errfd, &s->binds[i], fds[i], s->privileged);
    close(fds[i]);
  }
  free(fds);
  if (!s->privileged) {
    for (int i = 0; i < s->nmasks; i++) {
      struct stat st;
      if (stat(s->masks[i], &st) != 0) continue;
      int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", s->masks[i], "tmpfs", MS_RDONLY, "size=0") : mount("/dev/null", s->masks[i], NULL, MS_BIND, NULL);
      if (rc != 0) fail(errfd, "mask", s->masks[i]);
    }
    for (int i = 0; i < s->nropaths; i++) {
      struct stat st;
      if (stat(s->ropaths[i], &st) != 0) continue;
      if (mount(s->ropaths[i], s->ropaths[i], NULL, MS_BIND | MS_REC, NULL) != 0 ||
          mount(NULL, s->ropaths[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        fail(errfd, "read-only", s->ropaths[i]);
    }
  }
  if (s->readonly_root && mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | (s->privileged ? 0 : MS_NODEV), NULL) != 0)
    fail(errfd, "read-only remount", "/");
  if (s->workdir && *s->workdir && mkdir_p(s->workdir, 0755) != 0 && !s->readonly_root) fail(errfd, "create working dir", s->workdir);
}

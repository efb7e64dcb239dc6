#define _GNU_SOURCE
#include "spec.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PUSH(arr, n, value)                                        \
  do {                                                             \
    void *grown = realloc((arr), sizeof(*(arr)) * ((n) + 2));      \
    if (!grown) goto nomem;                                        \
    (arr) = grown;                                                 \
    (arr)[(n)++] = (value);                                        \
  } while (0)

static int number(const char *text, long max, long *out) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || end == text || *end || v < 0 || v > max) return -1;
  *out = v;
  return 0;
}

static char *read_all(const char *path, size_t *size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0) { close(fd); return NULL; }
  char *buf = malloc((size_t)st.st_size + 1);
  size_t got = 0;
  while (buf && got < (size_t)st.st_size) {
    ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fd);
  if (buf) buf[got] = 0;
  *size = got;
  return buf;
}

int spec_read(const char *path, struct spec *s, char *err, size_t errlen) {
  memset(s, 0, sizeof *s);
  s->uid = s->gid = -1;
  size_t size;
  char *buf = read_all(path, &size);
  if (!buf) { snprintf(err, errlen, "read spec %s: %s", path, strerror(errno)); return -1; }
  char *p = buf, *end = buf + size;
  while (p < end) {
    char *key = p; p += strlen(p) + 1;
    char *v[4] = {0};
    int arity = strcmp(key, "bind") == 0 ? 4 : strcmp(key, "cgmount") == 0 ? 3 : strcmp(key, "cglink") == 0 ? 2 : 1;
    for (int i = 0; i < arity; i++) {
      if (p >= end) { snprintf(err, errlen, "spec %s: truncated after \"%s\"", path, key); return -1; }
      v[i] = p; p += strlen(p) + 1;
    }
    long n;
    if (!strcmp(key, "pidns")) s->pidns = v[0];
    else if (!strcmp(key, "netns")) s->netns = v[0];
    else if (!strcmp(key, "ipcns")) s->ipcns = v[0];
    else if (!strcmp(key, "utsns")) s->utsns = v[0];
    else if (!strcmp(key, "cgroup")) PUSH(s->cgroups, s->ncgroups, v[0]);
    else if (!strcmp(key, "cgroupns")) s->cgroupns = 1;
    else if (!strcmp(key, "rootfs")) s->rootfs = v[0];
    else if (!strcmp(key, "upper")) s->upper = v[0];
    else if (!strcmp(key, "work")) s->work = v[0];
    else if (!strcmp(key, "lower")) s->lower = v[0];
    else if (!strcmp(key, "opaque")) PUSH(s->opaque, s->nopaque, v[0]);
    else if (!strcmp(key, "whiteout")) PUSH(s->whiteout, s->nwhiteout, v[0]);
    else if (!strcmp(key, "readonly-root")) s->readonly_root = 1;
    else if (!strcmp(key, "privileged")) s->privileged = 1;
    else if (!strcmp(key, "mask")) PUSH(s->masks, s->nmasks, v[0]);
    else if (!strcmp(key, "ropath")) PUSH(s->ropaths, s->nropaths, v[0]);
    else if (!strcmp(key, "cgmount")) PUSH(s->cgmounts, s->ncgmounts, ((struct cgmount){v[0], v[1], v[2]}));
    else if (!strcmp(key, "cglink")) PUSH(s->cglinks, s->ncglinks, ((struct cglink){v[0], v[1]}));
    else if (!strcmp(key, "bind")) PUSH(s->binds, s->nbinds, ((struct bind){v[0], v[1], v[2], v[3]}));
    else if (!strcmp(key, "workdir")) s->workdir = v[0];
    else if (!strcmp(key, "user")) s->user = v[0];
    else if (!strcmp(key, "uid") || !strcmp(key, "gid")) {
      if (number(v[0], INT_MAX, &n)) { snprintf(err, errlen, "spec %s: bad %s \"%s\"", path, key, v[0]); return -1; }
      if (key[0] == 'u') s->uid = n; else s->gid = n;
    } else if (!strcmp(key, "group")) {
      if (number(v[0], INT_MAX, &n)) { snprintf(err, errlen, "spec %s: bad group \"%s\"", path, v[0]); return -1; }
      PUSH(s->groups, s->ngroups, (gid_t)n);
    } else if (!strcmp(key, "groups-strict")) s->groups_strict = 1;
    else if (!strcmp(key, "cap")) {
      if (number(v[0], 63, &n)) { snprintf(err, errlen, "spec %s: bad capability \"%s\"", path, v[0]); return -1; }
      PUSH(s->caps, s->ncaps, (int)n);
    } else if (!strcmp(key, "nnp")) s->nnp = 1;
    else if (!strcmp(key, "seccomp")) PUSH(s->seccomp, s->nseccomp, v[0]);
    else if (!strcmp(key, "arg")) { PUSH(s->argv, s->argc, v[0]); s->argv[s->argc] = NULL; }
    else if (!strcmp(key, "env")) { PUSH(s->envp, s->nenv, v[0]); s->envp[s->nenv] = NULL; }
    else { snprintf(err, errlen, "spec %s: unknown key \"%s\"", path, key); return -1; }
  }
  if (!s->envp) { s->envp = calloc(1, sizeof(char *)); if (!s->envp) goto nomem; }
  return 0;
nomem:
  snprintf(err, errlen, "spec %s: out of memory", path);
  return -1;
}

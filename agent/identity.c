#define _GNU_SOURCE
#include "identity.h"
#include "seccomp.h"
#include "util.h"
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ident {
  uid_t uid;
  gid_t gid;
  char name[256];  /* the user's name in the container's passwd file, "" if it has none */
  char home[512];  /* its home directory there, "" if it has none */
  gid_t groups[1024];
  int ngroups;
};

static int numeric(const char *text, long *out) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || end == text || *end || v < 0 || v > 2147483647L) return 0;
  *out = v;
  return 1;
}

/* Field n (0-based) of a colon-separated line, copied into out. */
static const char *field(const char *line, int n, char *out, size_t len) {
  const char *p = line;
  for (int i = 0; i < n && p; i++) p = (p = strchr(p, ':')) ? p + 1 : NULL;
  if (!p) return NULL;
  size_t k = strcspn(p, ":\n");
  if (k >= len) k = len - 1;
  memcpy(out, p, k);
  out[k] = 0;
  return out;
}

/* The passwd entry whose name (by_name) or uid matches; fills name/uid/gid. */
static int lookup_passwd(const char *name, long uid, struct ident *id) {
  FILE *f = fopen("/etc/passwd", "re");
  if (!f) return 0;
  char line[1024], buf[256], num[32];
  int found = 0;
  while (!found && fgets(line, sizeof line, f)) {
    long u, g;
    if (!field(line, 0, buf, sizeof buf) || !field(line, 2, num, sizeof num) || !numeric(num, &u)) continue;
    if (name ? strcmp(buf, name) != 0 : u != uid) continue;
    if (!field(line, 3, num, sizeof num) || !numeric(num, &g)) continue;
    id->uid = (uid_t)u;
    id->gid = (gid_t)g;
    snprintf(id->name, sizeof id->name, "%s", buf);
    if (!field(line, 5, id->home, sizeof id->home)) id->home[0] = 0;
    found = 1;
  }
  fclose(f);
  return found;
}

static int lookup_group(const char *name, gid_t *gid) {
  FILE *f = fopen("/etc/group", "re");
  if (!f) return 0;
  char line[4096], buf[256], num[32];
  int found = 0;
  long g;
  while (!found && fgets(line, sizeof line, f))
    if (field(line, 0, buf, sizeof buf) && !strcmp(buf, name) && field(line, 2, num, sizeof num) && numeric(num, &g)) {
      *gid = (gid_t)g;
      found = 1;
    }
  fclose(f);
  return found;
}

static void add_group(struct ident *id, gid_t g) {
  for (int i = 0; i < id->ngroups; i++) if (id->groups[i] == g) return;
  if (id->ngroups < (int)(sizeof id->groups / sizeof *id->groups)) id->groups[id->ngroups++] = g;
}

/* Groups of /etc/group that list the user as a member (containerd's additional GIDs). */
static void member_groups(struct ident *id) {
  if (!id->name[0]) return;
  FILE *f = fopen("/etc/group", "re");
  if (!f) return;
  char line[8192], members[8000], num[32];
  long g;
  while (fgets(line, sizeof line, f)) {
    if (!field(line, 2, num, sizeof num) || !numeric(num, &g) || !field(line, 3, members, sizeof members)) continue;
    char *save = NULL;
    for (char *m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save))
      if (!strcmp(m, id->name)) add_group(id, (gid_t)g);
  }
  fclose(f);
}

/* runAsUser/runAsGroup over the image's USER; names resolved in the container's files. */
static void resolve(struct spec *s, int errfd, struct ident *id) {
  memset(id, 0, sizeof *id);
  char user[512] = "", *group = NULL;
  if (s->user) snprintf(user, sizeof user, "%s", s->user);
  if ((group = strchr(user, ':'))) *group++ = 0;
  long n;
  char msg[1024];
  if (s->uid >= 0) {
    if (!lookup_passwd(NULL, s->uid, id)) id->gid = 0;
    id->uid = (uid_t)s->uid;
  } else if (!user[0]) {
    lookup_passwd(NULL, 0, id);
    id->uid = 0;
  } else if (numeric(user, &n)) {
    if (!lookup_passwd(NULL, n, id)) id->gid = 0;
    id->uid = (uid_t)n;
  } else if (!lookup_passwd(user, -1, id)) {
    snprintf(msg, sizeof msg, "unable to find user %s: no matching entries in passwd file", user);
    failmsg(errfd, msg);
  }
  if (s->gid >= 0) id->gid = (gid_t)s->gid;
  else if (group && *group) {
    if (numeric(group, &n)) id->gid = (gid_t)n;
    else if (!lookup_group(group, &id->gid)) {
      snprintf(msg, sizeof msg, "unable to find group %s: no matching entries in group file", group);
      failmsg(errfd, msg);
    }
  }
  add_group(id, id->gid);
  if (!s->groups_strict) member_groups(id);
  for (int i = 0; i < s->ngroups; i++) add_group(id, s->groups[i]);
}

static int last_cap(void) {
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
  int last = 40;
  if (f) {
    if (fscanf(f, "%d", &last) != 1) last = 40;
    fclose(f);
  }
  return last;
}

static int wanted(struct spec *s, int cap) {
  if (s->privileged) return 1;
  for (int i = 0; i < s->ncaps; i++) if (s->caps[i] == cap) return 1;
  return 0;
}

static void load_seccomp(struct spec *s, int errfd) {
  if (s->nseccomp == 0) return;
  char err[512];
  if (tl_seccomp_load(s->seccomp, s->nseccomp, err, sizeof err) != 0) {
    char msg[700];
    snprintf(msg, sizeof msg, "seccomp: %s", err);
    failmsg(errfd, msg);
  }
}

/* The user's home in the container's passwd file, "/" without one (runc's default). */
static char resolved_home[512] = "/";

void default_home(void) {
  /* runc sets HOME from the passwd entry when the image and the pod leave it unset. */
  if (!getenv("HOME")) setenv("HOME", resolved_home, 1);
}

void apply_identity(struct spec *s, int errfd, pid_t parent) {
  struct ident id;
  resolve(s, errfd, &id);
  if (id.home[0]) snprintf(resolved_home, sizeof resolved_home, "%s", id.home);
  int last = last_cap();
  /* The bounding set first (it needs CAP_SETPCAP, which may not be kept). */
  for (int c = 0; c <= last; c++)
    if (!wanted(s, c) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL) fail(errfd, "drop capability", NULL);
  /* Without no_new_privs a filter can only be loaded with CAP_SYS_ADMIN: before the user changes. */
  if (!s->nnp) load_seccomp(s, errfd);
  if (setgroups((size_t)id.ngroups, id.groups) != 0) fail(errfd, "setgroups", NULL);
  if (setresgid(id.gid, id.gid, id.gid) != 0) fail(errfd, "setgid", NULL);
  if (setresuid(id.uid, id.uid, id.uid) != 0) fail(errfd, "setuid", NULL);
  /* Root keeps exactly the set; another user has none left after setuid, and execve gives none.
     Inheritable and ambient are empty, as in runc since CVE-2022-29162. */
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct have[2] = {{0, 0, 0}, {0, 0, 0}}, data[2] = {{0, 0, 0}, {0, 0, 0}};
  /* Never more than the launcher itself holds (a nested host may lack some): capset would refuse. */
  if (syscall(SYS_capget, &hdr, have) != 0) fail(errfd, "capget", NULL);
  if (id.uid == 0)
    for (int c = 0; c <= last && c < 64; c++)
      if (wanted(s, c)) {
        data[c / 32].effective |= 1u << (c % 32);
        data[c / 32].permitted |= 1u << (c % 32);
      }
  for (int i = 0; i < 2; i++) {
    data[i].permitted &= have[i].permitted;
    data[i].effective &= have[i].permitted;
  }
  if (syscall(SYS_capset, &hdr, data) != 0) fail(errfd, "capset", NULL);
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  if (s->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(errfd, "no_new_privs", NULL);
  if (s->nnp) load_seccomp(s, errfd);
  die_with_parent(parent);
  const char *cwd = s->workdir && *s->workdir ? s->workdir : "/";
  if (chdir(cwd) != 0) fail(errfd, "chdir to working dir", cwd);
}

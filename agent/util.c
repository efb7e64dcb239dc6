#define _GNU_SOURCE
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* A child in a new PID namespace sees its parent as pid 0, so the race check only applies outside. */
void die_with_parent(pid_t expected_parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  pid_t now = getppid();
  if (now != 0 && now != expected_parent) _exit(1);
}

pid_t agent_pid(void) {
  const char *v = getenv("TINYLET_AGENT_PID");
  pid_t pid = v ? (pid_t)atoi(v) : 0;
  unsetenv("TINYLET_AGENT_PID");
  return pid > 0 ? pid : getppid();
}

int lifeline_open(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

void lifeline_check(int fds[2]) {
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  char c;
  if (read(fds[0], &c, 1) == 0) _exit(1);
  close(fds[0]);
}

void failmsg(int errfd, const char *msg) {
  size_t n = strlen(msg);
  if (write(errfd, msg, n) < 0) { /* nothing more to do */ }
  _exit(127);
}

void fail(int errfd, const char *what, const char *arg) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s %s: %s", what, arg ? arg : "", strerror(errno));
  failmsg(errfd, buf);
}

int mkdir_p(const char *path, mode_t mode) {
  size_t len = strlen(path);
  char *tmp = malloc(len + 1);
  if (!tmp) return -1;
  memcpy(tmp, path, len + 1);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(tmp, mode) != 0 && errno != EEXIST) { free(tmp); return -1; }
    *p = '/';
  }
  int rc = mkdir(tmp, mode);
  free(tmp);
  return rc == 0 || errno == EEXIST ? 0 : -1;
}

char *join_path(const char *root, const char *path) {
  while (*path == '/') path++;
  size_t a = strlen(root), b = strlen(path);
  char *out = malloc(a + b + 2);
  if (!out) return NULL;
  memcpy(out, root, a);
  out[a] = '/';
  memcpy(out + a + 1, path, b + 1);
  return out;
}

/*
 * lock: one agent per state dir. `tinylet-pause lock FILE` takes an exclusive flock on FILE, writes
 * its parent's pid (the agent) into it and prints "locked"; then it holds the lock until the agent
 * dies (PDEATHSIG) or closes its stdin, so the kernel releases the lock with the agent whatever
 * way it ends. When another process holds the lock it prints "held <pid>" (the holder's agent)
 * and exits 1, having changed nothing.
 */
#define _GNU_SOURCE
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int lock_main(int argc, char **argv) {
  if (argc < 1) { fprintf(stderr, "tinylet-pause lock: usage: lock FILE\n"); return 2; }
  pid_t agent = agent_pid();
  die_with_parent(agent);
  int fd = open(argv[0], O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) { printf("error %s\n", strerror(errno)); return 2; }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = "";
    ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
    holder[n > 0 ? n : 0] = 0;
    holder[strcspn(holder, "\n")] = 0;
    printf("held %s\n", holder[0] ? holder : "?");
    return 1;
  }
  char pid[32];
  int len = snprintf(pid, sizeof pid, "%d\n", (int)agent);
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) { printf("error %s\n", strerror(errno)); return 2; }
  printf("locked\n");
  fflush(stdout);
  char buf[64];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  return 0;
}

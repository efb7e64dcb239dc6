/*
 * launch: starts one container from its spec (joins the pod's namespaces, new PID and mount
 * namespaces, cgroups, overlay root, identity), then waits for it and reports its raw wait status.
 * exec: runs one more process inside a running container (kubectl exec, exec probes and hooks)
 * with the container's namespaces, cgroups, user, capabilities and seccomp filter.
 */
#define _GNU_SOURCE
#include "identity.h"
#include "rootfs.h"
#include "spec.h"
#include "stopdeadline.h"
#include "tty.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static FILE *report = NULL;

/* Called from the stop deadline's thread too: one line at a time. */
static void reportf(const char *fmt, ...) {
  if (!report) return;
  flockfile(report);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(report, fmt, ap);
  va_end(ap);
  fputc('\n', report);
  fflush(report);
  funlockfile(report);
}

/* Keeps the container's mount namespace alive past its last process. Without it, the exit of PID 1
   tears the namespace down (namespace_unlock's synchronize_rcu, serialised across containers: 3-5 ms
   each, 40-50 ms for the last of 10 killed together) before the kernel even notifies this process
   of the exit; with it, the exit is reported first and the teardown happens at close(). */
static int hold_mount_namespace(pid_t child) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int)child);
  return open(path, O_RDONLY | O_CLOEXEC);
}

/* stdin/stdout/stderr on /dev/null: the container's output FIFOs reach EOF without waiting for this process. */
static void release_stdio(void) {
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) return;
  for (int fd = 0; fd < 3; fd++) dup2(null, fd);
  if (null > 2) close(null);
}

static int join_ns(const char *path, int type, char *err, size_t len) {
  if (!path) return 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, type) != 0) {
    snprintf(err, len, "join namespace %s: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return 0;
}

static void join_cgroups(struct spec *s, int errfd) {
  for (int c = 0; c < s->ncgroups; c++) {
    char *procs = join_path(s->cgroups[c], "cgroup.procs");
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0\n", 2) != 2) fail(errfd, "join cgroup", s->cgroups[c]);
    close(fd);
    free(procs);
  }
}

static void exec_command(char **argv, int errfd) {
  execvp(argv[0], argv);
  if (errno == ENOENT && !strchr(argv[0], '/')) {
    char buf[600];
    snprintf(buf, sizeof buf, "exec: \"%.400s\": executable file not found in $PATH", argv[0]);
    failmsg(errfd, buf);
  }
  fail(errfd, "exec", argv[0]);
}

/* `tty: true`: a pty of the container's own devpts (opened after pivot_root), its master sent to
   the launcher, its slave the controlling terminal and stdin/stdout/stderr of the container. */
static void take_terminal(int tty_sock, int errfd) {
  int slave = -1, master = open_container_pty(&slave);
  if (master < 0) fail(errfd, "open terminal", "/dev/ptmx");
  struct winsize ws = {0};
  ws.ws_col = 80;
  ws.ws_row = 24;
  ioctl(master, TIOCSWINSZ, &ws);
  if (send_fd(tty_sock, master) != 0) fail(errfd, "pass terminal", "to the launcher");
  close(master);
  close(tty_sock);
  attach_pty(slave);
}

/* Runs in the container's PID namespace as its PID 1, up to exec. */
static void container_child(struct spec *s, int errfd, pid_t parent, int lifeline[2], int tty_sock) {
  die_with_parent(parent);
  lifeline_check(lifeline);
  /* cgroups first, while the host's /sys is still visible; then a cgroup namespace rooted there. */
  join_cgroups(s, errfd);
  if (s->cgroupns && unshare(CLONE_NEWCGROUP) != 0) fail(errfd, "unshare", "cgroup namespace");
  int *fds = enter_rootfs(s, errfd);
  finish_rootfs(s, fds, errfd);
  if (tty_sock >= 0) take_terminal(tty_sock, errfd);
  apply_identity(s, errfd, parent);
  environ = s->envp;
  default_home();
  exec_command(s->argv, errfd);
}

int launch_main(int argc, char **argv) {
  const char *spec_path = NULL;
  int report_fd = -1, resize_fd = -1, control_fd = -1, tty = 0;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--tty")) tty = 1;
    else if (i + 1 < argc && !strcmp(argv[i], "--spec")) spec_path = argv[++i];
    else if (i + 1 < argc && !strcmp(argv[i], "--report-fd")) report_fd = atoi(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "--resize-fd")) resize_fd = atoi(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "--control-fd")) control_fd = atoi(argv[++i]);
    else { fprintf(stderr, "tinylet-pause launch: unknown option %s\n", argv[i]); return 125; }
  }
  if (resize_fd >= 0) fcntl(resize_fd, F_SETFD, FD_CLOEXEC);
  if (control_fd >= 0) fcntl(control_fd, F_SETFD, FD_CLOEXEC);
  if (report_fd >= 0) report = fdopen(report_fd, "w");
  die_with_parent(agent_pid());
  char err[1024];
  struct spec s;
  if (!spec_path || spec_read(spec_path, &s, err, sizeof err) != 0) {
    reportf("failed %s", spec_path ? err : "no --spec given");
    return 125;
  }
  if (s.argc == 0) { reportf("failed spec has no command"); return 125; }
  /* The pod's namespaces (held by its pause process), then a PID namespace of the container's own. */
  if (join_ns(s.ipcns, CLONE_NEWIPC, err, sizeof err) || join_ns(s.utsns, CLONE_NEWUTS, err, sizeof err) ||
      join_ns(s.netns, CLONE_NEWNET, err, sizeof err)) {
    reportf("failed %s", err);
    return 125;
  }
  /* Stop orders from the agent are carried out on a thread of their own, which can only be created
     before the PID namespace changes; without one the agent signals the container itself. */
  int deadline = stop_deadline_start(control_fd, reportf);
  if (s.pidns && strcmp(s.pidns, "new") == 0) {
    if (unshare(CLONE_NEWPID) != 0) { reportf("failed unshare pid namespace: %s", strerror(errno)); return 125; }
  } else if (join_ns(s.pidns, CLONE_NEWPID, err, sizeof err)) {
    reportf("failed %s", err);
    return 125;
  }
  int errpipe[2], lifeline[2], ttypair[2] = {-1, -1};
  if (pipe2(errpipe, O_CLOEXEC) != 0 || lifeline_open(lifeline) != 0) return 125;
  if (tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ttypair) != 0) { reportf("failed socketpair: %s", strerror(errno)); return 125; }
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &old);
  pid_t me = getpid();
  pid_t child = fork();
  if (child < 0) { reportf("failed fork: %s", strerror(errno)); return 125; }
  if (child == 0) {
    close(errpipe[0]);
    if (report) { fclose(report); report = NULL; }
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGPIPE, SIG_DFL);
    if (resize_fd >= 0) close(resize_fd);
    if (control_fd >= 0) close(control_fd);
    if (tty) close(ttypair[0]);
    container_child(&s, errpipe[1], me, lifeline, tty ? ttypair[1] : -1);
  }
  close(errpipe[1]);
  close(lifeline[0]);
  /* The master comes before the exec; a child that failed earlier just closes its end. */
  int master = -1;
  if (tty) {
    close(ttypair[1]);
    master = recv_fd(ttypair[0]);
    close(ttypair[0]);
  }
  char msg[1100];
  ssize_t n = read(errpipe[0], msg, sizeof msg - 1);
  close(errpipe[0]);
  if (n > 0) {
    msg[n] = 0;
    waitpid(child, NULL, 0);
    reportf("failed %s", msg);
    return 126;
  }
  int mntns = hold_mount_namespace(child);
  if (deadline == 0) deadline = stop_deadline_attach((int)syscall(SYS_pidfd_open, child, 0));
  reportf("started %d", (int)child);
  if (deadline != 0 && control_fd >= 0) reportf("no-deadline");
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  int status = 0;
  if (master >= 0) {
    status = relay_container_pty(master, child, resize_fd);
    close(master);
  } else {
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
  }
  unsigned long long exited_at = monotonic_ns();
  release_stdio();
  reportf("exited %d %llu", status, exited_at);
  if (mntns >= 0) close(mntns);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

/* tinylet-pause exec --spec FILE --target PID [--cwd DIR] [--tty] -- CMD...: the environment is inherited. */
int exec_main(int argc, char **argv) {
  const char *spec_path = NULL, *cwd = NULL;
  long target = 0;
  int i = 0, tty = 0;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--")) { i++; break; }
    if (!strcmp(argv[i], "--tty")) { tty = 1; continue; }
    if (i + 1 >= argc) break;
    if (!strcmp(argv[i], "--spec")) spec_path = argv[++i];
    else if (!strcmp(argv[i], "--target")) target = strtol(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--cwd")) cwd = argv[++i];
    else { fprintf(stderr, "tinylet-pause exec: unknown option %s\n", argv[i]); return 125; }
  }
  if (i >= argc || target <= 0 || !spec_path) { fprintf(stderr, "tinylet-pause exec: usage: exec --spec FILE --target PID -- CMD...\n"); return 125; }
  char err[1024];
  struct spec s;
  if (spec_read(spec_path, &s, err, sizeof err) != 0) { fprintf(stderr, "tinylet exec: %s\n", err); return 126; }
  if (cwd) s.workdir = cwd;
  die_with_parent(agent_pid());
  /* Open every namespace first: after the mount namespace changes, /proc/PID is another path. */
  static const struct { const char *name; int type; } kinds[] = {
      {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}};
  int fds[6];
  for (int k = 0; k < 6; k++) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/ns/%s", target, kinds[k].name);
    fds[k] = open(path, O_RDONLY | O_CLOEXEC);
    if (fds[k] < 0) { fprintf(stderr, "tinylet exec: container process %ld: %s\n", target, strerror(errno)); return 126; }
  }
  /* Only the command joins the container's cgroups (and, after that, its cgroup namespace): this
     process stays outside, so it never keeps a container's cgroup busy once the container is gone. */
  int *cgfds = calloc((size_t)s.ncgroups + 1, sizeof(int));
  for (int c = 0; c < s.ncgroups; c++) {
    char *procs = join_path(s.cgroups[c], "cgroup.procs");
    cgfds[c] = open(procs, O_WRONLY | O_CLOEXEC);
    if (cgfds[c] < 0) { fprintf(stderr, "tinylet exec: cgroup %s: %s\n", s.cgroups[c], strerror(errno)); return 126; }
    free(procs);
  }
  for (int k = 1; k < 6; k++) {
    if (setns(fds[k], kinds[k].type) != 0) { fprintf(stderr, "tinylet exec: join %s namespace: %s\n", kinds[k].name, strerror(errno)); return 126; }
    close(fds[k]);
  }
  int slave = -1, master = tty ? open_container_pty(&slave) : -1;
  if (tty && master < 0) { fprintf(stderr, "tinylet exec: open a terminal in the container: %s\n", strerror(errno)); return 126; }
  int lifeline[2];
  if (lifeline_open(lifeline) != 0) { fprintf(stderr, "tinylet exec: pipe: %s\n", strerror(errno)); return 126; }
  pid_t me = getpid();
  pid_t child = fork();
  if (child < 0) { fprintf(stderr, "tinylet exec: fork: %s\n", strerror(errno)); return 126; }
  if (child == 0) {
    die_with_parent(me);
    lifeline_check(lifeline);
    for (int c = 0; c < s.ncgroups; c++)
      if (write(cgfds[c], "0\n", 2) != 2) { fprintf(stderr, "tinylet exec: join cgroup %s: %s\n", s.cgroups[c], strerror(errno)); _exit(126); }
    if (setns(fds[0], CLONE_NEWCGROUP) != 0) { fprintf(stderr, "tinylet exec: join cgroup namespace: %s\n", strerror(errno)); _exit(126); }
    if (tty) { close(master); attach_pty(slave); }
    apply_identity(&s, 2, me);
    exec_command(argv + i, 2);
  }
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  close(lifeline[0]);
  close(fds[0]);
  for (int c = 0; c < s.ncgroups; c++) close(cgfds[c]);
  int status = 0;
  if (tty) {
    close(slave);
    status = relay_pty(master, child);
  } else {
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  /* Die the same way, as nsenter does, so the caller sees the signal. */
  signal(WTERMSIG(status), SIG_DFL);
  kill(getpid(), WTERMSIG(status));
  return 128 + WTERMSIG(status);
}

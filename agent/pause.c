/*
 * tinylet-pause: the pod sandbox holder and the container launcher, in one small static-ish binary.
 *
 *   tinylet-pause pause [--hostname NAME] [--share-pid]
 *       Holds the pod's namespaces (it is started under `unshare --net --ipc --uts`). Sets the hostname
 *       inside the new UTS namespace (unshare leaves the host's name there), reaps zombies, exits 0 on
 *       SIGTERM/SIGINT. With --share-pid it forks itself into a new PID namespace so the child pause
 *       is PID 1 that all containers of the pod share; the parent only keeps the namespaces open.
 *
 *   tinylet-pause launch [--pidns new|PATH] [--rootfs MNT --upper DIR --work DIR [--lower DIR]] [--bind SRC:DST[:ro]]...
 *                        [--cgroup DIR]... [--workdir DIR] [--report-fd N] -- CMD ARGS...
 *       Starts one container process: new (or joined) PID namespace, own mount namespace with an
 *       overlay root on the host's / and its own /proc, then exec. It reports on --report-fd:
 *         "started <host pid>"   once exec succeeded
 *         "failed <message>"     when the container could not be started
 *         "exited <raw status>"  the raw wait status, so a SIGKILL is seen as a SIGKILL (unshare --fork
 *                                 would turn it into exit status 1)
 *
 * Both modes die with their parent (PR_SET_PDEATHSIG), so no process of a pod outlives its agent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested = 0;
static volatile sig_atomic_t child_exited = 0;

static void on_stop(int sig) { (void)sig; stop_requested = 1; }
static void on_child(int sig) { (void)sig; child_exited = 1; }

/* A child in a new PID namespace sees its parent as pid 0, so the race check only applies outside. */
static void die_with_parent(pid_t expected_parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  pid_t now = getppid();
  if (now != 0 && now != expected_parent) _exit(1);
}

static void reap_all(void) {
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

static int pause_main(int argc, char **argv) {
  const char *hostname = NULL;
  int share_pid = 0;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--hostname") == 0 && i + 1 < argc) hostname = argv[++i];
    else if (strcmp(argv[i], "--share-pid") == 0) share_pid = 1;
  }
  die_with_parent(getppid());
  if (hostname && sethostname(hostname, strlen(hostname)) != 0) {
    perror("tinylet-pause: sethostname");
    return 1;
  }
  struct sigaction sa = {0};
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = on_child;
  sigaction(SIGCHLD, &sa, NULL);

  pid_t init = -1;
  if (share_pid) {
    if (unshare(CLONE_NEWPID) != 0) {
      perror("tinylet-pause: unshare(CLONE_NEWPID)");
      return 1;
    }
    pid_t parent = getpid();
    init = fork();
    if (init < 0) return 1;
    if (init == 0) {
      die_with_parent(parent);
      /* PID 1 of the shared namespace: the same loop as a plain pause; the parent reports readiness. */
      int devnull = open("/dev/null", O_WRONLY);
      if (devnull >= 0) { dup2(devnull, 1); close(devnull); }
      init = 0;
    }
  }
  if (init != 0) {
    /* Tell the agent the namespaces are ready (hostname set, PID 1 forked) before containers join. */
    ssize_t w = write(1, "ready\n", 6);
    (void)w;
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) { dup2(devnull, 1); close(devnull); }
  }
  for (;;) {
    if (stop_requested) {
      if (init > 0) {
        kill(init, SIGKILL);
        waitpid(init, NULL, 0);
      }
      return 0;
    }
    if (child_exited) {
      child_exited = 0;
      if (init > 0) {
        int status;
        if (waitpid(init, &status, WNOHANG) == init) return 0;
      } else {
        reap_all();
      }
    }
    pause();
  }
}

static FILE *report = NULL;

static void reportf(const char *fmt, ...) {
  if (!report) return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(report, fmt, ap);
  va_end(ap);
  fputc('\n', report);
  fflush(report);
}

/* Child-side failure: write the reason to the error pipe and stop before exec. */
static void fail(int errfd, const char *what, const char *arg) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, "%s %s: %s", what, arg ? arg : "", strerror(errno));
  if (n > 0) { ssize_t w = write(errfd, buf, (size_t)n); (void)w; }
  _exit(127);
}

static void mkdir_p(const char *path, mode_t mode) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p == '/') {
      *p = 0;
      mkdir(tmp, mode);
      *p = '/';
    }
  }
  mkdir(tmp, mode);
}

static void ensure_mountpoint(const char *src, const char *dst) {
  struct stat st;
  if (stat(src, &st) == 0 && !S_ISDIR(st.st_mode)) {
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", dst);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) { *slash = 0; mkdir_p(parent, 0755); }
    int fd = open(dst, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0) close(fd);
  } else {
    mkdir_p(dst, 0755);
  }
}

#define MAX_BINDS 64

struct launch_opts {
  const char *pidns;
  const char *rootfs, *upper, *work, *lower;
  const char *binds[MAX_BINDS];
  int nbinds;
  const char *cgroups[8];
  int ncgroups;
  const char *workdir;
  char **argv;
};

static void bind_one(int errfd, const char *root, const char *spec) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", spec);
  char *src = buf;
  char *dst = strchr(src, ':');
  if (!dst) { errno = EINVAL; fail(errfd, "bad bind", spec); }
  *dst++ = 0;
  int ro = 0;
  char *flags = strchr(dst, ':');
  if (flags) { *flags++ = 0; ro = strcmp(flags, "ro") == 0; }
  char target[4096];
  snprintf(target, sizeof target, "%s%s", root ? root : "", dst);
  ensure_mountpoint(src, target);
  if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) != 0) fail(errfd, "bind mount", target);
  if (ro && mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0)
    fail(errfd, "read-only remount", target);
}

static void setup_root(int errfd, struct launch_opts *o) {
  if (unshare(CLONE_NEWNS) != 0) fail(errfd, "unshare", "mount namespace");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail(errfd, "make-rprivate", "/");
  if (!o->rootfs) {
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) fail(errfd, "mount", "/proc");
    for (int i = 0; i < o->nbinds; i++) bind_one(errfd, NULL, o->binds[i]);
    return;
  }
  char opts[8192], path[4096];
  snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s", o->lower ? o->lower : "/", o->upper, o->work);
  if (mount("overlay", o->rootfs, "overlay", 0, opts) != 0) fail(errfd, "mount overlay", o->rootfs);
  snprintf(path, sizeof path, "%s/proc", o->rootfs);
  if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) fail(errfd, "mount", path);
  snprintf(path, sizeof path, "%s/dev", o->rootfs);
  if (mount("/dev", path, NULL, MS_BIND | MS_REC, NULL) != 0) fail(errfd, "bind", path);
  snprintf(path, sizeof path, "%s/dev/shm", o->rootfs);
  mkdir_p(path, 01777);
  if (mount("shm", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=65536k") != 0) fail(errfd, "mount", path);
  snprintf(path, sizeof path, "%s/sys", o->rootfs);
  if (mount("/sys", path, NULL, MS_BIND | MS_REC, NULL) != 0) fail(errfd, "bind", path);
  if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0) fail(errfd, "read-only remount", path);
  for (int i = 0; i < o->nbinds; i++) bind_one(errfd, o->rootfs, o->binds[i]);
  if (chdir(o->rootfs) != 0) fail(errfd, "chdir", o->rootfs);
  if (syscall(SYS_pivot_root, ".", ".") != 0) fail(errfd, "pivot_root", o->rootfs);
  if (umount2(".", MNT_DETACH) != 0) fail(errfd, "umount", "old root");
  if (chdir("/") != 0) fail(errfd, "chdir", "/");
}

static int launch_main(int argc, char **argv) {
  struct launch_opts o = {0};
  int report_fd = -1;
  int i = 0;
  for (; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--") == 0) { i++; break; }
    if (!v) break;
    if (strcmp(a, "--pidns") == 0) o.pidns = v;
    else if (strcmp(a, "--rootfs") == 0) o.rootfs = v;
    else if (strcmp(a, "--upper") == 0) o.upper = v;
    else if (strcmp(a, "--work") == 0) o.work = v;
    else if (strcmp(a, "--lower") == 0) o.lower = v;
    else if (strcmp(a, "--workdir") == 0) o.workdir = v;
    else if (strcmp(a, "--report-fd") == 0) report_fd = atoi(v);
    else if (strcmp(a, "--bind") == 0 && o.nbinds < MAX_BINDS) o.binds[o.nbinds++] = v;
    else if (strcmp(a, "--cgroup") == 0 && o.ncgroups < 8) o.cgroups[o.ncgroups++] = v;
    else { fprintf(stderr, "tinylet-pause launch: unknown option %s\n", a); return 125; }
    i++;
  }
  if (i >= argc) { fprintf(stderr, "tinylet-pause launch: no command\n"); return 125; }
  o.argv = argv + i;
  if (report_fd >= 0) report = fdopen(report_fd, "w");
  die_with_parent(getppid());

  if (o.pidns && strcmp(o.pidns, "new") == 0) {
    if (unshare(CLONE_NEWPID) != 0) { reportf("failed unshare pid namespace: %s", strerror(errno)); return 125; }
  } else if (o.pidns) {
    int fd = open(o.pidns, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWPID) != 0) { reportf("failed join pid namespace %s: %s", o.pidns, strerror(errno)); return 125; }
    close(fd);
  }
  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) != 0) return 125;
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
    die_with_parent(me);
    /* Join the container's cgroups before anything else runs, while the host's /sys is still visible. */
    for (int c = 0; c < o.ncgroups; c++) {
      char procs[4096];
      snprintf(procs, sizeof procs, "%s/cgroup.procs", o.cgroups[c]);
      int fd = open(procs, O_WRONLY | O_CLOEXEC);
      if (fd < 0 || write(fd, "0\n", 2) != 2) fail(errpipe[1], "join cgroup", o.cgroups[c]);
      close(fd);
    }
    setup_root(errpipe[1], &o);
    if (o.workdir && *o.workdir) {
      mkdir_p(o.workdir, 0755);
      if (chdir(o.workdir) != 0) fail(errpipe[1], "chdir to working dir", o.workdir);
    }
    execvp(o.argv[0], o.argv);
    if (errno == ENOENT && !strchr(o.argv[0], '/')) {
      char buf[512];
      int n = snprintf(buf, sizeof buf, "exec: \"%s\": executable file not found in $PATH", o.argv[0]);
      ssize_t w = write(errpipe[1], buf, (size_t)n);
      (void)w;
      _exit(127);
    }
    fail(errpipe[1], "exec", o.argv[0]);
  }
  close(errpipe[1]);
  char msg[600];
  ssize_t n = read(errpipe[0], msg, sizeof msg - 1);
  close(errpipe[0]);
  if (n > 0) {
    msg[n] = 0;
    waitpid(child, NULL, 0);
    reportf("failed %s", msg);
    return 126;
  }
  reportf("started %d", (int)child);
  /* The launcher only waits: signals for the container go straight to its PID 1 from the agent. */
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  reportf("exited %d", status);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "launch") == 0) return launch_main(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "pause") == 0) return pause_main(argc - 2, argv + 2);
  return pause_main(argc - 1, argv + 1);
}

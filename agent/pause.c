/*
 * tinylet-pause: the pod sandbox holder and the container launcher, in one small static binary.
 *
 *   tinylet-pause pause [--unshare net,ipc,uts] [--veth HOST --bridge BR --ip A/N [--route CIDR --gateway G]]
 *                       [--hostname NAME] [--share-pid] [--sysctl NAME=VALUE]...
 *       Holds the pod's namespaces: makes them itself (--unshare) and the pod network in them over
 *       netlink (--veth..., podnet.c), so a sandbox costs one process. Sets the hostname
 *       inside the new UTS namespace (unshare leaves the host's name there) and the pod's sysctls,
 *       reaps zombies, exits 0 on SIGTERM/SIGINT. With --share-pid it forks itself into a new PID
 *       namespace so the child pause is PID 1 that all containers of the pod share; the parent only
 *       keeps the namespaces open.
 *       Run as a container (the pause image's /pause, not started by the agent) it behaves as the
 *       image's pause.c: no readiness line, "Shutting down, got signal: ..." on stderr when stopped.
 *
 *   tinylet-pause launch --spec FILE --report-fd N          (launch.c)
 *       Starts one container as its spec says and reports on fd N:
 *         "started <host pid>"   once exec succeeded
 *         "failed <message>"     when the container could not be started
 *         "exited <raw status>"  the raw wait status, so a SIGKILL is seen as a SIGKILL
 *
 *   tinylet-pause exec --spec FILE --target PID [--cwd DIR] [--tty] -- CMD...   (launch.c)
 *       Runs CMD inside the running container PID with the container's identity.
 *
 *   tinylet-pause portforward [--netns /proc/PID/ns/net] --port N   (portforward.c)
 *       Connects to localhost:N in the pod's network namespace and relays stdin/stdout to it.
 *
 *   tinylet-pause spawner                                    (spawner.c)
 *       Forks and execs the pause and launch modes for the agent, makes their FIFOs, reaps them
 *       and reports their exits, over its stdin/stdout (protocol in spawner.c).
 *
 *   tinylet-pause lock FILE                                  (lock.c)
 *       Holds the state dir's lock for its parent, the agent, for as long as the agent lives.
 *
 * Every mode dies with its parent (PR_SET_PDEATHSIG), so no process of a pod outlives its agent.
 */
#define _GNU_SOURCE
#include "podnet.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int launch_main(int argc, char **argv);
int exec_main(int argc, char **argv);
int lock_main(int argc, char **argv);
int portforward_main(int argc, char **argv);
int spawner_main(int argc, char **argv);

static volatile sig_atomic_t stop_requested = 0;
static volatile sig_atomic_t stop_signal = 0;
static volatile sig_atomic_t child_exited = 0;

static void on_stop(int sig) { stop_signal = sig; stop_requested = 1; }
static void on_child(int sig) { (void)sig; child_exited = 1; }

static void reap_all(void) {
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

/* A pod sysctl (net.*, kernel.shm*, ...) in the pause process's own network and IPC namespaces. */
static int set_sysctl(const char *assignment) {
  const char *eq = strchr(assignment, '=');
  if (!eq || eq == assignment) { fprintf(stderr, "tinylet-pause: bad sysctl %s\n", assignment); return -1; }
  char path[512] = "/proc/sys/";
  size_t n = strlen(path);
  for (const char *p = assignment; p < eq && n + 1 < sizeof path; p++) path[n++] = *p == '.' ? '/' : *p == '/' ? '.' : *p;
  path[n] = 0;
  if (strstr(path, "..")) { fprintf(stderr, "tinylet-pause: bad sysctl %s\n", assignment); return -1; }
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  size_t len = strlen(eq + 1);
  if (fd < 0 || write(fd, eq + 1, len) != (ssize_t)len) {
    fprintf(stderr, "tinylet-pause: sysctl %.*s: %s\n", (int)(eq - assignment), assignment, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return 0;
}

/*
 * The shared PID namespace's init is visible to every container of the pod (as PID 1): it keeps no
 * capability, is not dumpable (no ptrace, no /proc/1/root), and its root is an empty read-only
 * tmpfs in a mount namespace of its own, so nothing of the host is reachable through it.
 */
static void harden_shared_init(void) {
  if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
      mount("tmpfs", "/", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=555") == 0 && chdir("/") == 0)
    if (chroot(".") != 0) { /* stays where it was: still without capabilities */ }
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  for (int c = 0; c <= 63; c++) prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {{0, 0, 0}, {0, 0, 0}};
  syscall(SYS_capset, &hdr, data);
}

static int pause_main(int argc, char **argv) {
  const char *hostname = NULL;
  int share_pid = 0;
  /* The agent's sandbox passes its pid; a container's /pause (the pause image) has none. */
  int container = getenv("TINYLET_AGENT_PID") == NULL;
  die_with_parent(agent_pid());
  if (container && getpid() != 1) fprintf(stderr, "Warning: pause should be the first process\n");
  struct podnet net = {0};
  const char *sysctls[64];
  int nsysctl = 0;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--hostname") == 0 && i + 1 < argc) hostname = argv[++i];
    else if (strcmp(argv[i], "--share-pid") == 0) share_pid = 1;
    else if (strcmp(argv[i], "--sysctl") == 0 && i + 1 < argc) {
      if (nsysctl == 64) { fprintf(stderr, "tinylet-pause: more than 64 sysctls\n"); return 1; }
      sysctls[nsysctl++] = argv[++i];
    }
    else if (strcmp(argv[i], "--unshare") == 0 && i + 1 < argc) net.unshare = argv[++i];
    else if (strcmp(argv[i], "--veth") == 0 && i + 1 < argc) net.veth = argv[++i];
    else if (strcmp(argv[i], "--bridge") == 0 && i + 1 < argc) net.bridge = argv[++i];
    else if (strcmp(argv[i], "--ip") == 0 && i + 1 < argc) net.ip = argv[++i];
    else if (strcmp(argv[i], "--route") == 0 && i + 1 < argc) net.route = argv[++i];
    else if (strcmp(argv[i], "--gateway") == 0 && i + 1 < argc) net.gateway = argv[++i];
  }
  /* The namespaces and the network first: sysctls and the hostname are the new namespaces' own. */
  if (!container && podnet_setup(&net) != 0) return 1;
  for (int i = 0; i < nsysctl; i++)
    if (set_sysctl(sysctls[i]) != 0) return 1;
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
    int lifeline[2];
    if (lifeline_open(lifeline) != 0) return 1;
    pid_t parent = getpid();
    init = fork();
    if (init < 0) return 1;
    if (init == 0) {
      die_with_parent(parent);
      lifeline_check(lifeline);
      harden_shared_init();
      /* PID 1 of the shared namespace: the same loop as a plain pause; the parent reports readiness. */
      int devnull = open("/dev/null", O_WRONLY);
      if (devnull >= 0) { dup2(devnull, 1); close(devnull); }
      init = 0;
    } else {
      close(lifeline[0]);
    }
  }
  if (init != 0 && !container) {
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
      if (container) psignal(stop_signal, "Shutting down, got signal");
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

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "launch") == 0) return launch_main(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "exec") == 0) return exec_main(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "lock") == 0) return lock_main(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "portforward") == 0) return portforward_main(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "spawner") == 0) return spawner_main(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "pause") == 0) return pause_main(argc - 2, argv + 2);
  return pause_main(argc - 1, argv + 1);
}

/*
 * spawner: forks and execs this binary's own modes (pause, launch) for the agent, and makes the FIFOs
 * they talk through. The agent is a large Node process: every fork of it costs ~6 ms of main-thread
 * time (page tables copied by libuv's fork), three per pod; this process is small, forks in well
 * under a millisecond, and is the parent (and reaper) of every sandbox and launcher.
 *
 *   tinylet-pause spawner        started once by the agent (src/runtime/spawner.ts)
 *
 * Protocol. Requests come on stdin, replies go to stdout. A request is a list of fields, each ended
 * by a NUL byte, the list ended by an empty field (so a request ends with two NULs):
 *
 *   ID mkfifo PATH...           makes each PATH a FIFO, mode 0600 (none is left made on an error)
 *   ID spawn FIELD...           forks and execs this binary (its pause, launch or exec mode) with:
 *        a:ARG                  the next argument (argv[0] is this binary's own name)
 *        e:NAME=VALUE           an environment variable; the child's environment is these, plus
 *                               TINYLET_AGENT_PID=<the spawner's pid> (it dies with the spawner)
 *        r:N:PATH / w:N:PATH    PATH opened read-only / write-only as the child's fd N (0-9); a
 *                               FIFO's other end must be open already (the spawner never blocks:
 *                               ENXIO is reported instead). fds 0-2 not given are /dev/null, no
 *                               other fd is inherited.
 *
 * ID is 1-24 characters of [0-9A-Za-z_-]. Replies are lines:
 *
 *   ID ok                       mkfifo done
 *   ID pid PID                  the child has exec'd
 *   ID error MESSAGE            nothing was made or started (the request's last reply)
 *   ID exit STATUS              the child PID of that ID was reaped: its raw wait status
 *   - error MESSAGE             a request without a usable ID (it is skipped up to its end)
 *
 * The child gets a new session (setsid: signals for a pod never reach the agent's group), an empty
 * signal mask and default dispositions (this process blocks SIGCHLD and ignores SIGPIPE), and dies
 * with the spawner (PDEATHSIG, as the pause and launch modes already ask of their parent). The
 * spawner dies with the agent; when its stdin closes (the agent let it go) it exits, and so every
 * process it started dies: no process of a pod outlives its agent.
 */
#define _GNU_SOURCE
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_REQUEST (256 * 1024)
#define MAX_FIELDS 1024
#define MAX_CHILD_FD 10
#define MAX_ID 24

/* A started child not yet reaped: its exit is reported under the ID that started it. */
struct child {
  pid_t pid;
  char id[MAX_ID + 1];
  struct child *next;
};

static struct child *children = NULL;
static char self_pid_env[48];
static const char *self_name = "tinylet-pause";
/* The binary's own path: exec'ing /proc/self/exe would name every child "exe" (its comm, ps -o comm). */
static char self_exe[4096] = "/proc/self/exe";

/* Replies are whole lines in one write (a pipe write up to PIPE_BUF is atomic). */
static void reply(const char *id, const char *word, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void reply(const char *id, const char *word, const char *fmt, ...) {
  char line[2048];
  int n = snprintf(line, sizeof line, "%s %s ", id, word);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  va_end(ap);
  /* One reply is one line: a message (strerror, a path) must not break the framing. */
  for (char *p = line; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
  size_t len = strlen(line);
  if (len > 0 && line[len - 1] == ' ') len--;
  line[len++] = '\n';
  for (size_t off = 0; off < len;) {
    ssize_t w = write(1, line + off, len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(0); /* the agent is gone: so is every child, through PDEATHSIG */
    off += (size_t)w;
  }
}

static int valid_id(const char *id) {
  size_t n = strlen(id);
  if (n == 0 || n > MAX_ID) return 0;
  for (const char *p = id; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == '-')) return 0;
  return 1;
}

static void do_mkfifo(const char *id, char **paths, int n) {
  if (n == 0) { reply(id, "error", "mkfifo: no path given"); return; }
  for (int i = 0; i < n; i++) {
    if (mkfifo(paths[i], 0600) != 0) {
      int e = errno;
      for (int j = 0; j < i; j++) unlink(paths[j]);
      reply(id, "error", "mkfifo %s: %s", paths[i], strerror(e));
      return;
    }
  }
  reply(id, "ok", "%s", "");
}

/* Never blocks: a FIFO without its other end open gives ENXIO (write) rather than a hung spawner. */
static int open_child_fd(const char *path, int write_end) {
  int fd = open(path, (write_end ? O_WRONLY : O_RDONLY) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return -1;
  /* The child's reads and writes block as on a pipe: the flag belongs to this open file only. */
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  return fd;
}

/* In the forked child, before exec: nothing of the spawner's own state may reach the program. */
static void child_exec(int fds[MAX_CHILD_FD], char **argv, char **envp, int errfd, pid_t spawner) {
  die_with_parent(spawner);
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  setsid();
  /* Moved above every target first, so that placing fd N never closes another source. */
  int moved[MAX_CHILD_FD];
  for (int i = 0; i < MAX_CHILD_FD; i++) {
    moved[i] = fds[i] >= 0 ? fcntl(fds[i], F_DUPFD_CLOEXEC, MAX_CHILD_FD) : -1;
    if (fds[i] >= 0 && moved[i] < 0) fail(errfd, "dup", "");
  }
  /* dup2 clears O_CLOEXEC on the target only: every other fd of the spawner is O_CLOEXEC. */
  for (int i = 0; i < MAX_CHILD_FD; i++) {
    if (moved[i] >= 0 && dup2(moved[i], i) < 0) fail(errfd, "dup2", "");
    if (moved[i] < 0 && i > 2) close(i);
  }
  execve(self_exe, argv, envp);
  fail(errfd, "exec", self_exe);
}

/* Only the modes the agent starts: this is not a general root exec service. */
static int allowed_mode(const char *mode) {
  return !strcmp(mode, "pause") || !strcmp(mode, "launch") || !strcmp(mode, "exec");
}

static void do_spawn(const char *id, char **fields, int n) {
  int fds[MAX_CHILD_FD];
  for (int i = 0; i < MAX_CHILD_FD; i++) fds[i] = -1;
  char *argv[MAX_FIELDS + 2];
  char *envp[MAX_FIELDS + 2];
  int argc = 0, envc = 0;
  argv[argc++] = (char *)self_name;
  /* First, so that getenv() finds it before any copy a request carried. */
  envp[envc++] = self_pid_env;
  const char *bad = NULL;
  char why[600] = "";
  for (int i = 0; i < n && !bad; i++) {
    char *f = fields[i];
    if (!strncmp(f, "a:", 2)) argv[argc++] = f + 2;
    else if (!strncmp(f, "e:", 2)) {
      if (!strchr(f + 2, '=') || f[2] == '=') { bad = f; snprintf(why, sizeof why, "environment field is not NAME=VALUE: %.200s", f); }
      else envp[envc++] = f + 2;
    } else if ((f[0] == 'r' || f[0] == 'w') && f[1] == ':' && f[2] >= '0' && f[2] <= '9' && f[3] == ':' && f[4]) {
      int target = f[2] - '0';
      if (fds[target] >= 0) { bad = f; snprintf(why, sizeof why, "fd %d given twice", target); break; }
      fds[target] = open_child_fd(f + 4, f[0] == 'w');
      if (fds[target] < 0) { bad = f; snprintf(why, sizeof why, "open %.400s: %s", f + 4, strerror(errno)); }
    } else {
      bad = f;
      snprintf(why, sizeof why, "unknown field \"%.200s\" (want a:ARG, e:NAME=VALUE, r:N:PATH or w:N:PATH)", f);
    }
  }
  for (int i = 0; i < 3 && !bad; i++)
    if (fds[i] < 0 && (fds[i] = open("/dev/null", (i ? O_WRONLY : O_RDONLY) | O_CLOEXEC)) < 0) {
      bad = "/dev/null";
      snprintf(why, sizeof why, "open /dev/null: %s", strerror(errno));
    }
  argv[argc] = NULL;
  envp[envc] = NULL;
  int errpipe[2] = {-1, -1};
  pid_t pid = -1;
  if (!bad && argc < 2) { bad = "a:"; snprintf(why, sizeof why, "spawn: no argument given (a:MODE)"); }
  if (!bad && !allowed_mode(argv[1])) { bad = argv[1]; snprintf(why, sizeof why, "spawn: mode \"%.100s\" is not one the spawner starts (pause, launch, exec)", argv[1]); }
  if (!bad && pipe2(errpipe, O_CLOEXEC) != 0) { bad = "pipe"; snprintf(why, sizeof why, "pipe: %s", strerror(errno)); }
  struct child *c = NULL;
  if (!bad && !(c = calloc(1, sizeof *c))) { bad = "calloc"; snprintf(why, sizeof why, "out of memory"); }
  if (!bad) {
    pid_t me = getpid();
    pid = fork();
    if (pid < 0) { bad = "fork"; snprintf(why, sizeof why, "fork: %s", strerror(errno)); }
    else if (pid == 0) {
      close(errpipe[0]);
      child_exec(fds, argv, envp, errpipe[1], me);
    }
  }
  for (int i = 0; i < MAX_CHILD_FD; i++)
    if (fds[i] >= 0) close(fds[i]);
  if (bad) {
    if (errpipe[0] >= 0) { close(errpipe[0]); close(errpipe[1]); }
    free(c);
    reply(id, "error", "%s", why);
    return;
  }
  close(errpipe[1]);
  /* EOF once exec succeeded (the pipe is O_CLOEXEC); the reason otherwise. Exec of this static binary is fast. */
  char msg[1100];
  ssize_t r;
  while ((r = read(errpipe[0], msg, sizeof msg - 1)) < 0 && errno == EINTR) {
  }
  close(errpipe[0]);
  if (r > 0) {
    /* It exits at once: reaped here, so an error is a request's last reply. */
    msg[r] = 0;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    free(c);
    reply(id, "error", "%s", msg);
    return;
  }
  c->pid = pid;
  snprintf(c->id, sizeof c->id, "%s", id);
  c->next = children;
  children = c;
  reply(id, "pid", "%d", (int)pid);
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (struct child **p = &children; *p; p = &(*p)->next) {
      if ((*p)->pid != pid) continue;
      struct child *c = *p;
      *p = c->next;
      reply(c->id, "exit", "%d", status);
      free(c);
      break;
    }
  }
}

/* One complete request: fields[0] is the ID, fields[1] the verb. */
static void handle(char **fields, int n) {
  if (n == 0) { reply("-", "error", "empty request"); return; }
  if (!valid_id(fields[0])) { reply("-", "error", "bad request id (want 1-%d characters of [0-9A-Za-z_-])", MAX_ID); return; }
  if (n < 2) { reply(fields[0], "error", "request has no verb (want mkfifo or spawn)"); return; }
  if (!strcmp(fields[1], "mkfifo")) do_mkfifo(fields[0], fields + 2, n - 2);
  else if (!strcmp(fields[1], "spawn")) do_spawn(fields[0], fields + 2, n - 2);
  else reply(fields[0], "error", "unknown verb \"%.100s\" (want mkfifo or spawn)", fields[1]);
}

int spawner_main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  die_with_parent(agent_pid());
  /* Whatever the agent's spawn let through (only 0-2 are meant to be open) never reaches a pod. */
  syscall(SYS_close_range, 3, ~0U, 0);
  char exe[sizeof self_exe];
  ssize_t exelen = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (exelen > 0) {
    exe[exelen] = 0;
    /* A rebuilt binary leaves this one " (deleted)": /proc/self/exe still reaches it. */
    if (!strstr(exe, " (deleted)")) memcpy(self_exe, exe, (size_t)exelen + 1);
  }
  snprintf(self_pid_env, sizeof self_pid_env, "TINYLET_AGENT_PID=%d", (int)getpid());
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) { perror("tinylet-pause spawner: signalfd"); return 1; }
  fcntl(0, F_SETFD, FD_CLOEXEC);
  fcntl(1, F_SETFD, FD_CLOEXEC);
  fcntl(2, F_SETFD, FD_CLOEXEC);
  char *buf = malloc(MAX_REQUEST);
  char **fields = malloc(sizeof(char *) * MAX_FIELDS);
  if (!buf || !fields) return 1;
  size_t len = 0;
  int skipping = 0; /* inside an over-long or over-wide request: dropped up to its end */
  for (;;) {
    struct pollfd pfd[2] = {{.fd = 0, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
    if (poll(pfd, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (pfd[1].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {
      }
      reap();
    }
    if (!pfd[0].revents) continue;
    ssize_t r = read(0, buf + len, MAX_REQUEST - len);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (r <= 0) return 0; /* the agent closed the pipe: exiting takes every child along */
    len += (size_t)r;
    /* Whole requests are handled; a partial one moves to the buffer's start and is parsed again. */
    size_t rec = 0, fstart = 0;
    int n = 0, too_many = 0;
    for (size_t i = 0; i < len; i++) {
      if (buf[i] != 0) continue;
      if (i == fstart) {
        /* The empty field: the request is complete. */
        if (skipping) skipping = 0;
        else if (too_many) reply("-", "error", "request has more than %d fields", MAX_FIELDS);
        else handle(fields, n);
        rec = i + 1;
        n = 0;
        too_many = 0;
      } else if (n < MAX_FIELDS) {
        fields[n++] = buf + fstart;
      } else {
        too_many = 1;
      }
      fstart = i + 1;
    }
    if (rec > 0) {
      memmove(buf, buf + rec, len - rec);
      len -= rec;
    } else if (len == MAX_REQUEST) {
      if (!skipping) reply("-", "error", "request longer than %d bytes", MAX_REQUEST);
      skipping = 1;
      /* Dropped: whether it ended inside a field decides if a NUL next ends a field or the request. */
      int mid_field = buf[len - 1] != 0;
      len = 0;
      if (mid_field) buf[len++] = 'x';
    }
  }
}

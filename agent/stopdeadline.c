/*
 * The launcher's stop deadline (stopdeadline.h). The agent's timers run on its event loop, which
 * a busy agent (hundreds of pods, a synchronous teardown) delays by tens of milliseconds; a
 * timerfd on a thread of each launcher fires within microseconds of the deadline instead, and the
 * agent's timer stays as a backstop.
 */
#define _GNU_SOURCE
#include "stopdeadline.h"
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct stopper {
  int control_fd, timer_fd;
  int pidfd; /* -1 until stop_deadline_attach; read with __atomic_load_n */
  void (*report)(const char *fmt, ...);
  uint64_t kill_at; /* 0: no SIGKILL ordered */
  int killed;
};

static struct stopper *the_stopper;

static int send_signal(struct stopper *s, int sig) {
  int pidfd = __atomic_load_n(&s->pidfd, __ATOMIC_ACQUIRE);
  if (pidfd < 0) return -1;
  return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static void arm(struct stopper *s, uint64_t at) {
  if (at == 0 || s->killed || (s->kill_at != 0 && s->kill_at <= at)) return;
  s->kill_at = at;
  struct itimerspec its = {0};
  its.it_value.tv_sec = (time_t)(at / 1000000000ull);
  its.it_value.tv_nsec = (long)(at % 1000000000ull);
  /* An absolute time already past fires at once. */
  timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Reported first, so that the agent reads "killed" before the "exited" it causes (microseconds apart). */
static void kill_now(struct stopper *s) {
  if (s->killed) return;
  s->killed = 1;
  s->report("killed %llu", (unsigned long long)monotonic_ns());
  send_signal(s, SIGKILL);
}

/* One order; anything malformed is ignored (the agent is the only writer, and its backstop holds). */
static void obey(struct stopper *s, char *line) {
  unsigned long long at = 0;
  int sig = 0;
  if (sscanf(line, "stop %d %llu", &sig, &at) == 2) {
    if (sig > 0 && sig < 65 && send_signal(s, sig) == 0) s->report("signalled %d %llu", sig, (unsigned long long)monotonic_ns());
    arm(s, at);
  } else if (sscanf(line, "kill-at %llu", &at) == 1) {
    arm(s, at);
  }
}

static void *stopper_loop(void *arg) {
  struct stopper *s = arg;
  /* A real-time thread: when a hundred deadlines fall together on two cores, the dying containers
     (and everything else) must not delay the SIGKILLs still to send. It runs for microseconds per
     order; without the privilege it stays an ordinary thread. */
  struct sched_param sp = {.sched_priority = 1};
  pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
  char buf[512];
  size_t used = 0;
  for (;;) {
    struct pollfd fds[2] = {{s->control_fd, POLLIN, 0}, {s->timer_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return NULL;
    }
    if (fds[1].revents & POLLIN) {
      uint64_t ticks;
      if (read(s->timer_fd, &ticks, sizeof ticks) == sizeof ticks && s->kill_at != 0 && monotonic_ns() >= s->kill_at) kill_now(s);
    }
    if (s->control_fd >= 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = read(s->control_fd, buf + used, sizeof buf - 1 - used);
      if (n <= 0) {
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        /* The agent's end is gone: the deadline already ordered still holds. */
        s->control_fd = -1;
        continue;
      }
      used += (size_t)n;
      buf[used] = 0;
      char *start = buf, *nl;
      while ((nl = strchr(start, '\n'))) {
        *nl = 0;
        obey(s, start);
        start = nl + 1;
      }
      used = strlen(start);
      memmove(buf, start, used);
      if (used == sizeof buf - 1) used = 0; /* a line that long is no order */
    }
  }
}

int stop_deadline_start(int control_fd, void (*report)(const char *fmt, ...)) {
  if (control_fd < 0) return -1;
  struct stopper *s = calloc(1, sizeof *s);
  if (!s) return -1;
  s->control_fd = control_fd;
  s->pidfd = -1;
  s->report = report;
  s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (s->timer_fd < 0) { free(s); return -1; }
  /* The default 50 us of timer slack is a fortieth of the 2 ms budget: none is needed. */
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  int rc = pthread_create(&t, &attr, stopper_loop, s);
  pthread_attr_destroy(&attr);
  if (rc != 0) { close(s->timer_fd); free(s); return -1; }
  the_stopper = s;
  return 0;
}

int stop_deadline_attach(int pidfd) {
  if (!the_stopper || pidfd < 0) return -1;
  __atomic_store_n(&the_stopper->pidfd, pidfd, __ATOMIC_RELEASE);
  return 0;
}

/* The launcher's stop deadline: the agent's stop orders for one container, carried out in C. */
#ifndef TINYLET_STOPDEADLINE_H
#define TINYLET_STOPDEADLINE_H
#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds: the clock of the agent's process.hrtime.bigint(). */
uint64_t monotonic_ns(void);

/* Reads orders from control_fd on a thread of its own, so that SIGKILL lands on time whatever the
   agent's event loop and the launcher's main thread are doing:
     "stop SIGNUM KILLAT"  send SIGNUM now (0: none), SIGKILL at monotonic KILLAT ns (0: none);
     "kill-at KILLAT"      bring the SIGKILL forward to KILLAT (a later time changes nothing).
   Signals go through a pidfd of the container's main process (never to a recycled pid). Each one
   is reported with `report`, with the monotonic time it was sent: "signalled SIGNUM NS" after the
   stop signal, "killed NS" right before SIGKILL (so that it comes before the exit's report).
   Returns 0, or -1 when the thread could not start (the agent's own timer is then the only one).
   Must run before the launcher changes its PID namespace for its children: after that the kernel
   refuses to create threads (clone3 CLONE_THREAD fails with EINVAL). */
int stop_deadline_start(int control_fd, void (*report)(const char *fmt, ...));

/* The container's main process, once forked: orders are carried out from then on. 0, or -1. */
int stop_deadline_attach(int pidfd);
#endif

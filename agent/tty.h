/* A terminal inside the container for `exec -t`: a pty of the container's own devpts, relayed to
   the caller's terminal, as runc's console does (a host pty is not a tty the container can name). */
#ifndef TINYLET_TTY_H
#define TINYLET_TTY_H
#include <sys/types.h>

/* In the container's mount namespace: opens a pty pair there. Returns the master, slave in *slave. */
int open_container_pty(int *slave);

/* Child side: makes the slave its controlling terminal and stdin/stdout/stderr. */
void attach_pty(int slave);

/* Parent side: relays caller terminal <-> master (window size included) until the child exits;
   returns its wait status. */
int relay_pty(int master, pid_t child);
#endif

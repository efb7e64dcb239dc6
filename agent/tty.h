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

/* The master of a container's own terminal travels from its PID 1 to the launcher as SCM_RIGHTS. */
int send_fd(int sock, int fd);
int recv_fd(int sock);

/* Launcher side of `tty: true`: master <-> the launcher's stdin/stdout (the agent's FIFOs), window
   sizes as "COLS ROWS" lines on resize_fd (-1: none), until the child exits; its wait status. */
int relay_container_pty(int master, pid_t child, int resize_fd);
#endif

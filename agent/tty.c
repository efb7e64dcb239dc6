#define _GNU_SOURCE
#include "tty.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static volatile sig_atomic_t resized = 1;
static void on_winch(int sig) { (void)sig; resized = 1; }

int open_container_pty(int *slave) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return -1;
  int unlock = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) != 0) { close(master); return -1; }
  *slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (*slave < 0) { close(master); return -1; }
  return master;
}

void attach_pty(int slave) {
  setsid();
  ioctl(slave, TIOCSCTTY, 0);
  for (int fd = 0; fd < 3; fd++) dup2(slave, fd);
  if (slave > 2) close(slave);
}

static int copy(int from, int to) {
  char buf[8192];
  ssize_t n = read(from, buf, sizeof buf);
  if (n <= 0) return n < 0 && (errno == EINTR || errno == EAGAIN) ? 0 : -1;
  for (ssize_t off = 0; off < n;) {
    ssize_t w = write(to, buf + off, (size_t)(n - off));
    if (w < 0) { if (errno == EINTR) continue; return -1; }
    off += w;
  }
  return 0;
}

int relay_pty(int master, pid_t child) {
  struct sigaction sa = {0};
  sa.sa_handler = on_winch;
  sigaction(SIGWINCH, &sa, NULL);
  /* The caller's terminal passes bytes through; the container's pty does the line discipline. */
  struct termios raw;
  if (tcgetattr(0, &raw) == 0) {
    cfmakeraw(&raw);
    tcsetattr(0, TCSANOW, &raw);
  }
  int in_open = 1, status = 0, exited = 0;
  for (;;) {
    if (resized) {
      resized = 0;
      struct winsize ws;
      if (ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
    }
    if (!exited && waitpid(child, &status, WNOHANG) == child) exited = 1;
    struct pollfd fds[2] = {{master, POLLIN, 0}, {0, in_open ? POLLIN : 0, 0}};
    int n = poll(fds, in_open ? 2 : 1, exited ? 0 : 100);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) { if (exited) break; continue; }
    if (fds[0].revents & POLLIN) { if (copy(master, 1) < 0) break; }
    else if (fds[0].revents & (POLLHUP | POLLERR)) break;
    if (in_open && (fds[1].revents & (POLLIN | POLLHUP))) if (copy(0, master) < 0) in_open = 0;
  }
  if (!exited) while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  return status;
}

/* A container's own terminal (`tty: true`). The container's PID 1 opens the pty in its devpts after
   pivot_root, hands the master to the launcher over a socketpair (SCM_RIGHTS), and takes the slave as
   its controlling terminal; the launcher, outside the container's mount namespace, relays. */
int send_fd(int sock, int fd) {
  char byte = 0;
  struct iovec iov = {&byte, 1};
  union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
  memset(&u, 0, sizeof u);
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = u.buf;
  msg.msg_controllen = sizeof u.buf;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

int recv_fd(int sock) {
  char byte;
  struct iovec iov = {&byte, 1};
  union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = u.buf;
  msg.msg_controllen = sizeof u.buf;
  ssize_t n;
  while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {}
  if (n != 1) return -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return fd;
}

/* "COLS ROWS\n" lines from the agent; a malformed or partial line is skipped. */
static void apply_resizes(int resize_fd, int master, char *line, size_t *used, size_t cap) {
  ssize_t n = read(resize_fd, line + *used, cap - 1 - *used);
  if (n <= 0) return;
  *used += (size_t)n;
  line[*used] = 0;
  char *start = line, *nl;
  while ((nl = strchr(start, '\n'))) {
    *nl = 0;
    unsigned cols = 0, rows = 0;
    if (sscanf(start, "%u %u", &cols, &rows) == 2 && cols > 0 && rows > 0 && cols < 65536 && rows < 65536) {
      struct winsize ws = {0};
      ws.ws_col = (unsigned short)cols;
      ws.ws_row = (unsigned short)rows;
      ioctl(master, TIOCSWINSZ, &ws);
    }
    start = nl + 1;
  }
  size_t rest = strlen(start);
  if (rest == cap - 1) rest = 0; /* a line too long to be a size: dropped */
  memmove(line, start, rest);
  *used = rest;
}

int relay_container_pty(int master, pid_t child, int resize_fd) {
  int in_open = 1, out_open = 1, status = 0, exited = 0;
  char line[64];
  size_t used = 0;
  for (;;) {
    if (!exited && waitpid(child, &status, WNOHANG) == child) exited = 1;
    struct pollfd fds[3] = {{out_open ? master : -1, POLLIN, 0}, {in_open ? 0 : -1, POLLIN, 0}, {resize_fd, POLLIN, 0}};
    int n = poll(fds, 3, exited ? 0 : 100);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) { if (exited) break; continue; }
    /* EIO on the master: every holder of the slave is gone. */
    if (fds[0].revents & POLLIN) { if (copy(master, 1) < 0) out_open = 0; }
    else if (fds[0].revents & (POLLHUP | POLLERR)) out_open = 0;
    if (!out_open && exited) break;
    if (in_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) if (copy(0, master) < 0) in_open = 0;
    if (resize_fd >= 0 && (fds[2].revents & POLLIN)) apply_resizes(resize_fd, master, line, &used, sizeof line);
    else if (resize_fd >= 0 && (fds[2].revents & (POLLHUP | POLLERR))) resize_fd = -1;
  }
  if (!exited) while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
  return status;
}

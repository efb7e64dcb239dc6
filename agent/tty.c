#define _GNU_SOURCE
#include "tty.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
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

/*
 * portforward: `tinylet-pause portforward [--netns /proc/PID/ns/net] --port N` joins the pod's network
 * namespace (Node cannot setns), connects to localhost:N there as the kubelet does (127.0.0.1, then
 * ::1), and relays stdin -> socket and socket -> stdout until both directions are done. Each side's
 * EOF is passed on as a half-close (shutdown(SHUT_WR) on the socket, close of stdout), so an HTTP/1.0
 * request ended by the client still gets its response. When the connect fails it says why on stderr
 * (the words containerd's kubelet streaming server uses) and exits 1 before relaying anything.
 * Without --netns it stays in the caller's namespace: hostNetwork pods share the host's.
 */
#define _GNU_SOURCE
#include "util.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Tries one address family; on failure fills why with Go's dial error wording. */
static int dial(int family, int port, char *why, size_t whylen) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) { snprintf(why, whylen, "socket: %s", strerror(errno)); return -1; }
  int rc;
  if (family == AF_INET) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = connect(fd, (struct sockaddr *)&a, sizeof a);
  } else {
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    rc = connect(fd, (struct sockaddr *)&a, sizeof a);
  }
  if (rc != 0) {
    const char *msg = errno == ECONNREFUSED ? "connection refused" : strerror(errno);
    if (family == AF_INET) snprintf(why, whylen, "dial tcp4 127.0.0.1:%d: connect: %s", port, msg);
    else snprintf(why, whylen, "dial tcp6 [::1]:%d: connect: %s", port, msg);
    close(fd);
    return -1;
  }
  return fd;
}

/* One direction of the relay: bytes read from `in` wait in buf until `out` takes them. */
struct pipe_dir {
  int in, out;
  char buf[65536];
  size_t len, off;
  int eof;  /* `in` ended: once buf is drained, `out` is half-closed */
  int done; /* `out` half-closed (or broken): nothing more flows this way */
};

static void finish_dir(struct pipe_dir *d, int out_is_socket) {
  if (d->done) return;
  d->done = 1;
  if (out_is_socket) shutdown(d->out, SHUT_WR);
  else close(d->out);
}

static int relay(int sock) {
  struct pipe_dir up = {.in = 0, .out = sock}, down = {.in = sock, .out = 1};
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);
  fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
  struct pipe_dir *dirs[2] = {&up, &down};
  /* Over when the pod side is: the kubelet's forward also returns once the copy to the client ends,
     whether or not the client half-closed its side. */
  while (!down.done) {
    struct pollfd p[4];
    int n = 0;
    int idx_in[2] = {-1, -1}, idx_out[2] = {-1, -1};
    for (int i = 0; i < 2; i++) {
      struct pipe_dir *d = dirs[i];
      if (d->done) continue;
      if (d->len > d->off) { idx_out[i] = n; p[n++] = (struct pollfd){.fd = d->out, .events = POLLOUT}; }
      else if (!d->eof) { idx_in[i] = n; p[n++] = (struct pollfd){.fd = d->in, .events = POLLIN}; }
      else finish_dir(d, i == 0);
    }
    if (down.done) break;
    if (n == 0) continue;
    if (poll(p, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    for (int i = 0; i < 2; i++) {
      struct pipe_dir *d = dirs[i];
      if (idx_in[i] >= 0 && p[idx_in[i]].revents) {
        ssize_t r = read(d->in, d->buf, sizeof d->buf);
        if (r > 0) { d->len = (size_t)r; d->off = 0; }
        else if (r == 0 || (errno != EAGAIN && errno != EINTR)) d->eof = 1;
      }
      if (idx_out[i] >= 0 && p[idx_out[i]].revents) {
        ssize_t w = write(d->out, d->buf + d->off, d->len - d->off);
        if (w > 0) {
          d->off += (size_t)w;
          if (d->off == d->len) d->len = d->off = 0;
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
          /* The reader is gone: drop what is left, and stop reading this way too. */
          d->len = d->off = 0;
          d->eof = 1;
          finish_dir(d, i == 0);
        }
      }
    }
  }
  return 0;
}

int portforward_main(int argc, char **argv) {
  die_with_parent(agent_pid());
  const char *netns = NULL;
  int port = -1;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--netns") == 0 && i + 1 < argc) netns = argv[++i];
    else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      char *end;
      long v = strtol(argv[++i], &end, 10);
      port = *end || v < 1 || v > 65535 ? -1 : (int)v;
    }
  }
  if (port < 0) { fprintf(stderr, "tinylet-pause portforward: usage: portforward [--netns PATH] --port 1-65535\n"); return 2; }
  /* A write to a socket the peer reset must be an EPIPE error here, not a fatal signal. */
  signal(SIGPIPE, SIG_IGN);
  if (netns) {
    int fd = open(netns, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
      fprintf(stderr, "failed to enter network namespace \"%s\": %s\n", netns, strerror(errno));
      return 1;
    }
    close(fd);
  }
  char why4[256], why6[256];
  int sock = dial(AF_INET, port, why4, sizeof why4);
  if (sock < 0) sock = dial(AF_INET6, port, why6, sizeof why6);
  if (sock < 0) {
    fprintf(stderr, "failed to connect to localhost:%d inside namespace \"%s\", IPv4: %s IPv6 %s\n", port, netns ? netns : "host", why4, why6);
    return 1;
  }
  return relay(sock);
}

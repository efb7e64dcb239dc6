/*
 * The pause process's own namespaces and the pod network, before it tells the agent it is ready:
 * what `unshare --net --ipc --uts` and the `ip` commands did from outside, in this one process.
 *
 *   --unshare net,ipc,uts          the namespaces to make (hostNetwork pods: ipc only)
 *   --veth HOST --bridge BR --ip A.B.C.D/N [--route CIDR --gateway G]
 *                                  eth0 with the pod IP, its peer HOST on the bridge
 * Without --veth, a new network namespace gets only its loopback up.
 */
#define _GNU_SOURCE
#include "netlink.h"
#include "podnet.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int failed(const char *what, const char *arg) {
  fprintf(stderr, "tinylet-pause: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(errno));
  return -1;
}

/* The index of a link in the namespace `sock` was created in (if_nametoindex asks the current one). */
static int ifindex_via(int sock, const char *name) {
  struct ifreq ifr = {0};
  if (strlen(name) >= sizeof ifr.ifr_name) { errno = ENAMETOOLONG; return -1; }
  strcpy(ifr.ifr_name, name);
  if (ioctl(sock, SIOCGIFINDEX, &ifr) != 0) return -1;
  return ifr.ifr_ifindex;
}

static int unshare_flags(const char *list, int *flags) {
  char buf[64];
  if (strlen(list) >= sizeof buf) return -1;
  strcpy(buf, list);
  *flags = 0;
  for (char *save, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
    if (strcmp(w, "net") == 0) *flags |= CLONE_NEWNET;
    else if (strcmp(w, "ipc") == 0) *flags |= CLONE_NEWIPC;
    else if (strcmp(w, "uts") == 0) *flags |= CLONE_NEWUTS;
    else return -1;
  }
  return 0;
}

static int setup_pod_side(const struct podnet *o, int hostnl, int hostns, int hostsock) {
  int nl = nl_open();
  if (nl < 0) return failed("netlink", NULL);
  int rc = -1;
  /* A new network namespace has only lo, always index 1. */
  if (nl_link_set(nl, 1, 0, 1) != 0) { failed("link set lo up", NULL); goto out; }
  if (!o->veth) { rc = 0; goto out; }
  if (nl_veth_pair(nl, "eth0", o->veth, hostns) != 0) { failed("link add veth", o->veth); goto out; }
  int host = ifindex_via(hostsock, o->veth);
  int bridge = ifindex_via(hostsock, o->bridge);
  if (host < 0) { failed("find", o->veth); goto out; }
  if (bridge < 0) { failed("find bridge", o->bridge); goto out; }
  /* On the bridge first: hairpin is a bridge port's setting. */
  if (nl_link_set(hostnl, host, bridge, 0) != 0) { failed("link set master", o->bridge); goto out; }
  if (nl_hairpin(hostnl, host) != 0) { failed("hairpin on", o->veth); goto out; }
  if (nl_link_set(hostnl, host, 0, 1) != 0) { failed("link set up", o->veth); goto out; }
  int eth0 = (int)if_nametoindex("eth0");
  if (eth0 <= 0) { failed("find eth0", NULL); goto out; }
  struct in_addr ip;
  int prefix;
  if (parse_cidr(o->ip, &ip, &prefix) != 0) { errno = EINVAL; failed("bad --ip", o->ip); goto out; }
  if (nl_addr_add(nl, eth0, ip, prefix) != 0) { failed("addr add", o->ip); goto out; }
  if (nl_link_set(nl, eth0, 0, 1) != 0) { failed("link set eth0 up", NULL); goto out; }
  if (o->route) {
    struct in_addr dst, gw;
    int len;
    if (parse_cidr(o->route, &dst, &len) != 0 || !o->gateway || inet_pton(AF_INET, o->gateway, &gw) != 1) { errno = EINVAL; failed("bad --route/--gateway", o->route); goto out; }
    if (nl_route_add(nl, eth0, dst, len, gw) != 0) { failed("route add", o->route); goto out; }
  }
  rc = 0;
out:
  close(nl);
  return rc;
}

int podnet_setup(const struct podnet *o) {
  if (!o->unshare) return 0;
  int flags;
  if (unshare_flags(o->unshare, &flags) != 0) { fprintf(stderr, "tinylet-pause: bad --unshare %s\n", o->unshare); return -1; }
  if (o->veth && (!o->bridge || !o->ip || !(flags & CLONE_NEWNET))) { fprintf(stderr, "tinylet-pause: --veth needs --bridge, --ip and a new net namespace\n"); return -1; }
  /* Handles on the host's namespace, kept across unshare: a socket stays where it was made. */
  int hostnl = -1, hostns = -1, hostsock = -1;
  if (o->veth) {
    hostnl = nl_open();
    hostns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    hostsock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (hostnl < 0 || hostns < 0 || hostsock < 0) return failed("open host network", NULL);
  }
  int rc = unshare(flags) == 0 ? 0 : failed("unshare", o->unshare);
  if (rc == 0 && (flags & CLONE_NEWNET)) rc = setup_pod_side(o, hostnl, hostns, hostsock);
  if (hostnl >= 0) close(hostnl);
  if (hostns >= 0) close(hostns);
  if (hostsock >= 0) close(hostsock);
  return rc;
}

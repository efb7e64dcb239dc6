/*
 * The pod's network, made by the pause process itself over rtnetlink while it starts, instead of
 * three `ip` processes (one of them under nsenter) after it: the veth pair (eth0 in the pod's new
 * network namespace, the host end in the host's, on the bridge, hairpin on, up), loopback, the pod
 * IP and the route to the service CIDR. What `ip link add ... type veth peer ...`, `ip link set
 * master`, `ip addr add` and `ip route add` send, and nothing else.
 *
 * The host's namespace is reached through a netlink socket opened before unshare(CLONE_NEWNET): a
 * socket stays in the namespace it was created in. If the pause process dies half-way, the pair
 * goes with its namespace, so a failure leaves nothing on the host.
 */
#define _GNU_SOURCE
#include "netlink.h"
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct nlreq {
  struct nlmsghdr *h;
  char buf[1024];
};

static unsigned seq;

int nl_open(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -1;
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static void *req_start(struct nlreq *r, int type, int flags, size_t body) {
  memset(r->buf, 0, sizeof r->buf);
  r->h = (struct nlmsghdr *)r->buf;
  r->h->nlmsg_type = type;
  r->h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  r->h->nlmsg_seq = ++seq;
  r->h->nlmsg_len = NLMSG_LENGTH(body);
  return NLMSG_DATA(r->h);
}

static struct rtattr *attr(struct nlreq *r, int type, const void *data, size_t len) {
  struct rtattr *a = (struct rtattr *)(r->buf + NLMSG_ALIGN(r->h->nlmsg_len));
  a->rta_type = type;
  a->rta_len = RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  r->h->nlmsg_len = NLMSG_ALIGN(r->h->nlmsg_len) + RTA_ALIGN(a->rta_len);
  return a;
}

static struct rtattr *nest_start(struct nlreq *r, int type) { return attr(r, type | NLA_F_NESTED, NULL, 0); }
static void nest_end(struct nlreq *r, struct rtattr *a) { a->rta_len = (char *)r->buf + r->h->nlmsg_len - (char *)a; }

/* Sends the request and reads its ACK: 0, or -1 with errno the kernel's answer. */
static int send_req(int fd, struct nlreq *r) {
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  if (sendto(fd, r->buf, r->h->nlmsg_len, 0, (struct sockaddr *)&to, sizeof to) < 0) return -1;
  char reply[4096];
  for (;;) {
    ssize_t n = recv(fd, reply, sizeof reply, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != r->h->nlmsg_seq || h->nlmsg_type != NLMSG_ERROR) continue;
      int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (err == 0) return 0;
      errno = -err;
      return -1;
    }
  }
}

int nl_veth_pair(int podfd, const char *inside, const char *outside, int outside_netns) {
  struct nlreq r;
  req_start(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifinfomsg));
  attr(&r, IFLA_IFNAME, inside, strlen(inside) + 1);
  struct rtattr *info = nest_start(&r, IFLA_LINKINFO);
  attr(&r, IFLA_INFO_KIND, "veth", 4);
  struct rtattr *data = nest_start(&r, IFLA_INFO_DATA);
  struct rtattr *peer = nest_start(&r, VETH_INFO_PEER);
  /* The peer's ifinfomsg, then its own attributes: its name and the namespace it is created in. */
  r.h->nlmsg_len += NLMSG_ALIGN(sizeof(struct ifinfomsg));
  attr(&r, IFLA_IFNAME, outside, strlen(outside) + 1);
  attr(&r, IFLA_NET_NS_FD, &outside_netns, sizeof outside_netns);
  nest_end(&r, peer);
  nest_end(&r, data);
  nest_end(&r, info);
  return send_req(podfd, &r);
}

int nl_link_set(int fd, int ifindex, int master, int up) {
  struct nlreq r;
  struct ifinfomsg *ifi = req_start(&r, RTM_NEWLINK, 0, sizeof *ifi);
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  if (up) {
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
  }
  if (master > 0) attr(&r, IFLA_MASTER, &master, sizeof master);
  return send_req(fd, &r);
}

int nl_hairpin(int fd, int ifindex) {
  struct nlreq r;
  struct ifinfomsg *ifi = req_start(&r, RTM_SETLINK, 0, sizeof *ifi);
  ifi->ifi_family = AF_BRIDGE;
  ifi->ifi_index = ifindex;
  struct rtattr *proto = nest_start(&r, IFLA_PROTINFO);
  unsigned char on = 1;
  attr(&r, IFLA_BRPORT_MODE, &on, 1);
  nest_end(&r, proto);
  return send_req(fd, &r);
}

int nl_addr_add(int fd, int ifindex, struct in_addr ip, int prefix) {
  struct nlreq r;
  struct ifaddrmsg *ifa = req_start(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifa);
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = prefix;
  ifa->ifa_index = ifindex;
  attr(&r, IFA_LOCAL, &ip, sizeof ip);
  attr(&r, IFA_ADDRESS, &ip, sizeof ip);
  return send_req(fd, &r);
}

int nl_route_add(int fd, int ifindex, struct in_addr dst, int prefix, struct in_addr gw) {
  struct nlreq r;
  struct rtmsg *rt = req_start(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof *rt);
  rt->rtm_family = AF_INET;
  rt->rtm_dst_len = prefix;
  rt->rtm_table = RT_TABLE_MAIN;
  rt->rtm_protocol = RTPROT_BOOT;
  rt->rtm_scope = RT_SCOPE_UNIVERSE;
  rt->rtm_type = RTN_UNICAST;
  attr(&r, RTA_DST, &dst, sizeof dst);
  attr(&r, RTA_GATEWAY, &gw, sizeof gw);
  attr(&r, RTA_OIF, &ifindex, sizeof ifindex);
  return send_req(fd, &r);
}

/* "a.b.c.d/n" into its address and prefix; 0 or -1. */
int parse_cidr(const char *text, struct in_addr *addr, int *prefix) {
  char buf[64];
  const char *slash = strchr(text, '/');
  if (!slash || (size_t)(slash - text) >= sizeof buf) return -1;
  memcpy(buf, text, slash - text);
  buf[slash - text] = 0;
  char *end;
  long p = strtol(slash + 1, &end, 10);
  if (*end || p < 0 || p > 32 || inet_pton(AF_INET, buf, addr) != 1) return -1;
  *prefix = (int)p;
  return 0;
}

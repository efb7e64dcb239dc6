/* rtnetlink requests the pause process makes the pod network with (netlink.c). Each returns 0, or
   -1 with errno the kernel's answer. */
#ifndef TINYLET_NETLINK_H
#define TINYLET_NETLINK_H
#include <netinet/in.h>

int nl_open(void);
/* A veth pair from the namespace of `podfd`: `inside` there, `outside` in the namespace `outside_netns`. */
int nl_veth_pair(int podfd, const char *inside, const char *outside, int outside_netns);
/* Optionally onto a bridge (master > 0), optionally up. */
int nl_link_set(int fd, int ifindex, int master, int up);
/* Hairpin mode on a bridge port: a pod reaching itself through its Service. */
int nl_hairpin(int fd, int ifindex);
int nl_addr_add(int fd, int ifindex, struct in_addr ip, int prefix);
int nl_route_add(int fd, int ifindex, struct in_addr dst, int prefix, struct in_addr gw);
int parse_cidr(const char *text, struct in_addr *addr, int *prefix);
#endif

/* The pause process's namespaces and pod network (podnet.c), from its command line. */
#ifndef TINYLET_PODNET_H
#define TINYLET_PODNET_H
struct podnet {
  const char *unshare; /* "net,ipc,uts", "ipc", or NULL: made by whoever started pause */
  const char *veth;    /* the host end's name; NULL: loopback only */
  const char *bridge;
  const char *ip;      /* "A.B.C.D/N" */
  const char *route;   /* a CIDR routed via gateway (the service CIDR), or NULL */
  const char *gateway;
};
/* 0, or -1 with the reason on stderr. */
int podnet_setup(const struct podnet *o);
#endif

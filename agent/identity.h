/* Who the container's process is and what it may do: user and groups (resolved in the container's
   own /etc/passwd and /etc/group, as runc does), capabilities, no_new_privs, seccomp. */
#ifndef TINYLET_IDENTITY_H
#define TINYLET_IDENTITY_H
#include "spec.h"

/* Call inside the container's root, last thing before exec: the process keeps no more privilege
   than the spec grants. `parent` is re-checked for PDEATHSIG, which a credential change clears. */
void apply_identity(struct spec *s, int errfd, pid_t parent);
/* After environ is the container's: HOME from the user's passwd entry when it is unset. */
void default_home(void);
#endif

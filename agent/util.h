/* Small helpers shared by the pause, launch and exec modes. */
#ifndef TINYLET_UTIL_H
#define TINYLET_UTIL_H
#include <sys/types.h>

/* Dies with the parent (PR_SET_PDEATHSIG); exits at once if the parent is already gone. Must be
   called again after any change of credentials, which clears the setting. */
void die_with_parent(pid_t expected_parent);

/* Child-side failure before exec: the reason goes to errfd, the process exits 127. */
void fail(int errfd, const char *what, const char *arg) __attribute__((noreturn));
void failmsg(int errfd, const char *msg) __attribute__((noreturn));

/* mkdir -p, each missing level with `mode`. Returns 0 or -1 (errno set). */
int mkdir_p(const char *path, mode_t mode);

/* path joined under root ("root" + "/" + "path"); the result is malloc'ed. */
char *join_path(const char *root, const char *path);
#endif

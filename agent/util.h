/* Small helpers shared by the pause, launch and exec modes. */
#ifndef TINYLET_UTIL_H
#define TINYLET_UTIL_H
#include <sys/types.h>

/* Dies with the parent (PR_SET_PDEATHSIG); exits at once if the parent is already gone. Must be
   called again after any change of credentials, which clears the setting. */
void die_with_parent(pid_t expected_parent);

/* The agent's pid, as it passed it (TINYLET_AGENT_PID, removed from the environment so no container
   sees it), else the parent's: a process that finds another parent was orphaned before it could
   ask for PDEATHSIG, and must not run on. */
pid_t agent_pid(void);

/* A pipe whose write end only the parent keeps: after PR_SET_PDEATHSIG, a child in a new PID
   namespace (where getppid() is 0) reads EOF from it if the parent died before that. */
int lifeline_open(int fds[2]);
void lifeline_check(int fds[2]);

/* Child-side failure before exec: the reason goes to errfd, the process exits 127. */
void fail(int errfd, const char *what, const char *arg) __attribute__((noreturn));
void failmsg(int errfd, const char *msg) __attribute__((noreturn));

/* mkdir -p, each missing level with `mode`. Returns 0 or -1 (errno set). */
int mkdir_p(const char *path, mode_t mode);

/* path joined under root ("root" + "/" + "path"); the result is malloc'ed. */
char *join_path(const char *root, const char *path);
#endif

/*
 * seccomp.h: load a container's seccomp filter from the text lines src/runtime/security/seccomp.ts
 * compiles (the OCI/Docker JSON profile is resolved there; this side only talks to libseccomp).
 *
 * One directive per line, fields separated by spaces:
 *   default ACTION                            the default action; exactly one such line
 *   arch NAME                                 an extra architecture besides the native one, in
 *                                             libseccomp's names (x86, x32, x86_64, arm, aarch64, ...)
 *   rule ACTION SYSCALL [ARG:OP:VALUE[:VALUE2]]...
 *                                             ARG 0-5; OP NE LT LE EQ GE GT MASKED_EQ; VALUEs unsigned
 *                                             64-bit decimal (MASKED_EQ: arg & VALUE == VALUE2). The
 *                                             conditions of one rule are ANDed, separate rules ORed. A
 *                                             syscall libseccomp does not know is skipped, as runc does.
 *   ACTION: allow | errno:N | kill (the thread) | kill_process | trap | log | trace:N
 *
 * As in runc, the filter does not set no_new_privs: the caller must either still hold CAP_SYS_ADMIN
 * or have called prctl(PR_SET_NO_NEW_PRIVS, 1) itself (allowPrivilegeEscalation: false), otherwise
 * the kernel refuses the filter (EACCES).
 */
#ifndef TINYLET_SECCOMP_H
#define TINYLET_SECCOMP_H

#include <stddef.h>

/* Loads a seccomp filter described by the lines above into the calling thread (single-threaded, so
   no SECCOMP_FILTER_FLAG_TSYNC). Returns 0, or -1 with a message in err (nothing is loaded then). */
int tl_seccomp_load(char *const *lines, int nlines, char *err, size_t errlen);

#endif

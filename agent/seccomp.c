/*
 * seccomp.c: tl_seccomp_load (see seccomp.h for the line format). The profile logic (includes,
 * excludes, capabilities, the RuntimeDefault list) lives in TypeScript; this file only parses the
 * compiled lines and hands them to libseccomp, the way runc's libcontainer/seccomp does.
 */
#define _GNU_SOURCE
#include "seccomp.h"

#include <errno.h>
#include <seccomp.h> /* libseccomp's; agent/ must not be on the -I path, or ours would shadow it */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 1024 /* a rule with 6 conditions of two 20-digit values fits comfortably */
#define MAX_ARGS 6        /* syscalls take at most 6 arguments */

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || errlen == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

/* Unsigned decimal that must fill the whole token (strtoull alone would accept "-1" and "12abc"). */
static int parse_u64(const char *s, uint64_t *out) {
  if (!s || *s < '0' || *s > '9') return -1;
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0') return -1;
  *out = (uint64_t)v;
  return 0;
}

/* "allow", "errno:N", ... to a libseccomp action. errno and trace data are 16 bits in the filter. */
static int parse_action(const char *s, uint32_t *out) {
  uint64_t n = 0;
  if (strcmp(s, "allow") == 0) *out = SCMP_ACT_ALLOW;
  else if (strcmp(s, "kill") == 0) *out = SCMP_ACT_KILL_THREAD; /* OCI SCMP_ACT_KILL kills the thread */
  else if (strcmp(s, "kill_process") == 0) *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp(s, "trap") == 0) *out = SCMP_ACT_TRAP;
  else if (strcmp(s, "log") == 0) *out = SCMP_ACT_LOG;
  else if (strncmp(s, "errno:", 6) == 0 && parse_u64(s + 6, &n) == 0 && n <= 0xffff) *out = SCMP_ACT_ERRNO((uint32_t)n);
  else if (strncmp(s, "trace:", 6) == 0 && parse_u64(s + 6, &n) == 0 && n <= 0xffff) *out = SCMP_ACT_TRACE((uint32_t)n);
  else return -1;
  return 0;
}

static int parse_op(const char *s, enum scmp_compare *out) {
  static const struct { const char *name; enum scmp_compare op; } ops[] = {
    {"NE", SCMP_CMP_NE}, {"LT", SCMP_CMP_LT}, {"LE", SCMP_CMP_LE}, {"EQ", SCMP_CMP_EQ},
    {"GE", SCMP_CMP_GE}, {"GT", SCMP_CMP_GT}, {"MASKED_EQ", SCMP_CMP_MASKED_EQ},
  };
  for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
    if (strcmp(s, ops[i].name) == 0) {
      *out = ops[i].op;
      return 0;
    }
  }
  return -1;
}

/* "ARG:OP:VALUE[:VALUE2]"; tok is a private copy, so it may be cut up in place. */
static int parse_cond(char *tok, struct scmp_arg_cmp *c) {
  char *save = NULL;
  char *arg = strtok_r(tok, ":", &save);
  char *op = strtok_r(NULL, ":", &save);
  char *v1 = strtok_r(NULL, ":", &save);
  char *v2 = strtok_r(NULL, ":", &save);
  uint64_t index = 0, a = 0, b = 0;
  if (!arg || !op || !v1 || strtok_r(NULL, ":", &save)) return -1;
  if (parse_u64(arg, &index) != 0 || index >= MAX_ARGS) return -1;
  if (parse_op(op, &c->op) != 0 || parse_u64(v1, &a) != 0) return -1;
  if (v2 && parse_u64(v2, &b) != 0) return -1;
  c->arg = (unsigned int)index;
  c->datum_a = a; /* for MASKED_EQ: the mask */
  c->datum_b = b; /* for MASKED_EQ: the value the masked argument must equal */
  return 0;
}

/* Copies line i to buf and returns its first word (NULL for a blank line); *save continues it. */
static char *first_word(char *const *lines, int i, char *buf, char **save, char *err, size_t errlen, int *bad) {
  *bad = 0;
  if (!lines[i] || strlen(lines[i]) >= LINE_MAX_LEN) {
    set_err(err, errlen, "seccomp line %d: missing or longer than %d bytes", i + 1, LINE_MAX_LEN - 1);
    *bad = 1;
    return NULL;
  }
  strcpy(buf, lines[i]);
  return strtok_r(buf, " ", save);
}

/* One "rule ..." line (words after "rule" come from save). Returns 0 (added or skipped) or -1. */
static int add_rule(scmp_filter_ctx ctx, uint32_t def, int lineno, char **save, char *err, size_t errlen) {
  char *act = strtok_r(NULL, " ", save);
  char *name = strtok_r(NULL, " ", save);
  uint32_t action = 0;
  struct scmp_arg_cmp conds[MAX_ARGS];
  unsigned int n = 0;
  if (!act || !name || parse_action(act, &action) != 0) {
    set_err(err, errlen, "seccomp line %d: expected \"rule ACTION SYSCALL [ARG:OP:VALUE[:VALUE2]]...\"", lineno);
    return -1;
  }
  for (char *tok; (tok = strtok_r(NULL, " ", save)) != NULL;) {
    if (n == MAX_ARGS) {
      set_err(err, errlen, "seccomp line %d: more than %d conditions", lineno, MAX_ARGS);
      return -1;
    }
    if (parse_cond(tok, &conds[n]) != 0) {
      set_err(err, errlen, "seccomp line %d: bad condition (want ARG:OP:VALUE[:VALUE2], ARG 0-5, OP NE|LT|LE|EQ|GE|GT|MASKED_EQ)", lineno);
      return -1;
    }
    n++;
  }
  /* libseccomp refuses a rule whose action is the default one (EACCES); it would change nothing. */
  if (action == def) return 0;
  /* Unknown on this libseccomp/arch: runc and containerd ignore such names, so profiles can list
     syscalls newer than the host. Names of other arches in the filter resolve to pseudo numbers. */
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return 0;
  int rc = seccomp_rule_add_array(ctx, action, nr, n, conds);
  /* EEXIST: the same syscall and conditions already have another action; the first rule wins. */
  if (rc == -EEXIST || rc == -EACCES) return 0;
  if (rc < 0) {
    set_err(err, errlen, "seccomp line %d: adding rule for %s: %s", lineno, name, strerror(-rc));
    return -1;
  }
  return 0;
}

int tl_seccomp_load(char *const *lines, int nlines, char *err, size_t errlen) {
  char buf[LINE_MAX_LEN];
  char *save = NULL;
  int bad = 0, ndefault = 0;
  uint32_t def = 0;
  if (err && errlen) err[0] = '\0';
  if (!lines || nlines < 0) nlines = 0;

  /* Pass 1: the default action, needed before anything else can be built. */
  for (int i = 0; i < nlines; i++) {
    char *w = first_word(lines, i, buf, &save, err, errlen, &bad);
    if (bad) return -1;
    if (!w || strcmp(w, "default") != 0) continue;
    char *act = strtok_r(NULL, " ", &save);
    if (!act || parse_action(act, &def) != 0 || strtok_r(NULL, " ", &save)) {
      set_err(err, errlen, "seccomp line %d: expected \"default ACTION\"", i + 1);
      return -1;
    }
    ndefault++;
  }
  if (ndefault != 1) {
    set_err(err, errlen, "seccomp: need exactly one \"default ACTION\" line, got %d", ndefault);
    return -1;
  }

  scmp_filter_ctx ctx = seccomp_init(def);
  if (!ctx) {
    set_err(err, errlen, "seccomp_init failed");
    return -1;
  }
  /* As runc: no_new_privs is the caller's decision (allowPrivilegeEscalation), not the filter's. The
     bad-architecture action stays libseccomp's default, KILL, which is what containerd gets too. */
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0) {
    set_err(err, errlen, "seccomp: clearing the no_new_privs attribute: %s", strerror(-rc));
    goto fail;
  }
  /* Report the kernel's own errno from seccomp_load (libseccomp 2.5 otherwise says ECANCELED). */
  rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
  if (rc < 0) {
    set_err(err, errlen, "seccomp: setting the raw return code attribute: %s", strerror(-rc));
    goto fail;
  }

  /* Pass 2: architectures before rules, so every rule is generated for every architecture. */
  for (int i = 0; i < nlines; i++) {
    char *w = first_word(lines, i, buf, &save, err, errlen, &bad);
    if (!w || strcmp(w, "arch") != 0) continue;
    char *name = strtok_r(NULL, " ", &save);
    uint32_t token = name ? seccomp_arch_resolve_name(name) : 0;
    if (token == 0 || strtok_r(NULL, " ", &save)) {
      set_err(err, errlen, "seccomp line %d: unknown architecture \"%s\"", i + 1, name ? name : "");
      goto fail;
    }
    rc = seccomp_arch_add(ctx, token);
    if (rc < 0 && rc != -EEXIST) { /* EEXIST: the native arch, always present */
      set_err(err, errlen, "seccomp line %d: adding architecture %s: %s", i + 1, name, strerror(-rc));
      goto fail;
    }
  }

  /* Pass 3: rules, then anything else is an error (a typo must not silently weaken a filter). */
  for (int i = 0; i < nlines; i++) {
    char *w = first_word(lines, i, buf, &save, err, errlen, &bad);
    if (!w || strcmp(w, "default") == 0 || strcmp(w, "arch") == 0) continue;
    if (strcmp(w, "rule") != 0) {
      set_err(err, errlen, "seccomp line %d: unknown directive \"%s\"", i + 1, w);
      goto fail;
    }
    if (add_rule(ctx, def, i + 1, &save, err, errlen) != 0) goto fail;
  }

  rc = seccomp_load(ctx);
  if (rc < 0) {
    if (rc == -EACCES)
      set_err(err, errlen, "seccomp_load: %s (needs CAP_SYS_ADMIN or no_new_privs set first)", strerror(-rc));
    else
      set_err(err, errlen, "seccomp_load: %s", strerror(-rc));
    goto fail;
  }
  seccomp_release(ctx);
  return 0;

fail:
  seccomp_release(ctx);
  return -1;
}

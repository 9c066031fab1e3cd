/*
 * leakhunt heap-graph dumper for QuickJS-ng: writes a leakhunt root dump (format version 1,
 * "graph": "standalone") describing every GC object of a JSRuntime, its references as the
 * cycle collector sees them, the contexts, and what is held from outside the heap.
 *
 * QuickJS keeps its object layout private, so leakhunt_dump.c must be compiled in the same
 * translation unit as quickjs.c: build quickjs_leakhunt.c (which includes both) instead of
 * quickjs.c. See contrib/quickjs/README.md.
 */
#ifndef LEAKHUNT_QUICKJS_DUMP_H
#define LEAKHUNT_QUICKJS_DUMP_H

#include <stdint.h>
#include <stdio.h>

#include "quickjs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the embedder knows about one of its contexts. QuickJS has no notion of a tenant or of
 * a per-context budget: the embedder states them here and the dump carries them. */
typedef struct LeakhuntContextInfo {
    /* The context. It may already have been released with JS_FreeContext ("disposed"): the
     * pointer is only compared with the contexts still alive in the runtime. */
    const JSContext *ctx;
    const char *id;          /* unique id, e.g. "tenant-a" */
    const char *name;        /* for people; may be NULL */
    int disposed;            /* 1 when the embedder has let go of the context */
    int64_t memory_limit;    /* the embedder's budget for it in bytes; <= 0 for none */
} LeakhuntContextInfo;

/* Write the dump of `rt` to `out`. Call it outside any JS execution, after JS_RunGC(rt) so that
 * only live objects remain. Contexts of the runtime that `contexts` does not describe are
 * written as live, with ids "context-N". Returns 0 on success, -1 if memory ran out or the
 * stream reported an error. */
int leakhunt_dump_runtime(JSRuntime *rt, const LeakhuntContextInfo *contexts, int context_count,
                          const char *producer_name, FILE *out);

#ifdef __cplusplus
}
#endif

#endif

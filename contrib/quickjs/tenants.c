/*
 * A small multi-tenant QuickJS-ng embedder that leaks on purpose, for leakhunt's fixtures.
 *
 * One JSRuntime, four tenant contexts, each with a memory budget that only this embedder knows
 * (QuickJS limits memory per runtime, not per context):
 *
 *   tenant-a  the host tenant: an event bus other tenants register handlers on;
 *   tenant-b  registers a handler created inside it on tenant-a's bus, then is disposed
 *             (JS_FreeContext): its objects stay alive through the handler -> a zombie;
 *   tenant-c  fills a cache far beyond its budget -> over budget;
 *   tenant-d  runs and is disposed cleanly -> collected (must not be reported).
 *
 * The embedder also keeps a JS_DupValue of a `Session` object created in tenant-a and never frees
 * it: an object held from outside the heap.
 *
 * Usage: tenants OUT_DIR    writes OUT_DIR/tenants-1.rootdump.json (after setup),
 *                           OUT_DIR/tenants-2.rootdump.json (after 100 more leaked sessions)
 *                           and OUT_DIR/tenants.counters.json (what the embedder itself knows).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leakhunt_dump.h"
#include "quickjs.h"

#define KIB 1024

static const char HOST_SCRIPT[] =
    "class Session { constructor(id) { this.id = id; this.scratch = new Array(32).fill(id); } }\n"
    "globalThis.bus = { handlers: [], sessions: new Map() };\n"
    "globalThis.makeSession = (id) => new Session(id);\n"
    "globalThis.openSessions = (from, count) => {\n"
    "  for (let i = from; i < from + count; i++) bus.sessions.set('s' + i, new Session(i));\n"
    "};\n";

static const char ZOMBIE_SCRIPT[] =
    "class Report { constructor() { this.rows = [];\n"
    "  for (let i = 0; i < 300; i++) this.rows.push({ i, text: 'row ' + i }); } }\n"
    "globalThis.install = function install() {\n"
    "  const report = new Report();\n"
    "  return function onTick() { return report.rows.length; };\n"
    "};\n";

static const char GREEDY_SCRIPT[] =
    "class CacheEntry { constructor(i) { this.i = i; this.blob = new Array(24).fill(i); } }\n"
    "globalThis.cache = [];\n"
    "for (let i = 0; i < 1500; i++) cache.push(new CacheEntry(i));\n";

static const char TIDY_SCRIPT[] =
    "class Scratch { constructor(i) { this.i = i; } }\n"
    "globalThis.work = [];\n"
    "for (let i = 0; i < 200; i++) work.push(new Scratch(i));\n"
    "globalThis.total = work.reduce((a, s) => a + s.i, 0);\n";

static void die(const char *what)
{
    fprintf(stderr, "tenants: %s\n", what);
    exit(1);
}

static void run(JSContext *ctx, const char *source, const char *filename)
{
    JSValue r = JS_Eval(ctx, source, strlen(source), filename, JS_EVAL_TYPE_GLOBAL);
    if (JS_IsException(r)) {
        JSValue e = JS_GetException(ctx);
        const char *msg = JS_ToCString(ctx, e);
        fprintf(stderr, "tenants: %s: %s\n", filename, msg ? msg : "exception");
        exit(1);
    }
    JS_FreeValue(ctx, r);
}

static JSValue global_get(JSContext *ctx, const char *name)
{
    JSValue g = JS_GetGlobalObject(ctx);
    JSValue v = JS_GetPropertyStr(ctx, g, name);
    JS_FreeValue(ctx, g);
    return v;
}

static void call_global(JSContext *ctx, const char *name, int argc, JSValue *argv, JSValue *result)
{
    JSValue f = global_get(ctx, name);
    JSValue r = JS_Call(ctx, f, JS_UNDEFINED, argc, argv);
    JS_FreeValue(ctx, f);
    if (JS_IsException(r))
        die(name);
    if (result)
        *result = r;
    else
        JS_FreeValue(ctx, r);
}

static void write_dump(JSRuntime *rt, const LeakhuntContextInfo *infos, int n, const char *dir,
                       const char *file)
{
    char path[4096];
    FILE *out;
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    out = fopen(path, "w");
    if (!out)
        die(path);
    JS_RunGC(rt);
    if (leakhunt_dump_runtime(rt, infos, n, "leakhunt contrib/quickjs tenants", out) != 0)
        die("dump failed");
    if (fclose(out) != 0)
        die(path);
}

int main(int argc, char **argv)
{
    JSRuntime *rt;
    JSContext *a, *b, *c, *d;
    JSValue handler, handlers, push, leaked, args[2];
    JSMemoryUsage usage;
    char path[4096];
    FILE *counters;
    LeakhuntContextInfo infos[4];

    if (argc != 2)
        die("usage: tenants OUT_DIR");
    rt = JS_NewRuntime();
    a = JS_NewContext(rt);
    b = JS_NewContext(rt);
    c = JS_NewContext(rt);
    d = JS_NewContext(rt);
    if (!rt || !a || !b || !c || !d)
        die("cannot create the runtime");

    run(a, HOST_SCRIPT, "host.js");
    run(b, ZOMBIE_SCRIPT, "plugin-b.js");
    run(c, GREEDY_SCRIPT, "plugin-c.js");
    run(d, TIDY_SCRIPT, "plugin-d.js");

    /* tenant-b's handler goes onto tenant-a's bus: bus.handlers.push(install()) */
    call_global(b, "install", 0, NULL, &handler);
    {
        JSValue bus = global_get(a, "bus");
        handlers = JS_GetPropertyStr(a, bus, "handlers");
        push = JS_GetPropertyStr(a, handlers, "push");
        JSValue r = JS_Call(a, push, handlers, 1, &handler);
        if (JS_IsException(r))
            die("push");
        JS_FreeValue(a, r);
        JS_FreeValue(a, push);
        JS_FreeValue(a, handlers);
        JS_FreeValue(a, bus);
        JS_FreeValue(a, handler);
    }

    /* the embedder keeps a Session and forgets to free it */
    args[0] = JS_NewInt32(a, 7);
    call_global(a, "makeSession", 1, args, &leaked);

    /* dispose tenant-b (zombie) and tenant-d (collected) */
    infos[0] = (LeakhuntContextInfo){a, "tenant-a", "tenant A (host: event bus)", 0, 256 * KIB};
    infos[1] = (LeakhuntContextInfo){b, "tenant-b", "tenant B (plugin, disposed)", 1, 256 * KIB};
    infos[2] = (LeakhuntContextInfo){c, "tenant-c", "tenant C (plugin with a cache)", 0, 64 * KIB};
    infos[3] = (LeakhuntContextInfo){d, "tenant-d", "tenant D (plugin, disposed)", 1, 256 * KIB};
    JS_FreeContext(b);
    JS_FreeContext(d);

    write_dump(rt, infos, 4, argv[1], "tenants-1.rootdump.json");
    args[0] = JS_NewInt32(a, 1000);
    args[1] = JS_NewInt32(a, 100);
    call_global(a, "openSessions", 2, args, NULL);
    write_dump(rt, infos, 4, argv[1], "tenants-2.rootdump.json");

    JS_RunGC(rt);
    JS_ComputeMemoryUsage(rt, &usage);
    snprintf(path, sizeof(path), "%s/tenants.counters.json", argv[1]);
    counters = fopen(path, "w");
    if (!counters)
        die(path);
    fprintf(counters,
            "{\n  \"engine\": \"QuickJS-ng %d.%d.%d\",\n"
            "  \"tenants\": [\n"
            "    {\"id\": \"tenant-a\", \"budget\": %d, \"disposed\": false, \"expect\": \"live\"},\n"
            "    {\"id\": \"tenant-b\", \"budget\": %d, \"disposed\": true, \"expect\": \"zombie\","
            " \"holder_context\": \"tenant-a\", \"holder\": \"bus.handlers[0]\", \"held_function\": \"onTick\"},\n"
            "    {\"id\": \"tenant-c\", \"budget\": %d, \"disposed\": false, \"expect\": \"over_budget\"},\n"
            "    {\"id\": \"tenant-d\", \"budget\": %d, \"disposed\": true, \"expect\": \"collected\"}\n"
            "  ],\n"
            "  \"leaked_dup_value\": {\"class\": \"Session\", \"address\": \"%p\", \"unseen_references\": 1},\n"
            "  \"sessions_opened_between_dumps\": 100,\n"
            "  \"memory_usage_after_second_dump\": {\"obj_count\": %" PRId64 ", \"prop_size\": %" PRId64
            ", \"shape_count\": %" PRId64 ", \"js_func_count\": %" PRId64
            ", \"memory_used_size\": %" PRId64 ", \"malloc_size\": %" PRId64 "}\n}\n",
            QJS_VERSION_MAJOR, QJS_VERSION_MINOR, QJS_VERSION_PATCH, 256 * KIB, 256 * KIB, 64 * KIB,
            256 * KIB, JS_VALUE_GET_PTR(leaked), (int64_t)usage.obj_count, (int64_t)usage.prop_size,
            (int64_t)usage.shape_count, (int64_t)usage.js_func_count,
            (int64_t)usage.memory_used_size, (int64_t)usage.malloc_size);
    fclose(counters);

    /* tear down in order; the leaked Session is freed last so the runtime can close */
    JS_FreeValue(a, leaked);
    JS_FreeContext(a);
    JS_FreeContext(c);
    JS_RunGC(rt);
    return 0;
}

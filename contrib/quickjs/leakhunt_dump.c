/*
 * leakhunt heap-graph dumper for QuickJS-ng (see leakhunt_dump.h).
 *
 * Included after quickjs.c in one translation unit (quickjs_leakhunt.c): it reads the
 * runtime's private structures. The edges it writes are exactly the references the cycle
 * collector counts (it calls the collector's own mark_children on every GC object), so the
 * difference between an object's reference count and the edges into it is the number of
 * references held from outside the heap: by C code, the embedder, a JSValue never freed.
 * Names come from a second, read-only walk over the same slots (property names from the shape,
 * closure variable names from the bytecode, element indices).
 */
#include "leakhunt_dump.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LH_NAME_CAP 120     /* characters of a string's value used as its node name */

enum lh_edge_kind { LH_PROPERTY, LH_ELEMENT, LH_CONTEXT_VARIABLE, LH_INTERNAL };
static const char *const lh_edge_kind_names[] = {"property", "element", "context_variable",
                                                 "internal"};

typedef struct {
    const void *ptr;
    uint32_t id;
} LHSlot;

typedef struct {  /* pointer -> node id, open addressing */
    LHSlot *slots;
    size_t mask;
    size_t count;
} LHMap;

typedef struct {
    uint32_t from, to;
    uint8_t kind;
    JSAtom atom;        /* name, when the name is an atom */
    int64_t index;      /* name, when it is an element index; -1 otherwise */
    const char *label;  /* name, when it is a fixed label */
} LHEdge;

typedef struct {      /* a name waiting for the collector's walk to reach its slot */
    const void *child;
    uint8_t kind;
    JSAtom atom;
    int64_t index;
    const char *label;
    int used;
} LHHint;

typedef struct {
    JSRuntime *rt;
    LHMap ids;                 /* GC objects and strings -> node id */
    JSGCObjectHeader **gc;     /* node id - 1 -> GC object (ids 1..gc_count) */
    uint32_t gc_count;
    JSString **strings;        /* string nodes, ids gc_count+1 .. */
    uint32_t string_count, string_cap;
    uint32_t *known;           /* references the graph shows, per GC node */
    LHEdge *edges;
    size_t edge_count, edge_cap;
    LHHint *hints;
    size_t hint_count, hint_cap, hint_cursor;
    uint32_t current;          /* node whose children the collector is listing */
    int failed;
} LHDump;

static LHDump *lh_active;  /* the collector's callbacks carry no user data */

/* ---------------------------------------------------------------- growable storage */

static int lh_grow(void **items, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 64;
    void *p;
    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    p = realloc(*items, n * size);
    if (!p)
        return -1;
    *items = p;
    *cap = n;
    return 0;
}

static size_t lh_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static int lh_map_init(LHMap *m, size_t expected)
{
    size_t n = 1024;
    while (n < expected * 2)
        n *= 2;
    m->slots = calloc(n, sizeof(LHSlot));
    m->mask = n - 1;
    m->count = 0;
    return m->slots ? 0 : -1;
}

static uint32_t lh_map_get(const LHMap *m, const void *p)
{
    size_t i = lh_hash(p) & m->mask;
    while (m->slots[i].ptr) {
        if (m->slots[i].ptr == p)
            return m->slots[i].id;
        i = (i + 1) & m->mask;
    }
    return 0;
}

static int lh_map_put(LHMap *m, const void *p, uint32_t id)
{
    size_t i;
    if ((m->count + 1) * 2 > m->mask + 1) {
        LHMap bigger;
        size_t j;
        if (lh_map_init(&bigger, m->mask + 1))
            return -1;
        for (j = 0; j <= m->mask; j++)
            if (m->slots[j].ptr)
                lh_map_put(&bigger, m->slots[j].ptr, m->slots[j].id);
        free(m->slots);
        *m = bigger;
    }
    i = lh_hash(p) & m->mask;
    while (m->slots[i].ptr)
        i = (i + 1) & m->mask;
    m->slots[i].ptr = p;
    m->slots[i].id = id;
    m->count++;
    return 0;
}

/* ---------------------------------------------------------------- JSON output */

/* Every non-ASCII code unit becomes a \uXXXX escape: the output is ASCII, valid JSON whatever
 * the heap holds (lone surrogates included), and a reader gets the exact UTF-16 text back. */
static void lh_put_units(FILE *out, const JSString *s, uint32_t cap)
{
    uint32_t i, len = s->len < cap ? s->len : cap;
    const uint8_t *p8 = s->is_wide_char ? NULL : str8((JSString *)s);
    const uint16_t *p16 = s->is_wide_char ? str16((JSString *)s) : NULL;
    for (i = 0; i < len; i++) {
        unsigned c = p8 ? p8[i] : p16[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc((int)c, out);
    }
    if (s->len > cap)
        fputs("\\u2026", out);
}

static void lh_put_cstring(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* An atom as a JSON string: its text, or an integer atom's digits. */
static void lh_put_atom(FILE *out, JSRuntime *rt, JSAtom atom)
{
    fputc('"', out);
    if (__JS_AtomIsTaggedInt(atom)) {
        fprintf(out, "%" PRIu32, __JS_AtomToUInt32(atom));
    } else if (atom != JS_ATOM_NULL && atom < (JSAtom)rt->atom_size) {
        JSAtomStruct *p = rt->atom_array[atom];
        if (p && !atom_is_free(p))
            lh_put_units(out, p, 4 * LH_NAME_CAP);
    }
    fputc('"', out);
}

/* "label atom-text" as one JSON string (accessor edges: "get name"). */
static void lh_put_labelled_atom(FILE *out, JSRuntime *rt, const char *label, JSAtom atom)
{
    fputc('"', out);
    fputs(label, out);
    fputc(' ', out);
    if (__JS_AtomIsTaggedInt(atom)) {
        fprintf(out, "%" PRIu32, __JS_AtomToUInt32(atom));
    } else if (atom < (JSAtom)rt->atom_size && rt->atom_array[atom] &&
               !atom_is_free(rt->atom_array[atom])) {
        lh_put_units(out, rt->atom_array[atom], 4 * LH_NAME_CAP);
    }
    fputc('"', out);
}

/* ---------------------------------------------------------------- node ids */

static uint32_t lh_string_id(LHDump *d, JSString *s)
{
    uint32_t id = lh_map_get(&d->ids, s);
    if (id)
        return id;
    if (d->string_count == d->string_cap) {
        size_t cap = d->string_cap;
        if (lh_grow((void **)&d->strings, &cap, (size_t)d->string_count + 1, sizeof(JSString *))) {
            d->failed = 1;
            return 0;
        }
        d->string_cap = (uint32_t)cap;
    }
    d->strings[d->string_count++] = s;
    id = d->gc_count + d->string_count;
    if (lh_map_put(&d->ids, s, id))
        d->failed = 1;
    return id;
}

/* ---------------------------------------------------------------- edges */

static void lh_add_edge(LHDump *d, uint32_t from, uint32_t to, uint8_t kind, JSAtom atom,
                        int64_t index, const char *label)
{
    LHEdge *e;
    if (!to)
        return;
    if (lh_grow((void **)&d->edges, &d->edge_cap, d->edge_count + 1, sizeof(LHEdge))) {
        d->failed = 1;
        return;
    }
    e = &d->edges[d->edge_count++];
    e->from = from;
    e->to = to;
    e->kind = kind;
    e->atom = atom;
    e->index = index;
    e->label = label;
}

static void lh_hint(LHDump *d, const void *child, uint8_t kind, JSAtom atom, int64_t index,
                    const char *label)
{
    LHHint *h;
    if (lh_grow((void **)&d->hints, &d->hint_cap, d->hint_count + 1, sizeof(LHHint))) {
        d->failed = 1;
        return;
    }
    h = &d->hints[d->hint_count++];
    h->child = child;
    h->kind = kind;
    h->atom = atom;
    h->index = index;
    h->label = label;
    h->used = 0;
}

/* Name a JSValue slot: GC children are named through a hint (the collector's walk writes the
 * edge), strings get their own node and edge here (the collector does not count them). */
static void lh_name_value(LHDump *d, JSValueConst v, uint8_t kind, JSAtom atom, int64_t index,
                          const char *label)
{
    int tag = JS_VALUE_GET_TAG(v);
    if (tag == JS_TAG_OBJECT || tag == JS_TAG_FUNCTION_BYTECODE)
        lh_hint(d, JS_VALUE_GET_PTR(v), kind, atom, index, label);
    else if (tag == JS_TAG_STRING)
        lh_add_edge(d, d->current, lh_string_id(d, JS_VALUE_GET_STRING(v)), kind, atom, index,
                    label);
}

/* The collector's callback: one reference from d->current to gp. */
static void lh_record_child(JSRuntime *rt, JSGCObjectHeader *gp)
{
    LHDump *d = lh_active;
    uint32_t to = lh_map_get(&d->ids, gp);
    size_t i, n = d->hint_count;
    (void)rt;
    if (!to)
        return;  /* not on the GC list (being freed): the collector would not count it either */
    d->known[to - 1]++;
    for (i = 0; i < n; i++) {
        size_t k = (d->hint_cursor + i) % n;
        LHHint *h = &d->hints[k];
        if (!h->used && h->child == gp) {
            h->used = 1;
            d->hint_cursor = k + 1;
            lh_add_edge(d, d->current, to, h->kind, h->atom, h->index, h->label);
            return;
        }
    }
    lh_add_edge(d, d->current, to, LH_INTERNAL, JS_ATOM_NULL, -1, "(internal)");
}

static void lh_name_object_slots(LHDump *d, JSObject *p)
{
    JSShape *sh = p->shape;
    JSShapeProperty *prs = get_shape_prop(sh);
    int i;
    lh_hint(d, sh, LH_INTERNAL, JS_ATOM_NULL, -1, "shape");
    for (i = 0; i < sh->prop_count; i++, prs++) {
        JSProperty *pr = &p->prop[i];
        if (prs->atom == JS_ATOM_NULL)
            continue;
        switch (prs->flags & JS_PROP_TMASK) {
        case 0:
            lh_name_value(d, pr->u.value, LH_PROPERTY, prs->atom, -1, NULL);
            break;
        case JS_PROP_GETSET:
            if (pr->u.getset.getter)
                lh_hint(d, pr->u.getset.getter, LH_PROPERTY, prs->atom, -1, "get");
            if (pr->u.getset.setter)
                lh_hint(d, pr->u.getset.setter, LH_PROPERTY, prs->atom, -1, "set");
            break;
        case JS_PROP_VARREF:
            lh_hint(d, pr->u.var_ref, LH_PROPERTY, prs->atom, -1, NULL);
            break;
        default:
            break;
        }
    }
    switch (p->class_id) {
    case JS_CLASS_ARRAY:
    case JS_CLASS_ARGUMENTS:
        if (p->fast_array) {
            uint32_t k;
            for (k = 0; k < p->u.array.count; k++)
                lh_name_value(d, p->u.array.u.values[k], LH_ELEMENT, JS_ATOM_NULL, k, NULL);
        }
        break;
    case JS_CLASS_BYTECODE_FUNCTION:
    case JS_CLASS_GENERATOR_FUNCTION:
    case JS_CLASS_ASYNC_FUNCTION:
    case JS_CLASS_ASYNC_GENERATOR_FUNCTION: {
        JSFunctionBytecode *b = p->u.func.function_bytecode;
        if (b) {
            lh_hint(d, b, LH_INTERNAL, JS_ATOM_NULL, -1, "code");
            if (p->u.func.var_refs) {
                int k;
                for (k = 0; k < b->closure_var_count; k++)
                    if (p->u.func.var_refs[k])
                        lh_hint(d, p->u.func.var_refs[k], LH_CONTEXT_VARIABLE,
                                b->closure_var[k].var_name, -1, NULL);
            }
        }
        if (p->u.func.home_object)
            lh_hint(d, p->u.func.home_object, LH_INTERNAL, JS_ATOM_NULL, -1, "home_object");
        break;
    }
    case JS_CLASS_ERROR:
    case JS_CLASS_NUMBER:
    case JS_CLASS_STRING:
    case JS_CLASS_BOOLEAN:
    case JS_CLASS_SYMBOL:
    case JS_CLASS_DATE:
    case JS_CLASS_BIG_INT:
        lh_name_value(d, p->u.object_data, LH_INTERNAL, JS_ATOM_NULL, -1, "value");
        break;
    default:
        break;
    }
}

static void lh_name_context_slots(LHDump *d, JSContext *ctx)
{
    JSRuntime *rt = d->rt;
    int i;
    lh_name_value(d, ctx->global_obj, LH_INTERNAL, JS_ATOM_NULL, -1, "global");
    lh_name_value(d, ctx->global_var_obj, LH_INTERNAL, JS_ATOM_NULL, -1, "global_lexicals");
    lh_name_value(d, ctx->function_proto, LH_INTERNAL, JS_ATOM_NULL, -1, "Function.prototype");
    for (i = 0; i < rt->class_count; i++)
        if (JS_VALUE_GET_TAG(ctx->class_proto[i]) == JS_TAG_OBJECT)
            lh_hint(d, JS_VALUE_GET_PTR(ctx->class_proto[i]), LH_INTERNAL,
                    rt->class_array[i].class_name, -1, NULL);
}

static void lh_collect_edges(LHDump *d, JSGCObjectHeader *gp, uint32_t id)
{
    d->current = id;
    d->hint_count = 0;
    d->hint_cursor = 0;
    switch (JS_GC_TYPE(gp)) {
    case JS_GC_OBJ_TYPE_JS_OBJECT:
        lh_name_object_slots(d, (JSObject *)gp);
        break;
    case JS_GC_OBJ_TYPE_FUNCTION_BYTECODE: {
        JSFunctionBytecode *b = (JSFunctionBytecode *)gp;
        int i;
        for (i = 0; i < b->cpool_count; i++)
            lh_name_value(d, b->cpool[i], LH_INTERNAL, JS_ATOM_NULL, -1, "constant");
        if (b->realm)
            lh_hint(d, b->realm, LH_INTERNAL, JS_ATOM_NULL, -1, "realm");
        break;
    }
    case JS_GC_OBJ_TYPE_VAR_REF: {
        JSVarRef *v = (JSVarRef *)gp;
        if (v->is_detached)
            lh_name_value(d, *v->pvalue, LH_INTERNAL, JS_ATOM_NULL, -1, "value");
        break;
    }
    case JS_GC_OBJ_TYPE_SHAPE:
        if (((JSShape *)gp)->proto)
            lh_hint(d, ((JSShape *)gp)->proto, LH_INTERNAL, JS_ATOM_NULL, -1, "__proto__");
        break;
    case JS_GC_OBJ_TYPE_JS_CONTEXT:
        lh_name_context_slots(d, (JSContext *)gp);
        break;
    default:
        break;
    }
    lh_active = d;
    mark_children(d->rt, gp, lh_record_child);
}

/* ---------------------------------------------------------------- node facts */

static int lh_is_function_class(int class_id)
{
    return class_id == JS_CLASS_BYTECODE_FUNCTION || class_id == JS_CLASS_GENERATOR_FUNCTION ||
           class_id == JS_CLASS_ASYNC_FUNCTION || class_id == JS_CLASS_ASYNC_GENERATOR_FUNCTION;
}

/* Shallow size, with the same parts JS_ComputeMemoryUsage counts for the object. */
static int64_t lh_size(JSGCObjectHeader *gp)
{
    JSRuntime *rt = lh_active->rt;
    switch (JS_GC_TYPE(gp)) {
    case JS_GC_OBJ_TYPE_JS_OBJECT: {
        JSObject *p = (JSObject *)gp;
        int64_t size = sizeof(JSObject);
        if (p->prop)
            size += (int64_t)p->shape->prop_size * (int64_t)sizeof(*p->prop);
        if ((p->class_id == JS_CLASS_ARRAY || p->class_id == JS_CLASS_ARGUMENTS) &&
            p->fast_array && p->u.array.u.values)
            size += (int64_t)p->u.array.count * (int64_t)sizeof(JSValue);
        if (lh_is_function_class(p->class_id) && p->u.func.var_refs &&
            p->u.func.function_bytecode)
            size += (int64_t)p->u.func.function_bytecode->closure_var_count *
                    (int64_t)sizeof(JSVarRef *);
        if ((p->class_id == JS_CLASS_ARRAY_BUFFER) && p->u.array_buffer &&
            !p->u.array_buffer->shared)
            size += sizeof(JSArrayBuffer) + p->u.array_buffer->byte_length;
        return size;
    }
    case JS_GC_OBJ_TYPE_FUNCTION_BYTECODE: {
        JSMemoryUsage_helper h = {0};
        compute_bytecode_size((JSFunctionBytecode *)gp, &h);
        return (int64_t)h.js_func_size + h.js_func_code_size + h.js_func_pc2line_size;
    }
    case JS_GC_OBJ_TYPE_SHAPE: {
        JSShape *sh = (JSShape *)gp;
        return get_shape_size(sh->prop_hash_mask + 1, sh->prop_size);
    }
    case JS_GC_OBJ_TYPE_VAR_REF:
        return sizeof(JSVarRef);
    case JS_GC_OBJ_TYPE_ASYNC_FUNCTION:
        return sizeof(JSAsyncFunctionData);
    case JS_GC_OBJ_TYPE_JS_CONTEXT:
        return (int64_t)sizeof(JSContext) + (int64_t)sizeof(JSValue) * rt->class_count;
    default:
        return 0;
    }
}

static int64_t lh_string_size(const JSString *s)
{
    if (s->kind != JS_STRING_KIND_NORMAL)
        return sizeof(JSString) + 16;
    return (int64_t)sizeof(JSString) + ((int64_t)s->len << s->is_wide_char) + 1 - s->is_wide_char;
}

static JSString *lh_atom_string(JSRuntime *rt, JSAtom atom)
{
    if (atom == JS_ATOM_NULL || __JS_AtomIsTaggedInt(atom) || atom >= (JSAtom)rt->atom_size)
        return NULL;
    if (!rt->atom_array[atom] || atom_is_free(rt->atom_array[atom]))
        return NULL;
    return rt->atom_array[atom];
}

/* An own data property's value, without running any code (no getters, no proxies). */
static JSValue lh_own_value(JSObject *p, JSAtom atom)
{
    JSShapeProperty *prs = get_shape_prop(p->shape);
    int i;
    for (i = 0; i < p->shape->prop_count; i++, prs++)
        if (prs->atom == atom && !(prs->flags & JS_PROP_TMASK))
            return p->prop[i].u.value;
    return JS_UNDEFINED;
}

/* A function's name: its bytecode's, else its own "name" property (class constructors). */
static JSString *lh_function_name(JSRuntime *rt, JSObject *f)
{
    JSValue name;
    if (f->class_id == JS_CLASS_C_FUNCTION || f->class_id == JS_CLASS_BOUND_FUNCTION ||
        lh_is_function_class(f->class_id)) {
        if (lh_is_function_class(f->class_id) && f->u.func.function_bytecode) {
            JSString *s = lh_atom_string(rt, f->u.func.function_bytecode->func_name);
            if (s && s->len)
                return s;
        }
        name = lh_own_value(f, JS_ATOM_name);
        if (JS_VALUE_GET_TAG(name) == JS_TAG_STRING && JS_VALUE_GET_STRING(name)->len)
            return JS_VALUE_GET_STRING(name);
    }
    return NULL;
}

/* The constructor's name, via the prototype's own "constructor" (what V8 calls the class). */
static JSString *lh_constructor_name(JSRuntime *rt, JSObject *p)
{
    JSObject *proto = p->shape->proto;
    JSValue ctor;
    if (!proto)
        return NULL;
    ctor = lh_own_value(proto, JS_ATOM_constructor);
    if (JS_VALUE_GET_TAG(ctor) != JS_TAG_OBJECT)
        return NULL;
    return lh_function_name(rt, JS_VALUE_GET_OBJ(ctor));
}

/* ---------------------------------------------------------------- contexts */

typedef struct {
    JSContext *ctx;
    uint32_t node;
    const LeakhuntContextInfo *info;
    char fallback_id[32];
} LHContext;

static const char *lh_context_id(const LHContext *c)
{
    return c->info && c->info->id ? c->info->id : c->fallback_id;
}

/* Index of the context an object belongs to, or -1: a function by its realm; any other object
 * by the first object on its prototype chain that is one of a context's own intrinsics. */
static int lh_context_of(JSGCObjectHeader *gp, const LHContext *ctxs, int nctx,
                         const LHMap *intrinsics)
{
    int i, depth;
    JSContext *realm = NULL;
    JSObject *p;
    switch (JS_GC_TYPE(gp)) {
    case JS_GC_OBJ_TYPE_JS_CONTEXT:
        realm = (JSContext *)gp;
        break;
    case JS_GC_OBJ_TYPE_FUNCTION_BYTECODE:
        realm = ((JSFunctionBytecode *)gp)->realm;
        break;
    case JS_GC_OBJ_TYPE_SHAPE:
        p = ((JSShape *)gp)->proto;
        goto chain;
    case JS_GC_OBJ_TYPE_JS_OBJECT:
        p = (JSObject *)gp;
        if (lh_is_function_class(p->class_id) && p->u.func.function_bytecode)
            realm = p->u.func.function_bytecode->realm;
        else if (p->class_id == JS_CLASS_C_FUNCTION)
            realm = p->u.cfunc.realm;
        else
            goto chain;
        break;
    default:
        return -1;
    }
    for (i = 0; i < nctx; i++)
        if (ctxs[i].ctx == realm)
            return i;
    return -1;
chain:
    for (depth = 0; p && depth < 64; depth++, p = p->shape->proto) {
        uint32_t k = lh_map_get(intrinsics, p);
        if (k)
            return (int)k - 1;
    }
    return -1;
}

static void lh_put_intrinsic(LHMap *m, JSValueConst v, int index)
{
    if (JS_VALUE_GET_TAG(v) == JS_TAG_OBJECT && !lh_map_get(m, JS_VALUE_GET_PTR(v)))
        lh_map_put(m, JS_VALUE_GET_PTR(v), (uint32_t)index + 1);
}

/* ---------------------------------------------------------------- writing */

static const char *lh_kind_of(JSGCObjectHeader *gp)
{
    switch (JS_GC_TYPE(gp)) {
    case JS_GC_OBJ_TYPE_JS_OBJECT: {
        JSObject *p = (JSObject *)gp;
        if (lh_is_function_class(p->class_id) || p->class_id == JS_CLASS_C_FUNCTION ||
            p->class_id == JS_CLASS_BOUND_FUNCTION || p->class_id == JS_CLASS_C_FUNCTION_DATA)
            return "closure";
        if (p->class_id == JS_CLASS_ARRAY || p->class_id == JS_CLASS_ARGUMENTS)
            return "array";
        if (p->class_id == JS_CLASS_REGEXP)
            return "regexp";
        return "object";
    }
    case JS_GC_OBJ_TYPE_FUNCTION_BYTECODE:
        return "code";
    case JS_GC_OBJ_TYPE_SHAPE:
        return "shape";
    default:
        return "hidden";
    }
}

static void lh_write_class_and_name(FILE *out, JSRuntime *rt, JSGCObjectHeader *gp)
{
    switch (JS_GC_TYPE(gp)) {
    case JS_GC_OBJ_TYPE_JS_OBJECT: {
        JSObject *p = (JSObject *)gp;
        JSString *ctor = p->class_id == JS_CLASS_OBJECT ? lh_constructor_name(rt, p) : NULL;
        JSString *name = lh_function_name(rt, p);
        fputs("\"class\":", out);
        if (ctor) {
            fputc('"', out);
            lh_put_units(out, ctor, LH_NAME_CAP);
            fputc('"', out);
        } else {
            lh_put_atom(out, rt, rt->class_array[p->class_id].class_name);
        }
        if (name) {
            fputs(",\"name\":\"", out);
            lh_put_units(out, name, LH_NAME_CAP);
            fputc('"', out);
        }
        break;
    }
    case JS_GC_OBJ_TYPE_FUNCTION_BYTECODE: {
        JSFunctionBytecode *b = (JSFunctionBytecode *)gp;
        fputs("\"class\":\"(bytecode)\"", out);
        if (b->func_name != JS_ATOM_NULL) {
            fputs(",\"name\":", out);
            lh_put_atom(out, rt, b->func_name);
        }
        break;
    }
    case JS_GC_OBJ_TYPE_SHAPE:
        fputs("\"class\":\"(shape)\"", out);
        break;
    case JS_GC_OBJ_TYPE_VAR_REF:
        fputs("\"class\":\"(closure variable)\"", out);
        break;
    case JS_GC_OBJ_TYPE_ASYNC_FUNCTION:
        fputs("\"class\":\"(async function state)\"", out);
        break;
    case JS_GC_OBJ_TYPE_JS_CONTEXT:
        fputs("\"class\":\"JSContext\"", out);
        break;
    default:
        fputs("\"class\":\"(unknown)\"", out);
        break;
    }
}

static void lh_write_statistics(FILE *out, JSRuntime *rt)
{
    JSMemoryUsage s;
    JS_ComputeMemoryUsage(rt, &s);
#define LH_STAT(field, sep) fprintf(out, "\"" #field "\":%" PRId64 sep, (int64_t)(s.field < 0 ? 0 : s.field))
    fputc('{', out);
    LH_STAT(malloc_size, ",");
    LH_STAT(malloc_count, ",");
    LH_STAT(memory_used_size, ",");
    LH_STAT(memory_used_count, ",");
    LH_STAT(atom_count, ",");
    LH_STAT(atom_size, ",");
    LH_STAT(str_count, ",");
    LH_STAT(str_size, ",");
    LH_STAT(obj_count, ",");
    LH_STAT(obj_size, ",");
    LH_STAT(prop_count, ",");
    LH_STAT(prop_size, ",");
    LH_STAT(shape_count, ",");
    LH_STAT(shape_size, ",");
    LH_STAT(js_func_count, ",");
    LH_STAT(js_func_size, ",");
    LH_STAT(js_func_code_size, ",");
    LH_STAT(js_func_pc2line_count, ",");
    LH_STAT(js_func_pc2line_size, ",");
    LH_STAT(c_func_count, ",");
    LH_STAT(array_count, ",");
    LH_STAT(fast_array_count, ",");
    LH_STAT(fast_array_elements, ",");
    LH_STAT(binary_object_count, ",");
    LH_STAT(binary_object_size, "");
    if (s.malloc_limit > 0 && s.malloc_limit < INT64_MAX)
        fprintf(out, ",\"malloc_limit\":%" PRId64, (int64_t)s.malloc_limit);
    fputc('}', out);
#undef LH_STAT
}

int leakhunt_dump_runtime(JSRuntime *rt, const LeakhuntContextInfo *contexts, int context_count,
                          const char *producer_name, FILE *out)
{
    LHDump d;
    LHMap intrinsics;
    LHContext *ctxs = NULL;
    int nctx = 0, i;
    uint32_t id;
    size_t e;
    struct list_head *el;
    int first;

    memset(&d, 0, sizeof(d));
    d.rt = rt;
    lh_active = &d;
    list_for_each(el, &rt->gc_obj_list)
        d.gc_count++;
    if (lh_map_init(&d.ids, d.gc_count) || lh_map_init(&intrinsics, 256))
        return -1;
    d.gc = malloc(sizeof(*d.gc) * (d.gc_count + 1));
    d.known = calloc(d.gc_count + 1, sizeof(*d.known));
    if (!d.gc || !d.known)
        return -1;
    id = 0;
    list_for_each(el, &rt->gc_obj_list) {
        JSGCObjectHeader *gp = list_entry(el, JSGCObjectHeader, link);
        d.gc[id++] = gp;
        lh_map_put(&d.ids, gp, id);
    }

    list_for_each(el, &rt->context_list)
        nctx++;
    ctxs = calloc((size_t)nctx + 1, sizeof(*ctxs));
    if (!ctxs)
        return -1;
    i = 0;
    list_for_each(el, &rt->context_list) {
        JSContext *ctx = list_entry(el, JSContext, link);
        int k, c;
        ctxs[i].ctx = ctx;
        ctxs[i].node = lh_map_get(&d.ids, ctx);
        snprintf(ctxs[i].fallback_id, sizeof(ctxs[i].fallback_id), "context-%d", i + 1);
        for (k = 0; k < context_count; k++)
            if (contexts[k].ctx == ctx)
                ctxs[i].info = &contexts[k];
        lh_put_intrinsic(&intrinsics, ctx->global_obj, i);
        lh_put_intrinsic(&intrinsics, ctx->global_var_obj, i);
        lh_put_intrinsic(&intrinsics, ctx->function_proto, i);
        for (c = 0; c < rt->class_count; c++)
            lh_put_intrinsic(&intrinsics, ctx->class_proto[c], i);
        i++;
    }

    for (id = 1; id <= d.gc_count && !d.failed; id++)
        lh_collect_edges(&d, d.gc[id - 1], id);
    if (d.failed)
        return -1;

    /* header, process, contexts */
    fputs("{\"format\":\"leakhunt-rootdump\",\"version\":1,\"graph\":\"standalone\",\n", out);
    fputs("\"producer\":{\"name\":", out);
    lh_put_cstring(out, producer_name ? producer_name : "leakhunt-quickjs-dump");
    fprintf(out, ",\"version\":\"1\",\"engine\":\"QuickJS-ng %d.%d.%d\"},\n", QJS_VERSION_MAJOR,
            QJS_VERSION_MINOR, QJS_VERSION_PATCH);
    fprintf(out,
            "\"processes\":[{\"pid\":%ld,\"name\":\"quickjs\",\"isolate_groups\":[{\"id\":\"default\","
            "\"name\":\"QuickJS process (no pointer cage)\",\"pointer_cage_size\":null,\"isolates\":[{"
            "\"id\":\"runtime\",\"name\":\"JSRuntime\",\"heap_statistics\":",
            (long)getpid());
    lh_write_statistics(out, rt);
    fputs(",\n\"contexts\":[", out);
    for (i = 0; i < nctx; i++) {
        const LeakhuntContextInfo *info = ctxs[i].info;
        fputs(i ? ",\n" : "\n", out);
        fputs("{\"id\":", out);
        lh_put_cstring(out, lh_context_id(&ctxs[i]));
        if (info && info->name) {
            fputs(",\"name\":", out);
            lh_put_cstring(out, info->name);
        }
        fprintf(out, ",\"state\":\"%s\"", info && info->disposed ? "disposed" : "live");
        if (info && info->memory_limit > 0)
            fprintf(out, ",\"memory_limit\":%" PRId64, info->memory_limit);
        fprintf(out, ",\"node\":%" PRIu32, ctxs[i].node);
        if (JS_VALUE_GET_TAG(ctxs[i].ctx->global_obj) == JS_TAG_OBJECT)
            fprintf(out, ",\"global_node\":%" PRIu32,
                    lh_map_get(&d.ids, JS_VALUE_GET_PTR(ctxs[i].ctx->global_obj)));
        fputc('}', out);
    }
    fputs("]}]}]}],\n", out);

    /* nodes */
    fputs("\"nodes\":[", out);
    for (id = 1; id <= d.gc_count; id++) {
        JSGCObjectHeader *gp = d.gc[id - 1];
        int c = lh_context_of(gp, ctxs, nctx, &intrinsics);
        fprintf(out, "%s{\"id\":%" PRIu32 ",\"kind\":\"%s\",", id > 1 ? ",\n" : "\n", id,
                lh_kind_of(gp));
        lh_write_class_and_name(out, rt, gp);
        fprintf(out, ",\"size\":%" PRId64 ",\"address\":\"%p\"", lh_size(gp), (void *)gp);
        if (c >= 0) {
            fputs(",\"context\":", out);
            lh_put_cstring(out, lh_context_id(&ctxs[c]));
        }
        fputc('}', out);
    }
    for (i = 0; i < (int)d.string_count; i++) {
        JSString *s = d.strings[i];
        fprintf(out, ",\n{\"id\":%" PRIu32 ",\"kind\":\"string\",\"class\":\"(string)\",\"name\":\"",
                d.gc_count + (uint32_t)i + 1);
        lh_put_units(out, s, LH_NAME_CAP);
        fprintf(out, "\",\"size\":%" PRId64 ",\"address\":\"%p\"}", lh_string_size(s), (void *)s);
    }
    fputs("],\n", out);

    /* edges */
    fputs("\"edges\":[", out);
    for (e = 0; e < d.edge_count; e++) {
        const LHEdge *x = &d.edges[e];
        fprintf(out, "%s{\"kind\":\"%s\",\"from\":{\"js\":%" PRIu32 "},\"to\":{\"js\":%" PRIu32 "}",
                e ? ",\n" : "\n", lh_edge_kind_names[x->kind], x->from, x->to);
        if (x->kind == LH_ELEMENT && x->index >= 0) {
            fprintf(out, ",\"name\":%" PRId64, x->index);
        } else if (x->atom != JS_ATOM_NULL) {
            fputs(",\"name\":", out);
            if (x->label)  /* accessor: "get name" / "set name" */
                lh_put_labelled_atom(out, rt, x->label, x->atom);
            else
                lh_put_atom(out, rt, x->atom);
        } else if (x->label) {
            fputs(",\"name\":", out);
            lh_put_cstring(out, x->label);
        }
        fputc('}', out);
    }
    fputs("],\n", out);

    /* roots: the globals of live contexts, and what C code holds (refcount above known) */
    fputs("\"roots\":[", out);
    first = 1;
    for (i = 0; i < nctx; i++) {
        const LeakhuntContextInfo *info = ctxs[i].info;
        uint32_t global;
        if (info && info->disposed)
            continue;
        if (JS_VALUE_GET_TAG(ctxs[i].ctx->global_obj) != JS_TAG_OBJECT)
            continue;
        global = lh_map_get(&d.ids, JS_VALUE_GET_PTR(ctxs[i].ctx->global_obj));
        fprintf(out, "%s{\"kind\":\"user\",\"to\":{\"js\":%" PRIu32 "},\"name\":", first ? "\n" : ",\n",
                global);
        lh_put_cstring(out, lh_context_id(&ctxs[i]));
        fputc('}', out);
        first = 0;
    }
    for (id = 1; id <= d.gc_count; id++) {
        JSGCObjectHeader *gp = d.gc[id - 1];
        int64_t rc = JS_REF_COUNT(gp), seen = d.known[id - 1];
        if (rc > seen) {
            fprintf(out,
                    "%s{\"kind\":\"external\",\"to\":{\"js\":%" PRIu32 "},\"unseen_references\":%" PRId64
                    ",\"name\":\"refcount %" PRId64 ", %" PRId64 " in the heap\"}",
                    first ? "\n" : ",\n", id, rc - seen, rc, seen);
            first = 0;
        }
    }
    fputs("]}\n", out);

    free(d.gc);
    free(d.known);
    free(d.edges);
    free(d.hints);
    free(d.strings);
    free(d.ids.slots);
    free(intrinsics.slots);
    free(ctxs);
    lh_active = NULL;
    return ferror(out) ? -1 : 0;
}

/* oneDNN (libdnnl, 2.x C API) convolution timings for the ResNet-18 (CIFAR)
 * and smallvgg layer shapes, set beside `workbench bench conv` and PyTorch's
 * conv2d in BENCHMARKS.md (Session 9).
 *
 * Needs Debian's libdnnl-dev (apt-get install libdnnl-dev); the product itself does not use oneDNN.
 *
 *   gcc -O2 -fopenmp -pthread scripts/dnnl_conv_bench.c -o /tmp/dnnl_conv_bench -ldnnl
 *   /tmp/dnnl_conv_bench [batches=16,128] [repeats=5]
 *   ONEDNN_MAX_CPU_ISA=AVX2 /tmp/dnnl_conv_bench ...      (AVX2 only)
 *
 * For every layer, batch and direction (fwd = forward_training with no bias,
 * bwd_d = backward data, bwd_w = backward weights) it prints milliseconds, the
 * minimum over the repeats, both wall time and process CPU time (on a loaded
 * machine the CPU time is the steadier measure of the work), in three
 * threading modes:
 *   omp2   one call on the whole batch with 2 OpenMP threads;
 *   split  two plain threads (pthreads, as Dispatch workers would be), each
 *          with omp_set_num_threads(1), each running its own primitive on half
 *          the batch (calling from inside an OpenMP parallel region hung);
 *   1t     one call on the whole batch with 1 thread.
 * and two layouts: "blk" times the primitive alone on the layouts it chose
 * (dnnl_format_tag_any), "nchw" adds the reorders from/to plain NCHW/OIHW
 * user memory (weights included, as in training). */
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(f) do { dnnl_status_t s_ = (f); if (s_ != dnnl_success) { \
    fprintf(stderr, "%s:%d: %s -> %d\n", __FILE__, __LINE__, #f, (int)s_); exit(1); } } while (0)

typedef struct { const char *name; int c, m, k, s, p, side; } layer_t;
static const layer_t layers[] = {
    {"3-64 3x3 32", 3, 64, 3, 1, 1, 32},
    {"64-64 3x3 32", 64, 64, 3, 1, 1, 32},
    {"64-128 3x3 s2 32", 64, 128, 3, 2, 1, 32},
    {"64-128 1x1 s2 32", 64, 128, 1, 2, 0, 32},
    {"64-128 3x3 16", 64, 128, 3, 1, 1, 16},
    {"128-128 3x3 16", 128, 128, 3, 1, 1, 16},
    {"128-256 3x3 s2 16", 128, 256, 3, 2, 1, 16},
    {"128-256 1x1 s2 16", 128, 256, 1, 2, 0, 16},
    {"128-256 3x3 8", 128, 256, 3, 1, 1, 8},
    {"256-256 3x3 8", 256, 256, 3, 1, 1, 8},
    {"256-512 3x3 s2 8", 256, 512, 3, 2, 1, 8},
    {"256-512 1x1 s2 8", 256, 512, 1, 2, 0, 8},
    {"512-512 3x3 4", 512, 512, 3, 1, 1, 4},
};

static dnnl_engine_t eng;

static double clock_ms(clockid_t c) {
    struct timespec t; clock_gettime(c, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* A memory object of md, filled with small values. */
static dnnl_memory_t mem(const dnnl_memory_desc_t *md) {
    dnnl_memory_t m; void *h;
    CHECK(dnnl_memory_create(&m, md, eng, DNNL_MEMORY_ALLOCATE));
    CHECK(dnnl_memory_get_data_handle(m, &h));
    size_t n = dnnl_memory_desc_get_size(md) / sizeof(float);
    for (size_t i = 0; i < n; i++) ((float *)h)[i] = (float)((i * 2654435761u) % 1000) / 1000.f - 0.5f;
    return m;
}

/* One operand: the user (plain) memory, the primitive's memory and the reorder between them (NULL when equal). */
typedef struct { dnnl_memory_t user, prim; dnnl_primitive_t reorder; int to_user; } operand_t;

static operand_t operand(const dnnl_memory_desc_t *user_md, const dnnl_memory_desc_t *prim_md, int to_user) {
    operand_t o = {0};
    o.user = mem(user_md); o.to_user = to_user;
    if (dnnl_memory_desc_equal(user_md, prim_md)) { o.prim = o.user; return o; }
    o.prim = mem(prim_md);
    dnnl_primitive_desc_t rpd;
    if (to_user) CHECK(dnnl_reorder_primitive_desc_create(&rpd, prim_md, eng, user_md, eng, NULL));
    else CHECK(dnnl_reorder_primitive_desc_create(&rpd, user_md, eng, prim_md, eng, NULL));
    CHECK(dnnl_primitive_create(&o.reorder, rpd));
    dnnl_primitive_desc_destroy(rpd);
    return o;
}

static void run_reorder(operand_t *o, dnnl_stream_t st) {
    if (!o->reorder) return;
    dnnl_exec_arg_t a[2] = {{DNNL_ARG_FROM, o->to_user ? o->prim : o->user}, {DNNL_ARG_TO, o->to_user ? o->user : o->prim}};
    CHECK(dnnl_primitive_execute(o->reorder, st, 2, a));
}

/* Everything one direction needs for one batch size: primitive + 3 operands. */
typedef struct { dnnl_primitive_t p; operand_t op[3]; int arg[3]; dnnl_stream_t st; } job_t;

enum { FWD, BWD_D, BWD_W };

static void make_job(job_t *j, const layer_t *L, int n, int dir) {
    int o = (L->side + 2 * L->p - L->k) / L->s + 1;
    dnnl_dims_t sd = {n, L->c, L->side, L->side}, wd = {L->m, L->c, L->k, L->k}, dd = {n, L->m, o, o};
    dnnl_dims_t st = {L->s, L->s}, pad = {L->p, L->p};
    dnnl_memory_desc_t s_any, w_any, d_any, s_u, w_u, d_u;
    CHECK(dnnl_memory_desc_init_by_tag(&s_any, 4, sd, dnnl_f32, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&w_any, 4, wd, dnnl_f32, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&d_any, 4, dd, dnnl_f32, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&s_u, 4, sd, dnnl_f32, dnnl_nchw));
    CHECK(dnnl_memory_desc_init_by_tag(&w_u, 4, wd, dnnl_f32, dnnl_oihw));
    CHECK(dnnl_memory_desc_init_by_tag(&d_u, 4, dd, dnnl_f32, dnnl_nchw));
    dnnl_convolution_desc_t fd, cd;
    CHECK(dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_direct,
                                             &s_any, &w_any, NULL, &d_any, st, pad, pad));
    dnnl_primitive_desc_t fpd, pd;
    CHECK(dnnl_primitive_desc_create(&fpd, &fd, NULL, eng, NULL));
    if (dir == FWD) {
        pd = fpd;
    } else {
        if (dir == BWD_D)
            CHECK(dnnl_convolution_backward_data_desc_init(&cd, dnnl_convolution_direct, &s_any, &w_any, &d_any, st, pad, pad));
        else
            CHECK(dnnl_convolution_backward_weights_desc_init(&cd, dnnl_convolution_direct, &s_any, &w_any, NULL, &d_any, st, pad, pad));
        CHECK(dnnl_primitive_desc_create(&pd, &cd, NULL, eng, fpd));
    }
#define MD(q) dnnl_primitive_desc_query_md(pd, q, 0)
    if (dir == FWD) {
        j->op[0] = operand(&s_u, MD(dnnl_query_src_md), 0); j->arg[0] = DNNL_ARG_SRC;
        j->op[1] = operand(&w_u, MD(dnnl_query_weights_md), 0); j->arg[1] = DNNL_ARG_WEIGHTS;
        j->op[2] = operand(&d_u, MD(dnnl_query_dst_md), 1); j->arg[2] = DNNL_ARG_DST;
    } else if (dir == BWD_D) {
        j->op[0] = operand(&d_u, MD(dnnl_query_diff_dst_md), 0); j->arg[0] = DNNL_ARG_DIFF_DST;
        j->op[1] = operand(&w_u, MD(dnnl_query_weights_md), 0); j->arg[1] = DNNL_ARG_WEIGHTS;
        j->op[2] = operand(&s_u, MD(dnnl_query_diff_src_md), 1); j->arg[2] = DNNL_ARG_DIFF_SRC;
    } else {
        j->op[0] = operand(&s_u, MD(dnnl_query_src_md), 0); j->arg[0] = DNNL_ARG_SRC;
        j->op[1] = operand(&d_u, MD(dnnl_query_diff_dst_md), 0); j->arg[1] = DNNL_ARG_DIFF_DST;
        j->op[2] = operand(&w_u, MD(dnnl_query_diff_weights_md), 1); j->arg[2] = DNNL_ARG_DIFF_WEIGHTS;
    }
#undef MD
    CHECK(dnnl_primitive_create(&j->p, pd));
    CHECK(dnnl_stream_create(&j->st, eng, dnnl_stream_default_flags));
    if (pd != fpd) dnnl_primitive_desc_destroy(pd);
    dnnl_primitive_desc_destroy(fpd);
}


static void run_job(job_t *j, int with_reorders) {
    if (with_reorders) for (int i = 0; i < 3; i++) if (!j->op[i].to_user) run_reorder(&j->op[i], j->st);
    dnnl_exec_arg_t a[3];
    for (int i = 0; i < 3; i++) { a[i].arg = j->arg[i]; a[i].memory = j->op[i].prim; }
    CHECK(dnnl_primitive_execute(j->p, j->st, 3, a));
    if (with_reorders) for (int i = 0; i < 3; i++) if (j->op[i].to_user) run_reorder(&j->op[i], j->st);
    CHECK(dnnl_stream_wait(j->st));
}

static void free_job(job_t *j) {
    for (int i = 0; i < 3; i++) {
        if (j->op[i].reorder) { dnnl_primitive_destroy(j->op[i].reorder); dnnl_memory_destroy(j->op[i].prim); }
        dnnl_memory_destroy(j->op[i].user);
    }
    dnnl_primitive_destroy(j->p); dnnl_stream_destroy(j->st);
}

static const char *impl_of(job_t *j) {
    const_dnnl_primitive_desc_t pd; const char *s = "?";
    CHECK(dnnl_primitive_get_primitive_desc(j->p, &pd));
    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &s);
    return s;
}

/* One half of the split mode: a plain (non-OpenMP) thread, like a Dispatch worker, limited to 1 OpenMP thread. */
typedef struct { job_t *job; int with_reorders; } split_arg_t;
static void *split_worker(void *p) {
    split_arg_t *a = p;
    omp_set_num_threads(1);
    run_job(a->job, a->with_reorders);
    return NULL;
}

/* mode 0 = omp2, 1 = split, 2 = 1t; the best wall and process-CPU ms of `repeats`, both layouts
 * (out[layout][0] wall, out[layout][1] CPU). */
static void time_mode(const layer_t *L, int n, int dir, int mode, int repeats, double out[2][2], const char **impl) {
    job_t j[2]; int jobs = mode == 1 ? 2 : 1, nb = mode == 1 ? (n + 1) / 2 : n;
    for (int t = 0; t < jobs; t++) make_job(&j[t], L, nb, dir);
    *impl = impl_of(&j[0]);
    for (int lay = 0; lay < 2; lay++) {
        double best = 1e30, best_cpu = 1e30;
        for (int r = 0; r <= repeats; r++) {
            double t0 = clock_ms(CLOCK_MONOTONIC), c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
            if (mode == 1) {
                pthread_t th; split_arg_t a0 = {&j[0], lay}, a1 = {&j[1], lay};
                pthread_create(&th, NULL, split_worker, &a1);
                split_worker(&a0);
                pthread_join(th, NULL);
            } else {
                omp_set_num_threads(mode == 0 ? 2 : 1);
                run_job(&j[0], lay);
            }
            double t = clock_ms(CLOCK_MONOTONIC) - t0, c = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
            if (r > 0 && t < best) best = t; /* r == 0 is the warm-up */
            if (r > 0 && c < best_cpu) best_cpu = c;
        }
        out[lay][0] = best; out[lay][1] = best_cpu;
    }
    for (int t = 0; t < jobs; t++) free_job(&j[t]);
}

int main(int argc, char **argv) {
    const char *batches = argc > 1 ? argv[1] : "16,128";
    int repeats = argc > 2 ? atoi(argv[2]) : 5;
    const char *modes[] = {"omp2", "split", "1t"};
    const char *dirs[] = {"fwd", "bwd_d", "bwd_w"};
    const char *only_modes = getenv("MODES"); /* e.g. "omp2,split" */
    CHECK(dnnl_engine_create(&eng, dnnl_cpu, 0));
    const dnnl_version_t *v = dnnl_version();
    printf("oneDNN %d.%d.%d, ISA limit %s; ms, min of %d; per direction: blk wall, blk CPU | nchw wall, nchw CPU\n",
           v->major, v->minor, v->patch, getenv("ONEDNN_MAX_CPU_ISA") ? getenv("ONEDNN_MAX_CPU_ISA") : "(none)", repeats);
    char buf[64]; strncpy(buf, batches, sizeof buf - 1); buf[sizeof buf - 1] = 0;
    for (char *b = strtok(buf, ","); b; b = strtok(NULL, ",")) {
        int n = atoi(b);
        for (size_t l = 0; l < sizeof layers / sizeof *layers; l++) {
            for (int mode = 0; mode < 3; mode++) {
                if (only_modes && !strstr(only_modes, modes[mode])) continue;
                printf("b%-4d %-18s %-5s", n, layers[l].name, modes[mode]);
                const char *impl[3];
                for (int d = 0; d < 3; d++) {
                    double t[2][2];
                    time_mode(&layers[l], n, d, mode, repeats, t, &impl[d]);
                    printf("  %s %7.2f %7.2f | %7.2f %7.2f", dirs[d], t[0][0], t[0][1], t[1][0], t[1][1]);
                }
                printf("  [%s | %s | %s]\n", impl[0], impl[1], impl[2]);
                fflush(stdout);
            }
        }
    }
    return 0;
}

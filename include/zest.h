/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zest.h - the one public header of the zest data engine.
 *
 * A program loads a config (the YAML of a Data-Juicer pipeline), validates it, and runs it.
 * Everything a front end needs - status codes, error detail, the operator catalogue, run
 * summaries - is declared here; the CLI in src/cli uses nothing else.
 *
 * Conventions: functions return an int status (ZEST_OK = 0, a negative ZEST_E_* otherwise) and
 * fill a caller-provided zest_error (which may be NULL). Objects come in create/destroy pairs;
 * destroy functions accept NULL. Nothing here prints, exits or aborts.
 */
#ifndef ZEST_H
#define ZEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define ZEST_API __attribute__((visibility("default")))
#else
#define ZEST_API
#endif

#define ZEST_VERSION "0.1.0"

/* Status codes: XX(name, value, message). One table generates the enum, the names and the
 * messages. */
#define ZEST_STATUS_MAP(XX)                                                                    \
    XX(OK, 0, "ok")                                                                            \
    XX(E_NOMEM, -1, "out of memory")                                                           \
    XX(E_IO, -2, "input/output error")                                                         \
    XX(E_CONFIG, -3, "invalid configuration")                                                  \
    XX(E_PARAM, -4, "invalid parameter")                                                       \
    XX(E_FORMAT, -5, "malformed data")                                                         \
    XX(E_LIMIT, -6, "size limit exceeded")                                                     \
    XX(E_NOTFOUND, -7, "not found")                                                            \
    XX(E_UNSUPPORTED, -8, "unsupported")                                                       \
    XX(E_USAGE, -9, "invalid usage")                                                           \
    XX(E_BADRECORDS, -10, "malformed records under bad_record_policy: fail")                   \
    XX(E_INTERNAL, -11, "internal error")                                                     \
    XX(E_FAULT, -12, "injected fault (ZEST_FAULTS)")                                           \
    XX(E_CANCELLED, -13, "cancelled")                                                         \
    XX(E_PARTIAL, -14, "partial: partitions were skipped (enable_fault_tolerance)")

typedef enum {
#define ZEST_STATUS_ENUM(name, value, msg) ZEST_##name = value,
    ZEST_STATUS_MAP(ZEST_STATUS_ENUM)
#undef ZEST_STATUS_ENUM
} zest_status;

/** Returns the symbolic name of a status ("E_CONFIG"); never NULL. */
ZEST_API const char *zest_status_name(int status);
/** Returns a short human message for a status; never NULL. */
ZEST_API const char *zest_strerror(int status);

/** Error detail filled by a failing call. `msg` is always NUL-terminated and self-contained
 * (it already names the file, line/offset and op when they are known); the other fields let a
 * program act on the location. */
typedef struct zest_error {
    int code;          /* the zest_status returned */
    char msg[1024];    /* human message */
    char path[512];    /* file concerned, "" if none */
    int64_t line;      /* 1-based line in `path`, 0 if unknown */
    int64_t offset;    /* byte offset in `path`, -1 if unknown */
    char op[64];       /* operator concerned, "" if none */
} zest_error;

/** Clears an error record to "no error". */
ZEST_API void zest_error_clear(zest_error *err);

/* ---------------------------------------------------------------------------------------- */
/* Operator catalogue                                                                        */

typedef enum {
    ZEST_OP_MAPPER,
    ZEST_OP_FILTER,
    ZEST_OP_DEDUPLICATOR,
} zest_op_kind;

typedef enum {
    ZEST_PARAM_BOOL,
    ZEST_PARAM_INT,
    ZEST_PARAM_DOUBLE,
    ZEST_PARAM_STRING,
    ZEST_PARAM_STRING_LIST, /* a YAML list of strings; a single string is taken as a list of one */
} zest_param_type;

/** One operator parameter. `default_value` is YAML text parsed by the same rules as a config
 * value; numeric bounds are inclusive, `has_min`/`has_max` say whether they apply. */
typedef struct zest_param_desc {
    const char *name;
    zest_param_type type;
    const char *default_value;
    int has_min, has_max;
    double min, max;
    const char *choices; /* "a|b|c" for enumerations, NULL otherwise */
    const char *help;
} zest_param_desc;

/** The public face of an operator: what `zest ops` prints. */
typedef struct zest_op_info {
    const char *name;
    zest_op_kind kind;
    const char *summary;
    const zest_param_desc *params;
    size_t n_params;
} zest_op_info;

/** Number of built-in operators. */
ZEST_API size_t zest_op_count(void);
/** The i-th operator in name order, or NULL when i is out of range. */
ZEST_API const zest_op_info *zest_op_at(size_t i);
/** The operator called `name`, or NULL. */
ZEST_API const zest_op_info *zest_op_find(const char *name);
/** Number of Data-Juicer operators zest knows but cannot run (they need a model it lacks). */
ZEST_API size_t zest_op_unavailable_count(void);
/** The i-th unavailable operator's name (NULL when out of range), its kind and why it cannot
 *  run; a config that names it fails validation with that reason. */
ZEST_API const char *zest_op_unavailable_at(size_t i, zest_op_kind *kind, const char **reason);
/** "mapper", "filter" or "deduplicator". */
ZEST_API const char *zest_op_kind_name(zest_op_kind kind);
/** "bool", "int", "float", "string" or "list[string]". */
ZEST_API const char *zest_param_type_name(zest_param_type type);

/* ---------------------------------------------------------------------------------------- */
/* Configuration                                                                             */

typedef struct zest_config zest_config;

/** Loads and validates a YAML config. `overrides` are "key.sub=value" strings applied after
 * the file (as `--set` does). On success *out owns a config; destroy it with
 * zest_config_destroy. Unknown keys do not fail the load: they become warnings. */
ZEST_API int zest_config_load(const char *path, const char *const *overrides, size_t n_overrides,
                              zest_config **out, zest_error *err);
ZEST_API void zest_config_destroy(zest_config *cfg);
/** Warnings collected while loading (unknown keys with suggestions, mapped Ray keys). */
ZEST_API size_t zest_config_warning_count(const zest_config *cfg);
ZEST_API const char *zest_config_warning(const zest_config *cfg, size_t i);
/** Renders the effective config (every key, defaults filled in) as YAML into a malloc'd string
 * the caller frees. */
ZEST_API int zest_config_dump(const zest_config *cfg, char **out, zest_error *err);

/* ---------------------------------------------------------------------------------------- */
/* Running a pipeline                                                                        */

/** Per-operator figures of one run. */
typedef struct zest_op_summary {
    char name[64];
    int64_t rows_in;
    int64_t rows_out;
    double seconds;
} zest_op_summary;

/** One malformed input record, as reported. */
typedef struct zest_bad_record {
    char path[512];
    int64_t line;    /* 1-based line number */
    int64_t offset;  /* byte offset of the line's start in the (decompressed) stream */
    char reason[256];
} zest_bad_record;

/** What a finished run reports. The first `bad_records_kept` malformed records are listed in
 * `bad` (at most ZEST_BAD_RECORDS_KEPT); `bad_records` counts them all. */
#define ZEST_BAD_RECORDS_KEPT 100
/** A partition left out of the export after its last attempt failed. */
typedef struct zest_skipped_partition {
    int64_t partition;
    int attempts;
    char error[1024];
} zest_skipped_partition;

typedef struct zest_run_summary {
    int64_t rows_read;
    int64_t rows_written;
    int64_t bytes_read;    /* input bytes after decompression */
    int64_t bytes_written; /* output bytes before compression */
    int64_t bad_records;
    double seconds;
    size_t n_ops;
    zest_op_summary *ops;
    size_t bad_records_kept;
    zest_bad_record *bad;
    char export_path[1024];
    char job_id[128];
    char job_dir[1024]; /* the work dir of this job: events/, checkpoints/, job.json */
    size_t n_skipped;   /* partitions skipped under enable_fault_tolerance (ZEST_E_PARTIAL) */
    zest_skipped_partition *skipped;
    int64_t partitions;         /* in the plan */
    int64_t partitions_reused;  /* complete in an earlier run of the job (resume) */
    int resumed;                /* 1 when this run continued an earlier one */
    int already_complete;       /* 1 when the job was complete: nothing was run */
    int rank;                   /* this process's MPI rank (0 when not under an MPI launcher) */
    int quiet;                  /* 1: rank 0 reports this run (and its error): print nothing */
    size_t export_files;        /* files written: 1, or the shards (export_shard_size) */
} zest_run_summary;

/** Called for each malformed record as it is met (from the thread that met it). */
typedef void (*zest_bad_record_fn)(const zest_bad_record *bad, void *user);

/** A run's progress, as the on_progress callback sees it. Partition counts: `done` finished
 * with their output (reused ones included), `skipped` left out after their retries
 * (enable_fault_tolerance), `failed` failed for good, `running` being worked on now.
 * Live row and byte counts include work a retry repeats; the final call carries the run's
 * exact totals. Rates are over the whole run so far. */
typedef struct zest_progress {
    int64_t partitions_total, partitions_done, partitions_running, partitions_skipped,
        partitions_failed;
    int64_t partitions_reused; /* complete in an earlier run (resume) */
    int64_t retries;           /* retry attempts so far */
    int64_t rows_read, rows_written, bytes_read, bytes_written;
    double elapsed_s, rows_per_s, mb_per_s; /* rates over the whole run so far */
    double eta_s; /* seconds left, estimated from input bytes (or partitions) done; -1 unknown */
    int final;    /* 1 for the last call, after the export is committed or the run failed */
} zest_progress;

/** Called every progress_interval_s from one thread of the run, then once with final = 1
 * when zest_run is about to return (also after a failure). Calls never overlap. */
typedef void (*zest_progress_fn)(const zest_progress *p, void *user);

typedef struct zest_run_options {
    zest_bad_record_fn on_bad_record; /* may be NULL */
    void *user;                       /* passed to on_bad_record and on_progress */
    /* Continue the most recently started job of this config (same work dir and export_path)
     * when the config names no job_id; a job_id naming an existing job is always continued. */
    int resume;
    zest_progress_fn on_progress; /* may be NULL */
    double progress_interval_s;   /* 0: 0.5 s */
    /* Called once, from the calling thread, when the job's directory and event log exist and
     * before any partition runs (e.g. to start a zest_server on it). May be NULL. It must
     * return promptly: the run waits for it. */
    void (*on_start)(const char *job_dir, void *user);
} zest_run_options;

/** Runs the config's pipeline over the whole dataset and writes export_path atomically.
 * `opts` may be NULL. On return *out (if not NULL) holds a summary to free with
 * zest_run_summary_destroy, also when the run failed part-way. Returns ZEST_E_BADRECORDS when
 * bad_record_policy is `fail` and a malformed record was met, and ZEST_E_PARTIAL when
 * enable_fault_tolerance skipped partitions (the export holds the others; the summary names
 * the skipped ones). */
ZEST_API int zest_run(const zest_config *cfg, const zest_run_options *opts,
                      zest_run_summary **out, zest_error *err);
ZEST_API void zest_run_summary_destroy(zest_run_summary *summary);

/* ---------------------------------------------------------------------------------------- */
/* Events                                                                                    */

/** One event read back from a job's log. Strings are owned by the library and valid only
 * during the callback (or until the next zest_monitor_next). Unset fields: partition_id,
 * operation_idx, attempt, worker, rank -1; duration NAN; strings NULL. `json` is the whole line. */
typedef struct zest_event {
    int64_t event_id;
    const char *event_type; /* lower case, e.g. "operation_complete" */
    const char *level;      /* "DEBUG", "INFO", "WARNING", "ERROR" */
    double timestamp;       /* epoch seconds */
    const char *message;
    int64_t partition_id;
    const char *operation_name;
    int operation_idx;
    int attempt;
    int worker;
    double duration;
    const char *error_message;
    const char *stack_trace;
    const char *metadata;            /* JSON object text or NULL */
    const char *resource_usage;      /* JSON object text or NULL */
    const char *performance_metrics; /* JSON object text or NULL */
    const char *job_id;
    const char *host;
    int rank;               /* the MPI rank that wrote it (0 for a local run), -1 if absent */
    int64_t pid;
    const char *json;
} zest_event;

/** What to select. Zero-initialise, then set what matters: `types` is a comma-separated list
 * of type names in upper or lower case (NULL: all); partition_id -1 for any (set it: 0 is a
 * real partition); `op` an operation name; `since`/`until` epoch seconds (0: open);
 * `min_level` "DEBUG".."ERROR" (NULL: all); `limit` the most recent N matches (0: all). */
typedef struct zest_event_filter {
    const char *types;
    int64_t partition_id;
    const char *op;
    double since, until;
    const char *min_level;
    size_t limit;
} zest_event_filter;

/** Called once per matching event; return non-zero to stop early. */
typedef int (*zest_event_fn)(const zest_event *ev, void *user);

/** Reads the events of the job whose directory is `job_dir` (it holds events/), rotated
 * files included, oldest first, each event once. A torn or malformed line is skipped and
 * counted in *skipped (may be NULL). */
ZEST_API int zest_get_events(const char *job_dir, const zest_event_filter *filter,
                             zest_event_fn fn, void *user, size_t *skipped, zest_error *err);

/** A live subscription to a job's events, also across rotations: the events already in the
 * log first (from the newest `backlog` ones; SIZE_MAX for all), then new ones as they are
 * written. Usable from another thread or another process. */
typedef struct zest_event_monitor zest_event_monitor;
ZEST_API int zest_monitor_events(const char *job_dir, const zest_event_filter *filter,
                                 size_t backlog, zest_event_monitor **out, zest_error *err);
/** Waits up to timeout_s for the next matching event: 1 and *ev set (valid until the next
 * call), 0 on timeout, negative on error. */
ZEST_API int zest_monitor_next(zest_event_monitor *mon, double timeout_s, zest_event *ev,
                               zest_error *err);
ZEST_API void zest_monitor_close(zest_event_monitor *mon);
/** Lines skipped so far as torn (cut off for good by a rotation) or malformed; 0 for NULL.
 * A negative timeout_s makes zest_monitor_next wait until an event arrives. */
ZEST_API size_t zest_monitor_skipped(const zest_event_monitor *mon);

/* ---------------------------------------------------------------------------------------- */
/* Status and performance report                                                            */

/** One partition in a status report. `state`: pending, running, done, retrying (an attempt
 * failed, another follows), failed, skipped. */
typedef struct zest_partition_status {
    int64_t id;
    char state[12];
    int attempts;
    int worker;      /* of its latest attempt; -1 before the first */
    int reused;      /* 1 when complete in an earlier run of the job */
    int64_t rows_in, rows_out;
    double seconds;  /* wall time of its latest finished attempt */
    char error[512]; /* the latest attempt's error, when it failed */
} zest_partition_status;

/** Where a job stands, from its event log (also while it runs). `state`: running, complete,
 * partial (partitions skipped), failed, interrupted (its last run never ended and no process
 * runs it). Rates and ETA are -1 when unknown. */
typedef struct zest_status_report {
    char job_id[128];
    char job_dir[1024];
    char state[16];
    double started;   /* epoch seconds of the first run's start */
    double updated;   /* epoch seconds of the latest event */
    double elapsed_s; /* of the runs, summed */
    int runs;
    int64_t partitions; /* in the plan */
    int64_t done, running, pending, retrying, failed, skipped, reused;
    int64_t retries;
    int64_t checkpoints, checkpoint_bytes; /* files held in checkpoints/ and their size */
    int64_t rows_in, rows_out, bytes_in, bytes_out; /* of the partitions done so far */
    double rows_per_s, mb_per_s, eta_s;
    char error[1024]; /* the last run's error, when it failed */
    size_t n_partitions;
    zest_partition_status *partition; /* by id */
} zest_status_report;

/** Builds the status of the job in `job_dir` (the directory holding its events/). */
ZEST_API int zest_generate_status_report(const char *job_dir, zest_status_report **out,
                                         zest_error *err);
ZEST_API void zest_status_report_destroy(zest_status_report *r);
/** The report as one JSON object (schema: docs/report.md); *out is malloc'd, NUL-terminated. */
ZEST_API int zest_status_report_json(const zest_status_report *r, char **out, zest_error *err);

#define ZEST_SLOWEST_KEPT 3

/** A partition and its time, in an op's list of slowest partitions. */
typedef struct zest_slow_partition {
    int64_t partition;
    double seconds;
} zest_slow_partition;

/** One operator over the whole job. MB are 10^6 bytes. */
typedef struct zest_op_perf {
    char name[64];
    int index;        /* position in `process` */
    int64_t runs;     /* partitions it completed on */
    double total_s, mean_s;
    double share;     /* of the job's op time */
    int64_t rows_in, rows_out, bytes_in, bytes_out;
    double selectivity, rows_per_s, mb_per_s;
    size_t n_slowest;
    zest_slow_partition slowest[ZEST_SLOWEST_KEPT];
} zest_op_perf;

/** One partition: its latest attempt's wall and CPU time and place. */
typedef struct zest_partition_perf {
    int64_t id;
    char state[12];
    int worker, attempts, retries;
    double start_s;         /* since the job's start */
    double wall_s, cpu_s;   /* of the latest attempt */
    double op_s, checkpoint_s; /* over all its attempts */
    int64_t rows_in, rows_out, bytes_in;
    int straggler;          /* wall_s > 2 x the median of the done partitions */
} zest_partition_perf;

/** One worker thread: its busy and CPU share of the runs' wall time. */
typedef struct zest_worker_perf {
    int worker;
    int64_t attempts;
    double busy_s, cpu_s, busy_share, cpu_share;
} zest_worker_perf;

/** One MPI rank of a distributed job (a local job is rank 0 alone): its worker threads, the
 * work they did, and the share of their time (workers x the runs' wall time) they were
 * idle. `host` is where the rank ran. */
typedef struct zest_rank_perf {
    int rank;
    int workers;
    int64_t partitions, rows_in, rows_out;
    double busy_s, idle_share;
    char host[64];
} zest_rank_perf;

/** A bar of the timeline: one attempt at a partition (op -1), or one op within it. */
typedef struct zest_span {
    int64_t partition;
    int worker, attempt, op;
    double t0, t1; /* seconds since the job's start */
    int failed, skipped;
} zest_span;

typedef struct zest_throughput_point {
    double t; /* seconds since the job's start */
    double rows_per_s, mb_per_s;
} zest_throughput_point;

/** A conclusion with its numbers and the config key that changes it. `kind`: dominant_op,
 * stragglers, load_imbalance, io_bound, cpu_bound, checkpoint_overhead, partitions_too_small,
 * partitions_too_large, retries. */
typedef struct zest_finding {
    char kind[32];
    char config_key[64];
    double value, threshold; /* the figure and the limit it crossed */
    char message[768];
} zest_finding;

/** A global operator's barrier (a deduplicator, docs/dedup.md): its phases over the job.
 * signature_s is the op's own time summed over the partitions of the signature pass. */
typedef struct zest_barrier_perf {
    char op[64];
    int op_index;
    double signature_s, combine_s, finalize_s;
    int64_t rows_in, rows_kept; /* what the finalize phase decided on; -1: not reached */
} zest_barrier_perf;

/** The performance summary of a job (finished or running). */
typedef struct zest_perf_summary {
    char job_id[128];
    char state[16];
    char op_filter[64]; /* the op asked for, or "" */
    double started, wall_s;
    int workers;
    int64_t partitions, rows_in, rows_out, bytes_in, bytes_out;
    double op_s, checkpoint_s, other_s; /* of the partition attempts: ops, checkpoint writes,
                                           and the rest (reading, parsing, writing lines) */
    double cpu_s, median_partition_s;
    double peak_rss_mb, mean_rss_mb, cpu_user_s, cpu_sys_s, cpu_utilisation;
    int64_t bytes_read, bytes_written, retries, skipped;
    size_t n_ops;
    zest_op_perf *ops;
    size_t n_partitions;
    zest_partition_perf *partition;
    size_t n_workers;
    zest_worker_perf *worker;
    size_t n_ranks;
    zest_rank_perf *ranks;
    size_t n_spans;
    zest_span *spans;
    size_t n_points;
    zest_throughput_point *points;
    size_t n_findings;
    zest_finding *findings;
    size_t n_barriers; /* one per deduplicator that reached its barrier, in op order */
    zest_barrier_perf *barriers;
} zest_perf_summary;

/** The performance summary of the job in `job_dir`; `op_name` (or NULL) keeps only that op
 * in ops[] (ZEST_E_NOTFOUND naming the ops when the job has no such op). */
ZEST_API int zest_get_performance_summary(const char *job_dir, const char *op_name,
                                          zest_perf_summary **out, zest_error *err);
ZEST_API void zest_perf_summary_destroy(zest_perf_summary *s);
/** JSON (schema: docs/report.md) and self-contained HTML renderings; *out is malloc'd. */
ZEST_API int zest_perf_summary_json(const zest_perf_summary *s, char **out, zest_error *err);
ZEST_API int zest_perf_summary_html(const zest_perf_summary *s, char **out, zest_error *err);
/** Writes the HTML rendering to `path` atomically (a temporary file, fsync, rename, fsync of
 * the directory): a reader never sees half a report. ZEST_E_IO names the path. */
ZEST_API int zest_perf_summary_write_html(const zest_perf_summary *s, const char *path,
                                          zest_error *err);

/* ---------------------------------------------------------------------------------------- */
/* Monitoring server                                                                         */

/** A read-only HTTP server over one job directory, or a work directory holding jobs: the
 * dashboard page, the JSON API, the SSE event stream and Prometheus metrics (docs/dashboard.md).
 * It runs on threads of its own; the job it watches never waits on it. */
typedef struct zest_server zest_server;

typedef struct zest_server_options {
    const char *bind;          /* IPv4 or IPv6 address; NULL: 127.0.0.1 */
    int port;                  /* 0: a free port chosen by the system (zest_server_port) */
    /* Required on every request as `Authorization: Bearer TOKEN` or `?token=TOKEN` when set.
     * NULL on a non-loopback address: a random one is generated (zest_server_token). */
    const char *token;
    unsigned max_connections;  /* 0: 64 */
} zest_server_options;

/** Starts serving `dir` (a job directory holding events/, or a work directory holding job
 * directories). ZEST_E_IO names the address when it cannot listen; ZEST_E_PARAM for a bad
 * address or token. On success *out owns the running server. */
ZEST_API int zest_server_start(const char *dir, const zest_server_options *opts,
                               zest_server **out, zest_error *err);
/** The port listened on. */
ZEST_API int zest_server_port(const zest_server *srv);
/** The token every request must carry, or "" when none is required. */
ZEST_API const char *zest_server_token(const zest_server *srv);
/** Stops listening, ends open streams and frees the server; accepts NULL. */
ZEST_API void zest_server_stop(zest_server *srv);

/* ---------------------------------------------------------------------------------------- */
/* fastText models                                                                           */

/** A fastText supervised model (.bin, or quantized .ftz), loaded and checked whole; read-only
 * once loaded, so one model serves every thread. */
typedef struct zest_fasttext zest_fasttext;

/** One predicted label: its name as in the model (with the "__label__" prefix; owned by the
 * model) and its probability as fastText reports it. */
typedef struct zest_prediction {
    const char *label;
    float prob;
} zest_prediction;

ZEST_API int zest_fasttext_load(const char *path, zest_fasttext **out, zest_error *err);
ZEST_API void zest_fasttext_free(zest_fasttext *model);

/** Working memory for predictions, one per thread: it keeps what repeats from line to line
 * (the n-gram rows of recent words), so reusing it makes predictions faster. */
typedef struct zest_fasttext_scratch zest_fasttext_scratch;
ZEST_API zest_fasttext_scratch *zest_fasttext_scratch_new(void);
ZEST_API void zest_fasttext_scratch_free(zest_fasttext_scratch *scratch);

/** The k best labels of one line of text (it ends at the first newline) with probability >=
 * threshold, best first, into out[0..k): how many, or a negative status. As fastText's
 * `predict-prob`. `scratch` may be NULL (then one is made for the call). */
ZEST_API int zest_fasttext_predict(const zest_fasttext *model, const char *text, size_t len,
                                   int k, float threshold, zest_prediction *out,
                                   zest_fasttext_scratch *scratch, zest_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ZEST_H */

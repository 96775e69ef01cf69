/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.h - the typed configuration: every key of the spec's Basic and Advanced blocks and of
 * Data-Juicer's newer nested forms, with defaults, loaded from YAML (libyaml) through a key
 * table (config_keys.c) that also drives validation, "did you mean" and `zest config` output.
 * Keys zest does not act on yet are parsed, validated and stored here all the same.
 * Depends on common/ and ops/ (to bind each op's parameters against its schema).
 */
#ifndef ZEST_CONFIG_H
#define ZEST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zest.h"
#include "../common/node.h"
#include "../ops/op.h"

enum cfg_executor { CFG_EXEC_DEFAULT, CFG_EXEC_RAY, CFG_EXEC_RAY_PARTITIONED, CFG_EXEC_LOCAL };
enum cfg_format { CFG_FMT_PARQUET, CFG_FMT_ARROW, CFG_FMT_JSONL };
enum cfg_compression { CFG_COMP_SNAPPY, CFG_COMP_GZIP, CFG_COMP_ZSTD, CFG_COMP_NONE };
enum cfg_partition_mode { CFG_PART_AUTO, CFG_PART_MANUAL };
enum cfg_ckpt_strategy { CFG_CKPT_EVERY_OP, CFG_CKPT_EVERY_N_OPS, CFG_CKPT_MANUAL, CFG_CKPT_DISABLED };
enum cfg_bad_policy { CFG_BAD_SKIP, CFG_BAD_FAIL };
enum cfg_log_level { CFG_LOG_DEBUG, CFG_LOG_INFO, CFG_LOG_WARNING, CFG_LOG_ERROR };
enum cfg_retention { CFG_RETAIN_KEEP_ALL, CFG_RETAIN_KEEP_FAILED_ONLY, CFG_RETAIN_CLEANUP_ALL };

/* One pipeline step: the op and its bound parameters. */
struct cfg_op {
    const struct op_desc *desc;
    struct op_params params;
    int line; /* where it appears in the config file */
};

/* A monitoring.alerts rule (config_alert.c parses it). */
enum cfg_alert_kind {
    CFG_ALERT_PARTITION_SKIPPED, /* partition_skipped: each partition skipped */
    CFG_ALERT_ERROR_RATE,        /* error_rate > X: failed attempts / finished attempts */
    CFG_ALERT_NO_PROGRESS,       /* no_progress_s > N: no partition or row done for N s */
    CFG_ALERT_RSS_MB,            /* rss_mb > Y: resident memory of the process */
};
#define CFG_ALERTS_MAX 16
struct cfg_alert {
    enum cfg_alert_kind kind;
    double threshold;
    char rule[64]; /* as written, spaces removed: "rss_mb>4096" */
};

/* Parses one rule ("partition_skipped", "error_rate > 0.05", "no_progress_s > 60",
 * "rss_mb > 4096"). 0, or -1 with `why` (a static string) set. */
int config_alert_parse(const char *text, struct cfg_alert *out, const char **why);

struct zest_config {
    char *path;         /* the config file */
    char *project_name;
    char *dataset_path; /* file, directory or glob */
    char *export_path;
    char *work_dir;     /* with {job_id} / {work_dir} resolved at run time */
    char *job_id;       /* NULL: generated */
    enum cfg_executor executor_type;
    char *ray_address;  /* accepted for compatibility; Ray is not used */
    int64_t np;         /* workers; 0 = number of cores */

    /* Data */
    char **text_keys;   /* default ["text"]; only the first is processed, as Data-Juicer */
    size_t n_text_keys;
    bool keep_stats_in_res_ds;
    bool keep_hashes_in_res_ds;
    int64_t export_shard_size;
    char *export_type;  /* NULL: from export_path's extension */
    enum cfg_bad_policy bad_record_policy;
    int64_t max_line_bytes; /* from max_line_size_mb, default 256 MB */
    char **suffixes;
    size_t n_suffixes;

    /* Partitioning (flat Basic keys and the nested partition: block) */
    int64_t partition_size;        /* samples per partition */
    int64_t max_partition_size_mb;
    enum cfg_partition_mode partition_mode;
    int64_t num_of_partitions;
    int64_t partition_target_size_mb;
    int64_t max_concurrent_partitions; /* 0 = auto */
    /* Which partitioning keys the config gave (any spelling), to pick the strategy:
     * partition_size -> sample-based, max_partition_size_mb -> size-based, neither (or an
     * explicit partition.mode: auto) -> adaptive. */
    bool partition_size_given, max_partition_size_given, partition_mode_given;
    bool enable_fault_tolerance;
    enum cfg_format storage_format;
    bool preserve_intermediate_data;

    /* Event logging */
    bool event_logging_enabled;
    enum cfg_log_level log_level;
    double max_log_size_mb; /* fractions allowed: 0.5 */
    int64_t backup_count;
    double flush_interval_s;     /* event_logging.flush_interval_s */
    double resource_interval_s;  /* event_logging.resource_interval_s */
    int64_t event_ring_size;     /* event_logging.ring_size */
    char *event_log_dir;

    /* Checkpointing (Advanced checkpointing: and Data-Juicer's checkpoint:) */
    bool checkpoint_enabled;
    enum cfg_format checkpoint_format;
    enum cfg_compression checkpoint_compression;
    int64_t max_checkpoints_per_partition;
    bool cleanup_old_checkpoints;
    enum cfg_ckpt_strategy checkpoint_strategy;
    int64_t checkpoint_n_ops;
    char **checkpoint_op_names;
    size_t n_checkpoint_op_names;
    char *checkpoint_dir;
    char *partition_dir;

    /* Performance */
    bool use_arrow_batches;
    int64_t arrow_batch_size;
    bool memory_mapping;

    /* Recovery */
    bool recovery_enabled;
    int64_t recovery_max_retries;
    double retry_delay_seconds;
    bool use_checkpoints_for_recovery;
    bool restart_from_beginning_if_no_checkpoint;

    /* Remote inputs (remote:, zest only): an http(s) dataset_path */
    int64_t remote_max_retries;
    double remote_connect_timeout_s;
    double remote_stall_timeout_s;
    double remote_backoff_initial_s;
    double remote_backoff_max_s;
    double remote_progress_interval_s;

    /* Intermediate storage (Data-Juicer's intermediate_storage:) */
    enum cfg_compression intermediate_compression; /* intermediate_storage.compression */
    enum cfg_retention retention_policy;
    int64_t max_retention_days;
    bool cleanup_temp_files;
    bool cleanup_on_success;
    bool write_partitions;

    /* Monitoring (zest): alert rules and the command run on each alert */
    char **alert_texts; /* monitoring.alerts as written */
    size_t n_alert_texts;
    struct cfg_alert alerts[CFG_ALERTS_MAX];
    size_t n_alerts;
    char *alert_command; /* monitoring.alert_command */

    bool skip_op_error;
    bool use_dag;
    bool op_fusion;

    /* Pipeline */
    struct cfg_op *ops;
    size_t n_ops;

    /* Warnings gathered while loading */
    char **warnings;
    size_t n_warnings;
};

#endif

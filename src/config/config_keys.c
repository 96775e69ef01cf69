/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_keys.c - the key table: every config key zest accepts, with its type, default, bounds,
 * field in struct zest_config, help text and the key it is another spelling of. Loading,
 * validation, "did you mean", `--set`, the dump and docs/config.md all follow this one table.
 * Keys of a section ("partition.mode") are kept together so the dump can nest them.
 * Depends on config.h only.
 */
#include <stddef.h>
#include <string.h>

#include "config_internal.h"

#define FIELD(f) .offset = offsetof(struct zest_config, f)
#define LIST_FIELD(f) FIELD(f), .count_offset = offsetof(struct zest_config, n_##f)
#define MIN(v) .has_min = true, .min = (v)
#define RANGE(lo, hi) .has_min = true, .min = (lo), .has_max = true, .max = (hi)
#define IGNORED(name, what)                                                                    \
    {.path = name, .type = CONFIG_IGNORED, .help = "Data-Juicer: " what "; accepted, ignored"}

/* Enum fields are written through an int; the compiler must lay them out as one. */
_Static_assert(sizeof(enum cfg_format) == sizeof(int), "enum layout");
_Static_assert(sizeof(enum cfg_ckpt_strategy) == sizeof(int), "enum layout");

static const char config_ray_warning[] =
    "executor_type '%s' runs on zest's executor: worker threads, and MPI ranks under mpirun "
    "or srun (Ray is not used)";

static const struct config_choice config_executors[] = {
    {.name = "default", .value = CFG_EXEC_DEFAULT},
    {.name = "local", .value = CFG_EXEC_LOCAL},
    {.name = "ray", .value = CFG_EXEC_RAY, .warn = config_ray_warning},
    {.name = "ray_partitioned", .value = CFG_EXEC_RAY_PARTITIONED, .warn = config_ray_warning},
    {0},
};

static const struct config_choice config_formats[] = {
    {.name = "parquet", .value = CFG_FMT_PARQUET},
    {.name = "arrow", .value = CFG_FMT_ARROW},
    {.name = "jsonl", .value = CFG_FMT_JSONL},
    {0},
};

static const struct config_choice config_compressions[] = {
    {.name = "snappy", .value = CFG_COMP_SNAPPY},
    {.name = "gzip", .value = CFG_COMP_GZIP},
    {.name = "zstd", .value = CFG_COMP_ZSTD},
    {.name = "none", .value = CFG_COMP_NONE},
    {0},
};

static const struct config_choice config_partition_modes[] = {
    {.name = "auto", .value = CFG_PART_AUTO},
    {.name = "manual", .value = CFG_PART_MANUAL},
    {0},
};

/* Data-Juicer lists every_partition as a choice but its CheckpointStrategy enum lacks it, so
 * the executor warns and falls back to every_op; zest does the same, visibly. */
static const struct config_choice config_strategies[] = {
    {.name = "every_op", .value = CFG_CKPT_EVERY_OP},
    {.name = "every_n_ops", .value = CFG_CKPT_EVERY_N_OPS},
    {.name = "manual", .value = CFG_CKPT_MANUAL},
    {.name = "disabled", .value = CFG_CKPT_DISABLED},
    {.name = "every_partition",
     .value = CFG_CKPT_EVERY_OP,
     .warn = "checkpoint.strategy '%s' is not supported (nor by Data-Juicer's executor); "
             "using 'every_op'"},
    {0},
};

static const struct config_choice config_bad_policies[] = {
    {.name = "skip", .value = CFG_BAD_SKIP},
    {.name = "fail", .value = CFG_BAD_FAIL},
    {0},
};

static const struct config_choice config_log_levels[] = {
    {.name = "DEBUG", .value = CFG_LOG_DEBUG},
    {.name = "INFO", .value = CFG_LOG_INFO},
    {.name = "WARNING", .value = CFG_LOG_WARNING},
    {.name = "ERROR", .value = CFG_LOG_ERROR},
    {0},
};

static const struct config_choice config_retentions[] = {
    {.name = "keep_all", .value = CFG_RETAIN_KEEP_ALL},
    {.name = "keep_failed_only", .value = CFG_RETAIN_KEEP_FAILED_ONLY},
    {.name = "cleanup_all", .value = CFG_RETAIN_CLEANUP_ALL},
    {0},
};

const struct config_key config_keys[] = {
    /* ---- job ---- */
    {.path = "project_name", .type = CONFIG_STRING, FIELD(project_name),
     .help = "Name of the project, recorded with the run."},
    {.path = "dataset_path", .type = CONFIG_STRING, FIELD(dataset_path), .required = true,
     .status = CONFIG_USED,
     .help = "Input: a file, directory, glob, or an http(s) URL (downloaded into the job's "
             "inputs/ directory, docs/remote.md). Relative paths are relative to the working "
             "directory, as in Data-Juicer; `{work_dir}`/`{job_id}` are resolved at run time."},
    {.path = "export_path", .type = CONFIG_STRING, FIELD(export_path), .required = true,
     .status = CONFIG_USED,
     .help = "Output file; its extension chooses the format unless export_type is set. "
             "Relative to the working directory; may use `{work_dir}` and `{job_id}`."},
    {.path = "work_dir", .type = CONFIG_STRING, FIELD(work_dir), .status = CONFIG_USED,
     .help = "Job directory root (null: the directory of export_path, as Data-Juicer). "
             "`{job_id}`, if present, must be the last path component."},
    {.path = "job_id", .type = CONFIG_STRING, FIELD(job_id), .status = CONFIG_USED,
     .help = "Job identifier (null: generated as YYYYMMDD_HHMMSS_xxxxxx)."},
    {.path = "executor_type", .type = CONFIG_ENUM, .def = "default", FIELD(executor_type),
     .choices = config_executors,
     .help = "Executor. `ray` and `ray_partitioned` are accepted and run on zest's local "
             "(threads/MPI) executor, with a warning."},
    {.path = "ray_address", .type = CONFIG_STRING, .def = "auto", FIELD(ray_address),
     .help = "Ray cluster address; accepted for compatibility, Ray is not used (warning when "
             "given)."},
    {.path = "np", .type = CONFIG_INT, .def = "0", MIN(0), FIELD(np), .status = CONFIG_USED,
     .help = "Worker threads; 0 = number of cores (Data-Juicer's default is 4)."},

    /* ---- data ---- */
    {.path = "text_keys", .type = CONFIG_LIST, .def = "text", LIST_FIELD(text_keys),
     .status = CONFIG_USED,
     .help = "Text field(s), a string or a list; only the first is processed, as Data-Juicer."},
    {.path = "keep_stats_in_res_ds", .type = CONFIG_BOOL, .def = "false",
     FIELD(keep_stats_in_res_ds), .status = CONFIG_USED,
     .help = "Keep the `__dj__stats__` column in the export."},
    {.path = "keep_hashes_in_res_ds", .type = CONFIG_BOOL, .def = "false",
     FIELD(keep_hashes_in_res_ds), .help = "Keep deduplicators' hash columns in the export."},
    {.path = "export_shard_size", .type = CONFIG_INT, .def = "0", MIN(0),
     FIELD(export_shard_size), .status = CONFIG_USED,
     .help = "Uncompressed bytes per export shard, cut at line ends; 0 = one file. Shards are "
             "`<base>-<i>-of-<n>.<suffix>` beside export_path."},
    {.path = "export_type", .type = CONFIG_STRING, FIELD(export_type),
     .help = "Export format (jsonl, json, parquet); null = from export_path's extension."},
    {.path = "suffixes", .type = CONFIG_LIST, LIST_FIELD(suffixes), .status = CONFIG_PLANNED,
     .help = "When dataset_path is a directory: file suffixes to read (empty = all)."},
    {.path = "bad_record_policy", .type = CONFIG_ENUM, .def = "skip", FIELD(bad_record_policy),
     .choices = config_bad_policies, .status = CONFIG_USED,
     .help = "zest only. Malformed input records are skipped and counted, or fail the run."},
    {.path = "max_line_size_mb", .type = CONFIG_INT, .def = "256", RANGE(1, 1048576),
     .scale = 1 << 20, FIELD(max_line_bytes), .status = CONFIG_USED,
     .help = "zest only. Longest input line accepted, in MB (stored as bytes); a longer line "
             "is a bad record."},

    /* ---- execution ---- */
    {.path = "skip_op_error", .type = CONFIG_BOOL, .def = "true", FIELD(skip_op_error),
     .help = "Skip samples on which an op raises instead of failing."},
    {.path = "use_dag", .type = CONFIG_BOOL, .def = "false", FIELD(use_dag),
     .help = "Data-Juicer's DAG monitoring; accepted, stored."},
    {.path = "op_fusion", .type = CONFIG_BOOL, .def = "false", FIELD(op_fusion),
     .help = "Fuse ops that share intermediate variables."},

    /* ---- partitioning, flat (spec Basic) ---- */
    {.path = "partition_size", .type = CONFIG_INT, .def = "10000", MIN(1),
     FIELD(partition_size), .status = CONFIG_USED, .help = "Samples per partition."},
    {.path = "max_partition_size_mb", .type = CONFIG_INT, .def = "128", MIN(1),
     FIELD(max_partition_size_mb), .status = CONFIG_USED, .help = "Upper bound of a partition in MB."},
    {.path = "num_partitions", .type = CONFIG_INT, .alias_of = "partition.num_of_partitions",
     .help = "Legacy: a partition count; forces partition.mode manual."},
    {.path = "enable_fault_tolerance", .type = CONFIG_BOOL, .def = "true",
     FIELD(enable_fault_tolerance), .status = CONFIG_USED,
     .help = "Retry and then skip failing partitions instead of failing the job."},
    {.path = "max_retries", .type = CONFIG_INT, .alias_of = "recovery.max_retries",
     .help = "Flat spelling of recovery.max_retries (spec Basic block)."},
    {.path = "storage_format", .type = CONFIG_ENUM, .def = "parquet", FIELD(storage_format),
     .choices = config_formats, .help = "Format of intermediate partition data."},
    {.path = "preserve_intermediate_data", .type = CONFIG_BOOL, .def = "true",
     FIELD(preserve_intermediate_data),
     .help = "Keep intermediate data after the job (spec: true; Data-Juicer's "
             "intermediate_storage default: false)."},
    {.path = "checkpoint_dir", .type = CONFIG_STRING, FIELD(checkpoint_dir), .status = CONFIG_USED,
     .help = "Checkpoint directory (null: {work_dir}/checkpoints)."},
    {.path = "event_log_dir", .type = CONFIG_STRING, FIELD(event_log_dir), .status = CONFIG_PLANNED,
     .help = "Event log directory (null: {work_dir}/logs)."},
    {.path = "partition_dir", .type = CONFIG_STRING, FIELD(partition_dir),
     .help = "Partition directory (null: {work_dir}/partitions)."},
    {.path = "max_log_size_mb", .type = CONFIG_DOUBLE, .alias_of = "event_logging.max_log_size_mb",
     .help = "Flat spelling of event_logging.max_log_size_mb."},
    {.path = "backup_count", .type = CONFIG_INT, .alias_of = "event_logging.backup_count",
     .help = "Flat spelling of event_logging.backup_count."},

    /* ---- partition: (Data-Juicer's nested form) ---- */
    {.path = "partition.mode", .type = CONFIG_ENUM, .def = "auto", FIELD(partition_mode),
     .choices = config_partition_modes, .status = CONFIG_USED,
     .help = "auto: size partitions from the data; manual: num_of_partitions."},
    {.path = "partition.num_of_partitions", .type = CONFIG_INT, .def = "4", MIN(1),
     FIELD(num_of_partitions), .status = CONFIG_USED, .help = "Partition count in manual mode."},
    {.path = "partition.size", .type = CONFIG_INT, .alias_of = "partition_size",
     .help = "Nested spelling of partition_size (Data-Juicer's executor fallback is 5000)."},
    {.path = "partition.max_size_mb", .type = CONFIG_INT, .alias_of = "max_partition_size_mb",
     .help = "Nested spelling of max_partition_size_mb (Data-Juicer's fallback is 64)."},
    {.path = "partition.target_size_mb", .type = CONFIG_INT, .def = "256", MIN(1),
     FIELD(partition_target_size_mb), .help = "Target partition size in MB for auto mode."},
    {.path = "partition.max_concurrent_partitions", .type = CONFIG_INT, .def = "0", MIN(0),
     FIELD(max_concurrent_partitions),
     .help = "Partitions processed at once; 0 or `auto` = as many as workers."},

    /* ---- checkpoint: (Data-Juicer) ---- */
    {.path = "checkpoint.enabled", .type = CONFIG_BOOL, .alias_of = "checkpointing.enabled",
     .help = "Same setting as checkpointing.enabled; giving both with different values is an "
             "error."},
    {.path = "checkpoint.strategy", .type = CONFIG_ENUM, .def = "every_op",
     FIELD(checkpoint_strategy), .choices = config_strategies, .status = CONFIG_USED,
     .help = "When to checkpoint: every_op, every_n_ops, manual (op_names), disabled; "
             "every_partition becomes every_op with a warning."},
    {.path = "checkpoint.n_ops", .type = CONFIG_INT, .def = "1", MIN(1),
     FIELD(checkpoint_n_ops), .status = CONFIG_USED, .help = "Interval for every_n_ops."},
    {.path = "checkpoint.op_names", .type = CONFIG_LIST, LIST_FIELD(checkpoint_op_names),
     .status = CONFIG_USED, .help = "Ops after which to checkpoint, for the manual strategy."},

    /* ---- checkpointing: (spec Advanced) ---- */
    {.path = "checkpointing.enabled", .type = CONFIG_BOOL, .def = "true",
     FIELD(checkpoint_enabled), .status = CONFIG_USED, .help = "Write checkpoints."},
    {.path = "checkpointing.storage_format", .type = CONFIG_ENUM, .def = "parquet",
     FIELD(checkpoint_format), .choices = config_formats, .status = CONFIG_USED,
     .help = "Checkpoint file format."},
    {.path = "checkpointing.compression", .type = CONFIG_ENUM, .def = "snappy",
     FIELD(checkpoint_compression), .choices = config_compressions, .status = CONFIG_USED,
     .help = "Checkpoint compression."},
    {.path = "checkpointing.max_checkpoints_per_partition", .type = CONFIG_INT, .def = "10",
     MIN(1), FIELD(max_checkpoints_per_partition), .status = CONFIG_USED,
     .help = "Checkpoints kept per partition."},
    {.path = "checkpointing.cleanup_old_checkpoints", .type = CONFIG_BOOL, .def = "true",
     FIELD(cleanup_old_checkpoints), .status = CONFIG_USED,
     .help = "Delete checkpoints beyond the limit."},

    /* ---- event_logging: ---- */
    {.path = "event_logging.enabled", .type = CONFIG_BOOL, .def = "true",
     FIELD(event_logging_enabled), .status = CONFIG_USED, .help = "Write the event log."},
    {.path = "event_logging.log_level", .type = CONFIG_ENUM, .def = "INFO", FIELD(log_level),
     .choices = config_log_levels, .nocase = true, .status = CONFIG_USED,
     .help = "Lowest level logged: DEBUG, INFO, WARNING, ERROR (any case)."},
    {.path = "event_logging.max_log_size_mb", .type = CONFIG_DOUBLE, .def = "100", MIN(0.001),
     FIELD(max_log_size_mb), .status = CONFIG_USED,
     .help = "Rotate events.jsonl past this size (fractions allowed, e.g. 0.5)."},
    {.path = "event_logging.backup_count", .type = CONFIG_INT, .def = "5", MIN(0),
     FIELD(backup_count), .status = CONFIG_USED,
     .help = "Rotated event logs kept, gzip-compressed (0: rotation truncates)."},
    {.path = "event_logging.flush_interval_s", .type = CONFIG_DOUBLE, .def = "1", RANGE(0.001, 3600),
     FIELD(flush_interval_s), .status = CONFIG_USED,
     .help = "zest: longest time between an event and its write; a kill -9 loses at most this."},
    {.path = "event_logging.resource_interval_s", .type = CONFIG_DOUBLE, .def = "5",
     RANGE(0.01, 86400), FIELD(resource_interval_s), .status = CONFIG_USED,
     .help = "zest: seconds between resource_usage and performance_metric events."},
    {.path = "event_logging.ring_size", .type = CONFIG_INT, .def = "1000", RANGE(0, 10000000),
     FIELD(event_ring_size), .status = CONFIG_USED,
     .help = "zest: recent events kept in memory for live queries."},

    /* ---- performance: ---- */
    {.path = "performance.use_arrow_batches", .type = CONFIG_BOOL, .def = "true",
     FIELD(use_arrow_batches), .help = "Process in Arrow batches (zest always does)."},
    {.path = "performance.arrow_batch_size", .type = CONFIG_INT, .def = "1000", MIN(1),
     FIELD(arrow_batch_size), .status = CONFIG_USED, .help = "Rows per batch."},
    {.path = "performance.memory_mapping", .type = CONFIG_BOOL, .def = "false",
     FIELD(memory_mapping), .help = "Memory-map input files."},

    /* ---- recovery: ---- */
    {.path = "recovery.enabled", .type = CONFIG_BOOL, .def = "true", FIELD(recovery_enabled),
     .status = CONFIG_USED, .help = "Retry failed partitions."},
    {.path = "recovery.max_retries", .type = CONFIG_INT, .def = "3", MIN(0),
     FIELD(recovery_max_retries), .status = CONFIG_USED, .help = "Retries per failed partition."},
    {.path = "recovery.retry_delay_seconds", .type = CONFIG_DOUBLE, .def = "5", MIN(0),
     FIELD(retry_delay_seconds), .status = CONFIG_USED,
     .help = "First retry delay; doubles each retry, with jitter."},
    {.path = "recovery.use_checkpoints_for_recovery", .type = CONFIG_BOOL, .def = "true",
     FIELD(use_checkpoints_for_recovery), .status = CONFIG_USED,
     .help = "Retry from the last valid checkpoint."},
    {.path = "recovery.restart_from_beginning_if_no_checkpoint", .type = CONFIG_BOOL,
     .def = "true", FIELD(restart_from_beginning_if_no_checkpoint), .status = CONFIG_USED,
     .help = "Without a checkpoint, retry from the partition's source."},

    /* ---- remote: (zest only) ---- */
    {.path = "remote.max_retries", .type = CONFIG_INT, .def = "5", RANGE(0, 1000),
     FIELD(remote_max_retries), .status = CONFIG_USED,
     .help = "zest: retries of a remote dataset_path download after transient failures "
             "(connection errors, timeouts, HTTP 5xx, 408, 429); an attempt that received "
             "bytes resets the count."},
    {.path = "remote.connect_timeout_s", .type = CONFIG_DOUBLE, .def = "10",
     RANGE(0.001, 3600), FIELD(remote_connect_timeout_s), .status = CONFIG_USED,
     .help = "zest: seconds to establish a connection to the server."},
    {.path = "remote.stall_timeout_s", .type = CONFIG_DOUBLE, .def = "30", RANGE(1, 86400),
     FIELD(remote_stall_timeout_s), .status = CONFIG_USED,
     .help = "zest: a download that receives no byte for this long (whole seconds) is a "
             "transient failure."},
    {.path = "remote.backoff_initial_s", .type = CONFIG_DOUBLE, .def = "1", RANGE(0, 3600),
     FIELD(remote_backoff_initial_s), .status = CONFIG_USED,
     .help = "zest: delay before the first retry; doubles each retry, times a jitter in "
             "[0.5, 1]."},
    {.path = "remote.backoff_max_s", .type = CONFIG_DOUBLE, .def = "30", RANGE(0, 86400),
     FIELD(remote_backoff_max_s), .status = CONFIG_USED,
     .help = "zest: longest delay between retries (a server's Retry-After is capped by it)."},
    {.path = "remote.progress_interval_s", .type = CONFIG_DOUBLE, .def = "5",
     RANGE(0.01, 86400), FIELD(remote_progress_interval_s), .status = CONFIG_USED,
     .help = "zest: seconds between download progress events."},
    /* ---- monitoring: (zest) ---- */
    {.path = "monitoring.alerts", .type = CONFIG_LIST, LIST_FIELD(alert_texts),
     .status = CONFIG_USED,
     .help = "zest: alert rules, each raising a `warning` event with metadata.alert: "
             "`partition_skipped`, `error_rate > X` (failed / finished partition attempts), "
             "`no_progress_s > N` (no partition done and no row read for N s), `rss_mb > Y`."},
    {.path = "monitoring.alert_command", .type = CONFIG_STRING, FIELD(alert_command),
     .help = "zest: shell command run (`sh -c`) on each alert with the alert's JSON on stdin."},

    /* ---- intermediate_storage: (Data-Juicer) ---- */
    {.path = "intermediate_storage.format", .type = CONFIG_ENUM, .alias_of = "storage_format",
     .help = "Nested spelling of storage_format."},
    {.path = "intermediate_storage.compression", .type = CONFIG_ENUM, .def = "snappy",
     FIELD(intermediate_compression), .choices = config_compressions,
     .help = "Compression of intermediate data."},
    {.path = "intermediate_storage.write_partitions", .type = CONFIG_BOOL, .def = "true",
     FIELD(write_partitions), .help = "Write partition files to partition_dir."},
    {.path = "intermediate_storage.preserve_intermediate_data", .type = CONFIG_BOOL,
     .alias_of = "preserve_intermediate_data",
     .help = "Nested spelling of preserve_intermediate_data."},
    {.path = "intermediate_storage.cleanup_temp_files", .type = CONFIG_BOOL, .def = "true",
     FIELD(cleanup_temp_files), .help = "Remove temporary files."},
    {.path = "intermediate_storage.cleanup_on_success", .type = CONFIG_BOOL, .def = "false",
     FIELD(cleanup_on_success), .help = "Remove intermediate data when the job succeeds."},
    {.path = "intermediate_storage.retention_policy", .type = CONFIG_ENUM, .def = "keep_all",
     FIELD(retention_policy), .choices = config_retentions,
     .help = "keep_all, keep_failed_only or cleanup_all."},
    {.path = "intermediate_storage.max_retention_days", .type = CONFIG_INT, .def = "7", MIN(0),
     FIELD(max_retention_days), .help = "Age after which intermediate data may be removed."},

    /* ---- Data-Juicer keys that do not matter for zest ---- */
    IGNORED("adaptive_batch_size", "adapt batch sizes per op"),
    IGNORED("audio_key", "audio field"),
    IGNORED("audio_special_token", "audio token"),
    IGNORED("auto", "analyse the data automatically"),
    IGNORED("auto_num", "samples for auto analysis"),
    IGNORED("auto_op_parallelism", "per-op parallelism"),
    IGNORED("cache_compress", "compress the dataset cache"),
    IGNORED("config", "the config file list"),
    IGNORED("conflict_resolve_strategy", "config conflict resolution"),
    IGNORED("custom_operator_paths", "user op modules"),
    IGNORED("data_probe_algo", "sampling for data probes"),
    IGNORED("data_probe_ratio", "sampling ratio for data probes"),
    IGNORED("debug", "debug mode"),
    IGNORED("ds_cache_dir", "dataset cache directory"),
    IGNORED("eoc_special_token", "end-of-chunk token"),
    IGNORED("export_aws_credentials", "credentials for S3 export"),
    IGNORED("export_extra_args", "extra exporter arguments"),
    IGNORED("export_in_parallel", "parallel export"),
    IGNORED("export_original_dataset", "export the unprocessed dataset as well"),
    IGNORED("fusion_strategy", "op fusion strategy"),
    IGNORED("hpo_config", "hyper-parameter optimisation"),
    IGNORED("image_bytes_key", "image bytes field"),
    IGNORED("image_key", "image field"),
    IGNORED("image_special_token", "image token"),
    IGNORED("load_dataset_kwargs", "dataset loader arguments"),
    IGNORED("min_common_dep_num_to_combine", "op fusion threshold"),
    IGNORED("op_list_to_mine", "insight mining ops"),
    IGNORED("op_list_to_trace", "traced ops"),
    IGNORED("open_insight_mining", "insight mining"),
    IGNORED("open_monitor", "resource monitor"),
    IGNORED("open_tracer", "sample tracer"),
    IGNORED("percentiles", "analysis percentiles"),
    IGNORED("resource_optimization", "resource auto-configuration"),
    IGNORED("save_stats_in_one_file", "analyser output layout"),
    IGNORED("temp_dir", "temporary directory for the cache"),
    IGNORED("trace_keys", "fields shown by the tracer"),
    IGNORED("trace_num", "samples kept by the tracer"),
    IGNORED("turbo", "batched turbo mode"),
    IGNORED("use_cache", "the dataset cache"),
    IGNORED("use_checkpoint", "the default executor's checkpoints"),
    IGNORED("video_key", "video field"),
    IGNORED("video_special_token", "video token"),
};

const size_t config_n_keys = sizeof config_keys / sizeof *config_keys;

const struct config_key *config_key_find(const char *path) {
    for (size_t i = 0; i < config_n_keys; i++)
        if (strcmp(config_keys[i].path, path) == 0) return &config_keys[i];
    return NULL;
}

bool config_key_is_section(const char *prefix) {
    const size_t len = strlen(prefix);
    for (size_t i = 0; i < config_n_keys; i++)
        if (strncmp(config_keys[i].path, prefix, len) == 0 && config_keys[i].path[len] == '.')
            return true;
    return false;
}

const struct config_key *config_key_canonical(const struct config_key *key) {
    const struct config_key *target = key->alias_of ? config_key_find(key->alias_of) : NULL;
    return target ? target : key;
}

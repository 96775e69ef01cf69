/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_config.c - the config loader: the spec's Basic and Advanced blocks and Data-Juicer's
 * demo form load with exact values; defaults; unknown keys warn with a suggestion; wrong
 * types, ranges, YAML syntax, {job_id} placement and disagreeing checkpoint flags fail with
 * file and line; overrides; the dump; docs/config.md lists every key of the table.
 */
#include "runner.h"

#include "zest.h"
#include "../../src/config/config.h"
#include "../../src/config/config_internal.h"

/* Writes `yaml` to a fresh file and loads it; returns the status. *path gets the file. */
static int load_yaml(const char *yaml, const char *const *sets, size_t n_sets, zest_config **cfg,
                     zest_error *err, char **path) {
    static int seq;
    char name[32];
    snprintf(name, sizeof name, "c%d.yaml", seq++);
    char *p = test_write_file(test_tmpdir(), name, yaml, strlen(yaml));
    zest_error_clear(err);
    const int rc = zest_config_load(p, sets, n_sets, cfg, err);
    if (path) *path = p;
    else free(p);
    return rc;
}

static zest_config *load_ok(const char *yaml, const char *const *sets, size_t n_sets) {
    zest_config *cfg = NULL;
    zest_error err;
    const int rc = load_yaml(yaml, sets, n_sets, &cfg, &err, NULL);
    if (rc != ZEST_OK) TEST_FAIL("load failed: %s", err.msg);
    return cfg;
}

/* Loads and expects ZEST_E_CONFIG; returns the message with the temp path replaced by "F". */
static void load_fail(const char *yaml, const char *const *sets, size_t n_sets, char *msg,
                      size_t size, zest_error *errp) {
    zest_config *cfg = NULL;
    zest_error err;
    char *path = NULL;
    const int rc = load_yaml(yaml, sets, n_sets, &cfg, &err, &path);
    if (rc != ZEST_E_CONFIG) TEST_FAIL("expected E_CONFIG, got %d (%s)", rc, err.msg);
    ASSERT(cfg == NULL);
    size_t o = 0;
    for (const char *p = err.msg; *p && o + 1 < size;) {
        if (strncmp(p, path, strlen(path)) == 0) {
            msg[o++] = 'F';
            p += strlen(path);
        } else {
            msg[o++] = *p++;
        }
    }
    msg[o] = '\0';
    if (errp) *errp = err;
    free(path);
}

static bool has_warning(const zest_config *cfg, const char *needle) {
    for (size_t i = 0; i < zest_config_warning_count(cfg); i++)
        if (strstr(zest_config_warning(cfg, i), needle)) return true;
    return false;
}

#define IO "dataset_path: in.jsonl\nexport_path: out.jsonl\n"

static const char spec_basic[] =
    "# Basic settings\n"
    "project_name: 'my-partitioned-project'\n"
    "dataset_path: 'data/large-dataset.jsonl'\n"
    "export_path: 'outputs/processed-dataset.jsonl'\n"
    "executor_type: 'ray_partitioned'\n"
    "\n"
    "# Ray configuration\n"
    "ray_address: 'auto'\n"
    "\n"
    "# Partitioning configuration\n"
    "partition_size: 10000\n"
    "max_partition_size_mb: 128\n"
    "enable_fault_tolerance: true\n"
    "max_retries: 3\n"
    "\n"
    "# Storage configuration\n"
    "storage_format: 'parquet'\n"
    "preserve_intermediate_data: true\n"
    "\n"
    "# Event logging\n"
    "event_logging:\n"
    "  enabled: true\n"
    "  log_level: 'INFO'\n"
    "  max_log_size_mb: 100\n"
    "  backup_count: 5\n"
    "\n"
    "# Processing pipeline\n"
    "process:\n"
    "  - whitespace_normalization_mapper:\n"
    "  - text_length_filter:\n"
    "      min_len: 50\n"
    "      max_len: 2000\n";

static const char spec_language_op[] =
    "  - language_id_score_filter:\n"
    "      lang: 'en'\n"
    "      min_score: 0.8\n";

static const char spec_advanced[] =
    "# Checkpointing\n"
    "checkpointing:\n"
    "  enabled: true\n"
    "  storage_format: 'parquet'\n"
    "  compression: 'snappy'\n"
    "  max_checkpoints_per_partition: 10\n"
    "  cleanup_old_checkpoints: true\n"
    "\n"
    "# Performance optimization\n"
    "performance:\n"
    "  use_arrow_batches: true\n"
    "  arrow_batch_size: 1000\n"
    "  memory_mapping: false\n"
    "\n"
    "# Recovery settings\n"
    "recovery:\n"
    "  enabled: true\n"
    "  max_retries: 3\n"
    "  retry_delay_seconds: 5\n"
    "  use_checkpoints_for_recovery: true\n"
    "  restart_from_beginning_if_no_checkpoint: true\n";

static int64_t param_int(const struct cfg_op *op, const char *name) {
    for (size_t i = 0; i < op->desc->info.n_params; i++)
        if (strcmp(op->desc->info.params[i].name, name) == 0) return op->params.v[i].i;
    TEST_FAIL("no parameter %s", name);
}

TEST(spec_basic_block) {
    zest_config *cfg = load_ok(spec_basic, NULL, 0);
    ASSERT_STR_EQ(cfg->project_name, "my-partitioned-project");
    ASSERT_STR_EQ(cfg->dataset_path, "data/large-dataset.jsonl");
    ASSERT_STR_EQ(cfg->export_path, "outputs/processed-dataset.jsonl");
    ASSERT_EQ(cfg->executor_type, CFG_EXEC_RAY_PARTITIONED);
    ASSERT_STR_EQ(cfg->ray_address, "auto");
    ASSERT_EQ(cfg->partition_size, 10000);
    ASSERT_EQ(cfg->max_partition_size_mb, 128);
    ASSERT(cfg->enable_fault_tolerance);
    ASSERT_EQ(cfg->recovery_max_retries, 3);
    ASSERT_EQ(cfg->storage_format, CFG_FMT_PARQUET);
    ASSERT(cfg->preserve_intermediate_data);
    ASSERT(cfg->event_logging_enabled);
    ASSERT_EQ(cfg->log_level, CFG_LOG_INFO);
    ASSERT_EQ(cfg->max_log_size_mb, 100);
    ASSERT_EQ(cfg->backup_count, 5);
    ASSERT_EQ(cfg->n_ops, 2);
    ASSERT_STR_EQ(cfg->ops[0].desc->info.name, "whitespace_normalization_mapper");
    ASSERT_STR_EQ(cfg->ops[1].desc->info.name, "text_length_filter");
    ASSERT_EQ(cfg->ops[0].line, 29);
    ASSERT_EQ(cfg->ops[1].line, 30);
    ASSERT_EQ(param_int(&cfg->ops[1], "min_len"), 50);
    ASSERT_EQ(param_int(&cfg->ops[1], "max_len"), 2000);
    /* Ray is mapped to zest's executor (threads, MPI ranks), visibly */
    ASSERT(has_warning(cfg, "executor_type 'ray_partitioned' runs on zest's executor: worker "
                            "threads, and MPI ranks under mpirun or srun (Ray is not used)"));
    ASSERT(has_warning(cfg, "ray_address 'auto' is ignored"));
    ASSERT_EQ(zest_config_warning_count(cfg), 2);
    zest_config_destroy(cfg);
}

TEST(spec_basic_block_with_language_filter) {
    if (!op_registry_find("language_id_score_filter")) return; /* not registered yet */
    char yaml[4096];
    snprintf(yaml, sizeof yaml, "%s%s", spec_basic, spec_language_op);
    zest_config *cfg = load_ok(yaml, NULL, 0);
    ASSERT_EQ(cfg->n_ops, 3);
    ASSERT_STR_EQ(cfg->ops[2].desc->info.name, "language_id_score_filter");
    zest_config_destroy(cfg);
}

TEST(spec_advanced_block) {
    char yaml[4096];
    snprintf(yaml, sizeof yaml, "%s%s", spec_basic, spec_advanced);
    zest_config *cfg = load_ok(yaml, NULL, 0);
    ASSERT(cfg->checkpoint_enabled);
    ASSERT_EQ(cfg->checkpoint_format, CFG_FMT_PARQUET);
    ASSERT_EQ(cfg->checkpoint_compression, CFG_COMP_SNAPPY);
    ASSERT_EQ(cfg->max_checkpoints_per_partition, 10);
    ASSERT(cfg->cleanup_old_checkpoints);
    ASSERT(cfg->use_arrow_batches);
    ASSERT_EQ(cfg->arrow_batch_size, 1000);
    ASSERT(!cfg->memory_mapping);
    ASSERT(cfg->recovery_enabled);
    ASSERT_EQ(cfg->recovery_max_retries, 3);
    ASSERT_DBL_EQ(cfg->retry_delay_seconds, 5.0);
    ASSERT(cfg->use_checkpoints_for_recovery);
    ASSERT(cfg->restart_from_beginning_if_no_checkpoint);
    ASSERT_EQ(cfg->n_ops, 2);
    zest_config_destroy(cfg);
}

TEST(defaults) {
    zest_config *cfg = load_ok(IO, NULL, 0);
    ASSERT(cfg->project_name == NULL);
    ASSERT(cfg->work_dir == NULL);
    ASSERT(cfg->job_id == NULL);
    ASSERT_EQ(cfg->executor_type, CFG_EXEC_DEFAULT);
    ASSERT_STR_EQ(cfg->ray_address, "auto");
    ASSERT_EQ(cfg->np, 0);
    ASSERT_EQ(cfg->n_text_keys, 1);
    ASSERT_STR_EQ(cfg->text_keys[0], "text");
    ASSERT(!cfg->keep_stats_in_res_ds);
    ASSERT(!cfg->keep_hashes_in_res_ds);
    ASSERT_EQ(cfg->export_shard_size, 0);
    ASSERT(cfg->export_type == NULL);
    ASSERT_EQ(cfg->bad_record_policy, CFG_BAD_SKIP);
    ASSERT_EQ(cfg->max_line_bytes, 256LL << 20);
    ASSERT_EQ(cfg->n_suffixes, 0);
    ASSERT_EQ(cfg->partition_size, 10000);
    ASSERT_EQ(cfg->max_partition_size_mb, 128);
    ASSERT_EQ(cfg->partition_mode, CFG_PART_AUTO);
    ASSERT_EQ(cfg->num_of_partitions, 4);
    ASSERT_EQ(cfg->partition_target_size_mb, 256);
    ASSERT_EQ(cfg->max_concurrent_partitions, 0);
    ASSERT(cfg->enable_fault_tolerance);
    ASSERT_EQ(cfg->recovery_max_retries, 3);
    ASSERT_EQ(cfg->storage_format, CFG_FMT_PARQUET);
    ASSERT(cfg->event_logging_enabled);
    ASSERT_EQ(cfg->log_level, CFG_LOG_INFO);
    ASSERT_EQ(cfg->max_log_size_mb, 100);
    ASSERT_EQ(cfg->backup_count, 5);
    ASSERT(cfg->checkpoint_enabled);
    ASSERT_EQ(cfg->checkpoint_format, CFG_FMT_PARQUET);
    ASSERT_EQ(cfg->checkpoint_compression, CFG_COMP_SNAPPY);
    ASSERT_EQ(cfg->max_checkpoints_per_partition, 10);
    ASSERT(cfg->cleanup_old_checkpoints);
    ASSERT_EQ(cfg->checkpoint_strategy, CFG_CKPT_EVERY_OP);
    ASSERT_EQ(cfg->checkpoint_n_ops, 1);
    ASSERT_EQ(cfg->n_checkpoint_op_names, 0);
    ASSERT(cfg->use_arrow_batches);
    ASSERT_EQ(cfg->arrow_batch_size, 1000);
    ASSERT(cfg->recovery_enabled);
    ASSERT_EQ(cfg->recovery_max_retries, 3);
    ASSERT_DBL_EQ(cfg->retry_delay_seconds, 5.0);
    ASSERT_EQ(cfg->intermediate_compression, CFG_COMP_SNAPPY);
    ASSERT_EQ(cfg->retention_policy, CFG_RETAIN_KEEP_ALL);
    ASSERT_EQ(cfg->max_retention_days, 7);
    ASSERT(cfg->write_partitions);
    ASSERT(cfg->cleanup_temp_files);
    ASSERT(!cfg->cleanup_on_success);
    ASSERT(cfg->skip_op_error);
    ASSERT(!cfg->use_dag);
    ASSERT(!cfg->op_fusion);
    ASSERT_EQ(cfg->n_ops, 0);
    ASSERT_EQ(zest_config_warning_count(cfg), 0);
    zest_config_destroy(cfg);
}

TEST(data_juicer_demo_form) {
    zest_config *cfg = load_ok(
        "project_name: 'partition-checkpoint-eventlog'\n"
        "dataset_path: './demos/data/demo-dataset.jsonl'\n"
        "export_path: '{work_dir}/processed.jsonl'\n"
        "work_dir: \"./outputs/partition-checkpoint-eventlog/{job_id}\"\n"
        "executor_type: ray_partitioned\n"
        "np: 2\n"
        "partition:\n"
        "  mode: manual\n"
        "  num_of_partitions: 4\n"
        "checkpoint:\n"
        "  enabled: false\n"
        "  strategy: every_n_ops\n"
        "  n_ops: 3\n"
        "intermediate_storage:\n"
        "  format: parquet\n"
        "  write_partitions: false\n"
        "event_logging:\n"
        "  enabled: true\n"
        "open_tracer: false\n"
        "use_cache: false\n"
        "process:\n"
        "  - whitespace_normalization_mapper:\n",
        NULL, 0);
    ASSERT_STR_EQ(cfg->export_path, "{work_dir}/processed.jsonl");
    ASSERT_STR_EQ(cfg->work_dir, "./outputs/partition-checkpoint-eventlog/{job_id}");
    ASSERT_EQ(cfg->partition_mode, CFG_PART_MANUAL);
    ASSERT_EQ(cfg->num_of_partitions, 4);
    ASSERT(!cfg->checkpoint_enabled);
    ASSERT_EQ(cfg->checkpoint_strategy, CFG_CKPT_EVERY_N_OPS);
    ASSERT_EQ(cfg->checkpoint_n_ops, 3);
    ASSERT_EQ(cfg->storage_format, CFG_FMT_PARQUET);
    ASSERT(!cfg->write_partitions);
    ASSERT_EQ(cfg->np, 2);
    ASSERT_EQ(cfg->n_ops, 1);
    ASSERT_EQ(zest_config_warning_count(cfg), 1); /* only the executor_type mapping */
    zest_config_destroy(cfg);
}

TEST(unknown_key_warns_with_suggestion) {
    zest_config *cfg = NULL;
    zest_error err;
    char *path = NULL, expect[1024];
    ASSERT_EQ(load_yaml(IO "parition_size: 5000\npartition:\n  num_of_partition: 2\nzzz_qqq: 1\n", NULL,
                        0, &cfg, &err, &path),
              ZEST_OK);
    ASSERT_EQ(zest_config_warning_count(cfg), 3);
    snprintf(expect, sizeof expect,
             "unknown key 'parition_size' at %s:3 (did you mean 'partition_size'?)", path);
    ASSERT_STR_EQ(zest_config_warning(cfg, 0), expect);
    snprintf(expect, sizeof expect,
             "unknown key 'partition.num_of_partition' at %s:5 (did you mean "
             "'partition.num_of_partitions'?)",
             path);
    ASSERT_STR_EQ(zest_config_warning(cfg, 1), expect);
    snprintf(expect, sizeof expect, "unknown key 'zzz_qqq' at %s:6", path);
    ASSERT_STR_EQ(zest_config_warning(cfg, 2), expect);
    ASSERT_EQ(cfg->partition_size, 10000); /* the misspelt key did nothing */
    ASSERT(zest_config_warning(cfg, 3) == NULL);
    zest_config_destroy(cfg);
    free(path);
}

TEST(flat_key_meant_nested_is_suggested) {
    zest_config *cfg = load_ok(IO "log_level: DEBUG\n", NULL, 0);
    ASSERT(has_warning(cfg, "(did you mean 'event_logging.log_level'?)"));
    zest_config_destroy(cfg);
}

TEST(known_ignored_keys_are_silent) {
    zest_config *cfg = load_ok(IO "open_tracer: true\ntrace_num: 10\nuse_cache: true\n"
                                  "cache_compress: zstd\nds_cache_dir: /tmp/x\nopen_monitor: "
                                  "false\nhpo_config: null\nexport_in_parallel: false\n"
                                  "resource_optimization:\n  auto_configure: true\n"
                                  "image_key: images\n",
                               NULL, 0);
    ASSERT_EQ(zest_config_warning_count(cfg), 0);
    zest_config_destroy(cfg);
}

TEST(wrong_type_names_key_value_file_line) {
    char msg[1024];
    zest_error err;
    load_fail(IO "np: 2\n\npartition_size: ten\n", NULL, 0, msg, sizeof msg, &err);
    ASSERT_STR_EQ(msg, "F:5: partition_size: expected a positive integer, got 'ten'");
    ASSERT_EQ(err.line, 5);
    load_fail(IO "event_logging:\n  enabled: maybe\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:4: event_logging.enabled: expected true or false, got 'maybe'");
    load_fail(IO "text_keys: {a: 1}\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:3: text_keys: expected a string or a list of strings, got a mapping");
    load_fail(IO "checkpointing:\n  compression: lz4\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:4: checkpointing.compression: expected one of snappy, gzip, zstd, "
                       "none, got 'lz4'");
    load_fail(IO "partition: manual\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:3: partition: expected a mapping of settings, got 'manual'");
    load_fail(IO "np: '4'\n", NULL, 0, msg, sizeof msg, NULL); /* quoted: a string */
    ASSERT_STR_EQ(msg, "F:3: np: expected a non-negative integer, got '4'");
}

TEST(out_of_range) {
    char msg[1024];
    load_fail(IO "partition_size: 0\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:3: partition_size: expected a positive integer, got '0'");
    load_fail(IO "performance:\n  arrow_batch_size: -5\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg,
                  "F:4: performance.arrow_batch_size: expected a positive integer, got '-5'");
    load_fail(IO "recovery:\n  retry_delay_seconds: -0.5\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:4: recovery.retry_delay_seconds: expected a non-negative number, "
                       "got '-0.5'");
    load_fail(IO "max_line_size_mb: 2000000\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:3: max_line_size_mb: expected an integer from 1 to 1048576, got "
                       "'2000000'");
    load_fail(IO "np: 99999999999999999999\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_CONTAINS(msg, "np: expected a non-negative integer");
}

TEST(yaml_syntax_error_has_line_and_column) {
    char msg[1024];
    zest_error err;
    load_fail(IO "partition:\n  mode: [manual\nnp: 4\n", NULL, 0, msg, sizeof msg, &err);
    ASSERT_CONTAINS(msg, "YAML syntax error");
    ASSERT(strncmp(msg, "F:5:", 4) == 0 || strncmp(msg, "F:6:", 4) == 0);
    ASSERT(err.line == 5 || err.line == 6);
    ASSERT(err.path[0] != '\0');
    load_fail(IO "\tnp: 4\n", NULL, 0, msg, sizeof msg, &err);
    ASSERT_CONTAINS(msg, "F:3:1: YAML syntax error: found a tab character");
}

TEST(multiple_documents_rejected) {
    char msg[1024];
    load_fail(IO "---\nnp: 4\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_CONTAINS(msg, "F:3:1: more than one YAML document");
}

TEST(root_must_be_mapping) {
    char msg[1024];
    load_fail("- a\n- b\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_CONTAINS(msg, "F:1:1: a config is a mapping of keys to values, got a list");
}

TEST(missing_required_paths) {
    char msg[1024];
    load_fail("export_path: out.jsonl\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F: dataset_path is required");
    load_fail("dataset_path: in.jsonl\nexport_path:\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F: export_path is required");
    load_fail("", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F: dataset_path is required");
    load_fail("dataset_path: ''\nexport_path: o\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:1: dataset_path: must not be empty");
}

TEST(missing_file_is_io_error) {
    zest_config *cfg = NULL;
    zest_error err;
    zest_error_clear(&err);
    ASSERT_EQ(zest_config_load("/nonexistent/zest.yaml", NULL, 0, &cfg, &err), ZEST_E_IO);
    ASSERT_CONTAINS(err.msg, "/nonexistent/zest.yaml");
    ASSERT(cfg == NULL);
}

TEST(job_id_placement) {
    char msg[1024];
    zest_config *cfg = load_ok(IO "work_dir: ./out/{job_id}/\n", NULL, 0);
    zest_config_destroy(cfg);
    cfg = load_ok(IO "work_dir: ./out/run_{job_id}\n", NULL, 0);
    zest_config_destroy(cfg);
    load_fail(IO "work_dir: ./out/{job_id}/sub\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:3: work_dir: '{job_id}' must be the last part of the path, got "
                       "'./out/{job_id}/sub' (write e.g. 'outputs/{job_id}')");
}

TEST(checkpoint_enabled_spellings) {
    char msg[1024];
    load_fail(IO "checkpoint:\n  enabled: false\ncheckpointing:\n  enabled: true\n", NULL, 0, msg,
              sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:6: checkpointing.enabled: 'true' disagrees with checkpoint.enabled: "
                       "'false' at F:4 (they are the same setting)");
    zest_config *cfg =
        load_ok(IO "checkpoint:\n  enabled: no\ncheckpointing:\n  enabled: off\n", NULL, 0);
    ASSERT(!cfg->checkpoint_enabled);
    zest_config_destroy(cfg);
    cfg = load_ok(IO "checkpoint:\n  enabled: false\n", NULL, 0);
    ASSERT(!cfg->checkpoint_enabled);
    zest_config_destroy(cfg);
}

TEST(alias_spellings) {
    zest_config *cfg = load_ok(IO "max_log_size_mb: 7\nbackup_count: 2\npartition:\n  size: 500\n"
                                  "  max_size_mb: 64\nintermediate_storage:\n  format: jsonl\n"
                                  "  preserve_intermediate_data: false\n",
                               NULL, 0);
    ASSERT_EQ(cfg->max_log_size_mb, 7);
    ASSERT_EQ(cfg->backup_count, 2);
    ASSERT_EQ(cfg->partition_size, 500);
    ASSERT_EQ(cfg->max_partition_size_mb, 64);
    ASSERT_EQ(cfg->storage_format, CFG_FMT_JSONL);
    ASSERT(!cfg->preserve_intermediate_data);
    zest_config_destroy(cfg);
}

TEST(num_partitions_forces_manual) {
    zest_config *cfg = load_ok(IO "num_partitions: 8\npartition:\n  mode: auto\n", NULL, 0);
    ASSERT_EQ(cfg->partition_mode, CFG_PART_MANUAL);
    ASSERT_EQ(cfg->num_of_partitions, 8);
    zest_config_destroy(cfg);
    cfg = load_ok(IO "partition:\n  max_concurrent_partitions: auto\n", NULL, 0);
    ASSERT_EQ(cfg->max_concurrent_partitions, 0);
    zest_config_destroy(cfg);
}

TEST(every_partition_becomes_every_op) {
    zest_config *cfg = load_ok(IO "checkpoint:\n  strategy: every_partition\n", NULL, 0);
    ASSERT_EQ(cfg->checkpoint_strategy, CFG_CKPT_EVERY_OP);
    ASSERT_EQ(zest_config_warning_count(cfg), 1);
    ASSERT_CONTAINS(zest_config_warning(cfg, 0),
                    ":4: checkpoint.strategy 'every_partition' is not supported");
    ASSERT_CONTAINS(zest_config_warning(cfg, 0), "using 'every_op'");
    zest_config_destroy(cfg);
}

TEST(log_level_any_case) {
    zest_config *cfg = load_ok(IO "event_logging:\n  log_level: warning\n", NULL, 0);
    ASSERT_EQ(cfg->log_level, CFG_LOG_WARNING);
    zest_config_destroy(cfg);
    cfg = load_ok(IO "event_logging:\n  log_level: Debug\n", NULL, 0);
    ASSERT_EQ(cfg->log_level, CFG_LOG_DEBUG);
    zest_config_destroy(cfg);
}

TEST(text_keys_string_or_list) {
    zest_config *cfg = load_ok(IO "text_keys: content\n", NULL, 0);
    ASSERT_EQ(cfg->n_text_keys, 1);
    ASSERT_STR_EQ(cfg->text_keys[0], "content");
    zest_config_destroy(cfg);
    cfg = load_ok(IO "text_keys: [content, title]\nsuffixes:\n  - .jsonl\n  - .json\n", NULL, 0);
    ASSERT_EQ(cfg->n_text_keys, 2);
    ASSERT_STR_EQ(cfg->text_keys[0], "content");
    ASSERT_STR_EQ(cfg->text_keys[1], "title");
    ASSERT_EQ(cfg->n_suffixes, 2);
    ASSERT_STR_EQ(cfg->suffixes[1], ".json");
    zest_config_destroy(cfg);
}

TEST(overrides_apply_before_validation) {
    static const char *const sets[] = {
        "partition.mode=manual", "np=4", "text_keys=[content]",
        "process.1.text_length_filter.min_len=5", "checkpoint.enabled=false",
        "event_logging.log_level=debug",
    };
    char yaml[4096];
    snprintf(yaml, sizeof yaml, "%scheckpointing:\n  enabled: true\n", spec_basic);
    zest_config *cfg = load_ok(yaml, sets, sizeof sets / sizeof *sets);
    ASSERT_EQ(cfg->partition_mode, CFG_PART_MANUAL);
    ASSERT_EQ(cfg->np, 4);
    ASSERT_EQ(cfg->n_text_keys, 1);
    ASSERT_STR_EQ(cfg->text_keys[0], "content");
    ASSERT_EQ(param_int(&cfg->ops[1], "min_len"), 5);
    ASSERT_EQ(param_int(&cfg->ops[1], "max_len"), 2000);
    ASSERT(!cfg->checkpoint_enabled); /* the override replaces the file's other spelling */
    ASSERT_EQ(cfg->log_level, CFG_LOG_DEBUG);
    zest_config_destroy(cfg);
}

TEST(override_of_null_op_params) {
    static const char *const sets[] = {"process.0.text_length_filter.max_len=99",
                                       "process.1.whitespace_normalization_mapper.x=1"};
    char msg[1024];
    zest_config *cfg = load_ok(IO "process:\n  - text_length_filter:\n", sets, 1);
    ASSERT_EQ(param_int(&cfg->ops[0], "max_len"), 99);
    zest_config_destroy(cfg);
    load_fail(IO "process:\n  - text_length_filter:\n", sets + 1, 1, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "--set process.1.whitespace_normalization_mapper.x=1: process has 1 "
                       "operator(s); the index counts from 0");
}

TEST(override_errors) {
    char msg[1024];
    static const char *const unknown[] = {"parition_size=5"};
    load_fail(IO, unknown, 1, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "--set parition_size=5: unknown key 'parition_size' (did you mean "
                       "'partition_size'?)");
    static const char *const wrong[] = {"np=four"};
    load_fail(IO, wrong, 1, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "--set np=four: np: expected a non-negative integer, got 'four'");
    static const char *const nested[] = {"partition.mode=sometimes"};
    load_fail(IO, nested, 1, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "--set partition.mode=sometimes: partition.mode: expected one of auto, "
                       "manual, got 'sometimes'");
    static const char *const noeq[] = {"np"};
    load_fail(IO, noeq, 1, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "--set np: expected key=value");
    static const char *const badyaml[] = {"text_keys=[a"};
    load_fail(IO, badyaml, 1, msg, sizeof msg, NULL);
    ASSERT_CONTAINS(msg, "--set text_keys=[a: YAML syntax error");
    static const char *const param[] = {"process.0.text_length_filter.min_lne=5"};
    load_fail(IO "process:\n  - text_length_filter:\n", param, 1, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "--set process.0.text_length_filter.min_lne=5: text_length_filter has no "
                       "parameter 'min_lne' (did you mean 'min_len'?)");
    static const char *const wrong_op[] = {"process.0.text_length_filter.min_len=5"};
    load_fail(IO "process:\n  - whitespace_normalization_mapper:\n", wrong_op, 1, msg,
              sizeof msg, NULL);
    ASSERT_CONTAINS(msg, "process item 0 is not 'text_length_filter', it is "
                         "whitespace_normalization_mapper");
    static const char *const shape[] = {"process.x.y=1"};
    load_fail(IO, shape, 1, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "--set process.x.y=1: expected process.<index>.<op_name>.<param>=value");
}

TEST(override_sets_empty_value_to_default) {
    static const char *const sets[] = {"np=", "work_dir=out/{job_id}"};
    zest_config *cfg = load_ok(IO "np: 3\n", sets, 2);
    ASSERT_EQ(cfg->np, 0);
    ASSERT_STR_EQ(cfg->work_dir, "out/{job_id}");
    zest_config_destroy(cfg);
}

TEST(unknown_operator_suggests) {
    char msg[1024];
    load_fail(IO "process:\n  - whitespace_normalization_mapper:\n  - text_lenght_filter:\n"
                 "      min_len: 5\n",
              NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:5: unknown operator 'text_lenght_filter' (did you mean "
                       "'text_length_filter'?)");
    load_fail(IO "process:\n  - text_length_filter: 5\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:4: text_length_filter: expected its parameters as a mapping, got '5'");
    load_fail(IO "process: text_length_filter\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "F:3: process: expected a list of operators, got 'text_length_filter'");
    load_fail(IO "process:\n  - {a: 1, b: 2}\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_CONTAINS(msg, "process item 0: expected one '- op_name: {params}' entry");
}

TEST(op_parameter_errors_come_from_binding) {
    zest_config *cfg = NULL;
    zest_error err;
    ASSERT_EQ(load_yaml(IO "process:\n  - text_length_filter:\n      min_len: abc\n", NULL, 0,
                        &cfg, &err, NULL),
              ZEST_E_CONFIG);
    ASSERT_CONTAINS(err.msg, ":5:");
    ASSERT_CONTAINS(err.msg, "min_len");
    ASSERT_STR_EQ(err.op, "text_length_filter");
}

TEST(empty_process_is_identity) {
    zest_config *cfg = load_ok(IO "process: []\n", NULL, 0);
    ASSERT_EQ(cfg->n_ops, 0);
    zest_config_destroy(cfg);
    cfg = load_ok(IO "process:\n", NULL, 0);
    ASSERT_EQ(cfg->n_ops, 0);
    zest_config_destroy(cfg);
}

TEST(anchors_aliases_and_merge_keys) {
    zest_config *cfg = load_ok(IO "base: &b {mode: manual, num_of_partitions: 6}\n"
                                  "partition:\n  <<: *b\n  num_of_partitions: 9\n"
                                  "text_keys: &k [body]\nsuffixes: *k\n",
                               NULL, 0);
    ASSERT_EQ(cfg->partition_mode, CFG_PART_MANUAL);
    ASSERT_EQ(cfg->num_of_partitions, 9); /* explicit keys win over merged ones */
    ASSERT_STR_EQ(cfg->suffixes[0], "body");
    ASSERT(has_warning(cfg, "unknown key 'base'"));
    zest_config_destroy(cfg);
    char msg[1024];
    load_fail(IO "np: *nothing\n", NULL, 0, msg, sizeof msg, NULL);
    ASSERT_CONTAINS(msg, "F:3:5: alias '*nothing' refers to no anchor defined before it");
}

TEST(alias_bomb_is_refused) {
    char msg[1024];
    load_fail("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
              "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
              "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
              "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
              "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
              "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
              "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
              NULL, 0, msg, sizeof msg, NULL);
    ASSERT_CONTAINS(msg, "document too large");
}

TEST(duplicate_key_warns_last_wins) {
    zest_config *cfg = load_ok(IO "np: 2\nnp: 5\n", NULL, 0);
    ASSERT_EQ(cfg->np, 5);
    ASSERT(has_warning(cfg, ":4: key 'np' is given twice; the last value is used"));
    zest_config_destroy(cfg);
}

/* The dump names every key of the table, and loading it again gives the same dump. */
TEST(dump_has_every_key_and_round_trips) {
    char yaml[4096];
    snprintf(yaml, sizeof yaml, "%s%sproject_name: \"quote\\\" and \\\\ back\"\n", spec_basic,
             spec_advanced);
    zest_config *cfg = load_ok(yaml, NULL, 0);
    char *text = NULL;
    zest_error err;
    ASSERT_EQ(zest_config_dump(cfg, &text, &err), ZEST_OK);
    for (size_t i = 0; i < config_n_keys; i++) {
        const struct config_key *k = &config_keys[i];
        if (k->alias_of || k->type == CONFIG_IGNORED) continue;
        const char *dot = strrchr(k->path, '.');
        char needle[128];
        snprintf(needle, sizeof needle, "%s%s: ", dot ? "\n  " : "\n", dot ? dot + 1 : k->path);
        ASSERT_CONTAINS(text, needle);
    }
    ASSERT_CONTAINS(text, "\npartition_size: 10000\n");
    ASSERT_CONTAINS(text, "\nevent_logging:\n  enabled: true\n  log_level: INFO\n");
    ASSERT_CONTAINS(text, "\ntext_keys: [\"text\"]\n");
    ASSERT_CONTAINS(text, "\nmax_line_size_mb: 256\n");
    ASSERT_CONTAINS(text, "\n  retry_delay_seconds: 5\n");
    ASSERT_CONTAINS(text, "\nprocess:\n  - whitespace_normalization_mapper:");
    ASSERT_CONTAINS(text, "\n  - text_length_filter:\n      min_len: 50\n      max_len: 2000\n");
    zest_config *again = load_ok(text, NULL, 0);
    char *text2 = NULL;
    ASSERT_EQ(zest_config_dump(again, &text2, &err), ZEST_OK);
    ASSERT_STR_EQ(text2, text);
    ASSERT_STR_EQ(again->project_name, "quote\" and \\ back");
    free(text);
    free(text2);
    zest_config_destroy(again);
    zest_config_destroy(cfg);
}

/* Sections must be contiguous in the table, or the dump would write one twice. */
TEST(key_table_is_well_formed) {
    for (size_t i = 0; i < config_n_keys; i++) {
        const struct config_key *k = &config_keys[i];
        ASSERT(k->help && *k->help);
        if (k->alias_of) ASSERT(config_key_find(k->alias_of) && !config_key_find(k->alias_of)->alias_of);
        if (k->type == CONFIG_ENUM && !k->alias_of) ASSERT(k->choices != NULL);
        for (size_t j = i + 1; j < config_n_keys; j++) ASSERT(strcmp(k->path, config_keys[j].path) != 0);
        const char *dot = strchr(k->path, '.');
        if (!dot || k->alias_of) continue;
        const size_t slen = (size_t)(dot - k->path) + 1;
        bool left = false;
        for (size_t j = i + 1; j < config_n_keys; j++) {
            const bool same = strncmp(config_keys[j].path, k->path, slen) == 0;
            if (config_keys[j].alias_of) continue;
            if (!same) left = true;
            else if (left) TEST_FAIL("section of %s is split at %s", k->path, config_keys[j].path);
        }
    }
}

/* docs/config.md (run from the repository root) lists every key of the table. */
TEST(docs_list_every_key) {
    size_t len = 0;
    char *doc = test_read_file("docs/config.md", &len);
    if (!doc) TEST_FAIL("docs/config.md not found (run from the repository root)");
    for (size_t i = 0; i < config_n_keys; i++) {
        char needle[128];
        snprintf(needle, sizeof needle, "`%s`", config_keys[i].path);
        ASSERT_CONTAINS(doc, needle);
    }
    free(doc);
}

TEST(destroy_and_accessors_accept_null) {
    zest_config_destroy(NULL);
    ASSERT_EQ(zest_config_warning_count(NULL), 0);
    ASSERT(zest_config_warning(NULL, 0) == NULL);
    zest_config *cfg = NULL;
    zest_error err;
    ASSERT_EQ(zest_config_load(NULL, NULL, 0, &cfg, &err), ZEST_E_USAGE);
}

TEST(override_whole_section_and_pipeline) {
    static const char *const sets[] = {"partition={mode: manual, num_of_partitions: 8}",
                                       "process=[whitespace_normalization_mapper: null]"};
    zest_config *cfg = load_ok(spec_basic, sets, 2);
    ASSERT_EQ(cfg->partition_mode, CFG_PART_MANUAL);
    ASSERT_EQ(cfg->num_of_partitions, 8);
    ASSERT_EQ(cfg->n_ops, 1);
    ASSERT_STR_EQ(cfg->ops[0].desc->info.name, "whitespace_normalization_mapper");
    zest_config_destroy(cfg);
    char msg[1024];
    static const char *const bad[] = {"partition={mode: manual, num_of_partitions: 0}"};
    load_fail(IO, bad, 1, msg, sizeof msg, NULL);
    ASSERT_STR_EQ(msg, "--set partition={mode: manual, num_of_partitions: 0}: "
                       "partition.num_of_partitions: expected a positive integer, got '0'");
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * event_types.h - the one table of event types: XX(ENUM, "name", default level). The spec's
 * types (written lower case) and the executor's. docs/events.md documents each; a unit test
 * checks the document lists every name here.
 */
#ifndef ZEST_EVENT_TYPES_H
#define ZEST_EVENT_TYPES_H

#define EVENT_TYPE_MAP(XX)                                                                     \
    XX(PROCESSING_START, "processing_start", EVLOG_INFO)                                       \
    XX(PROCESSING_COMPLETE, "processing_complete", EVLOG_INFO)                                 \
    XX(PROCESSING_ERROR, "processing_error", EVLOG_ERROR)                                      \
    XX(PARTITION_START, "partition_start", EVLOG_INFO)                                         \
    XX(PARTITION_COMPLETE, "partition_complete", EVLOG_INFO)                                   \
    XX(PARTITION_ERROR, "partition_error", EVLOG_ERROR)                                        \
    XX(OPERATION_START, "operation_start", EVLOG_INFO)                                         \
    XX(OPERATION_COMPLETE, "operation_complete", EVLOG_INFO)                                   \
    XX(OPERATION_ERROR, "operation_error", EVLOG_ERROR)                                        \
    XX(CHECKPOINT_SAVE, "checkpoint_save", EVLOG_INFO)                                         \
    XX(CHECKPOINT_LOAD, "checkpoint_load", EVLOG_INFO)                                         \
    XX(CHECKPOINT_CLEANUP, "checkpoint_cleanup", EVLOG_INFO)                                   \
    XX(PERFORMANCE_METRIC, "performance_metric", EVLOG_INFO)                                   \
    XX(RESOURCE_USAGE, "resource_usage", EVLOG_INFO)                                           \
    XX(WARNING, "warning", EVLOG_WARNING)                                                      \
    XX(INFO, "info", EVLOG_INFO)                                                               \
    XX(DEBUG, "debug", EVLOG_DEBUG)                                                            \
    XX(PARTITION_RETRY, "partition_retry", EVLOG_WARNING)                                      \
    XX(PARTITION_SKIP, "partition_skip", EVLOG_ERROR)                                          \
    XX(PARTITION_RESUME, "partition_resume", EVLOG_INFO)

#endif

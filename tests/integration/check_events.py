#!/usr/bin/env python3
"""check_events.py - asserts on a job's event log as JSON (not as text).

usage: check_events.py JOB_DIR CHECK [ARGS...]
  required-fields          every event has its required fields with the right JSON types,
                           ids are 1..n in file order, no null field is written
  has TYPE [N]             at least N (default 1) events of TYPE
  none TYPE                no event of TYPE
  op-complete NAME IN OUT  operation_complete of NAME, one per partition, sums to rows_in IN
                           and rows_out OUT
  bad-accounting N         N malformed records are all accounted for: at least the first 100
                           as warnings with file/line/offset, the rest counted as suppressed
  levels-at-least LEVEL    no event below LEVEL
Rotated events.jsonl.N.gz files are read too (oldest first)."""
import glob
import gzip
import json
import os
import sys

LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"]
TYPES = {"processing_start", "processing_complete", "processing_error", "partition_start",
         "partition_complete", "partition_error", "operation_start", "operation_complete",
         "operation_error", "checkpoint_save", "checkpoint_load", "checkpoint_cleanup",
         "performance_metric", "resource_usage", "warning", "info", "debug",
         "partition_retry", "partition_skip", "partition_resume"}


def load(job):
    d = os.path.join(job, "events")
    rotated = sorted(glob.glob(os.path.join(d, "events.jsonl.*.gz")),
                     key=lambda p: -int(p.rsplit(".", 2)[-2]))
    events = []
    for path in rotated + [os.path.join(d, "events.jsonl")]:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                events.append(json.loads(line))
    return events


def check_required(events):
    assert events, "no events"
    for i, e in enumerate(events, 1):
        assert e["event_id"] == i, f"event {i} has id {e['event_id']}"
        assert e["event_type"] in TYPES, e
        assert e["level"] in LEVELS, e
        assert isinstance(e["timestamp"], float) and e["timestamp"] > 1.7e9, e
        assert isinstance(e["message"], str) and e["message"], e
        assert isinstance(e["job_id"], str) and isinstance(e["host"], str), e
        assert isinstance(e["pid"], int), e
        assert None not in e.values(), f"null field written: {e}"
        t = e["event_type"]
        if t.startswith("operation_"):
            assert isinstance(e["operation_name"], str) and isinstance(e["operation_idx"], int), e
        if t == "operation_complete":
            assert isinstance(e["duration"], float), e
            for k in ("rows_in", "rows_out", "bytes_in", "bytes_out"):
                assert isinstance(e["metadata"][k], int), e
            for k in ("rows_per_s", "mb_per_s", "selectivity"):
                assert isinstance(e["performance_metrics"][k], float), e
        if t == "resource_usage":
            for k in ("rss_mb", "peak_rss_mb", "cpu_user_s", "cpu_sys_s"):
                assert isinstance(e["resource_usage"][k], float), e
            for k in ("threads", "open_fds", "bytes_read", "bytes_written"):
                assert isinstance(e["resource_usage"][k], int), e
        if t == "performance_metric":
            for k in ("rows_per_s", "mb_per_s"):
                assert isinstance(e["performance_metrics"][k], float), e
        if t == "processing_start":
            m = e["metadata"]
            assert isinstance(m["input_fingerprint"], str) and len(m["input_fingerprint"]) == 16, e
            assert isinstance(m["input_bytes"], int) and isinstance(m["ops"], list), e
        if t in ("processing_complete", "processing_error"):
            assert isinstance(e["duration"], float), e
            assert isinstance(e["metadata"]["rows_read"], int), e
        if t.endswith("_error"):
            assert isinstance(e["error_message"], str) and e["error_message"], e


def main():
    job, check, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    events = load(job)
    of = lambda t: [e for e in events if e["event_type"] == t]
    if check == "required-fields":
        check_required(events)
    elif check == "has":
        n = int(args[1]) if len(args) > 1 else 1
        assert len(of(args[0])) >= n, f"{len(of(args[0]))} {args[0]} events, wanted {n}"
    elif check == "none":
        assert not of(args[0]), f"unexpected {args[0]}: {of(args[0])[0]}"
    elif check == "op-complete":
        m = [e for e in of("operation_complete") if e["operation_name"] == args[0]]
        parts = {e["partition_id"] for e in m}
        assert m and len(parts) == len(m), m  # one per partition
        assert sum(e["metadata"]["rows_in"] for e in m) == int(args[1]), m
        assert sum(e["metadata"]["rows_out"] for e in m) == int(args[2]), m
    elif check == "bad-accounting":
        w = [e for e in of("warning") if "line" in e.get("metadata", {})]
        for e in w:
            assert isinstance(e["metadata"]["file"], str) and isinstance(e["metadata"]["offset"], int)
        assert len(w) >= min(100, int(args[0])), f"{len(w)} malformed-record warnings"
        suppressed = sum(e.get("metadata", {}).get("suppressed", 0) +
                         e.get("metadata", {}).get("suppressed_before", 0) for e in of("warning"))
        assert len(w) + suppressed == int(args[0]), f"{len(w)} warned + {suppressed} suppressed"
    elif check == "levels-at-least":
        low = [e for e in events if LEVELS.index(e["level"]) < LEVELS.index(args[0])]
        assert not low, low[0]
    else:
        sys.exit(f"unknown check {check}")


if __name__ == "__main__":
    main()

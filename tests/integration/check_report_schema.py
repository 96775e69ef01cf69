#!/usr/bin/env python3
"""check_report_schema.py SECTION FILE.json: the JSON's keys are exactly those docs/report.md
documents in the table under '## SECTION', with the documented types; optional keys may be
absent. Exits 1 naming each difference."""
import json
import re
import sys

TYPES = {"string": str, "int": int, "number": (int, float), "bool": bool,
         "object": dict, "array": list}


def documented(section):
    text = open("docs/report.md", encoding="utf-8").read()
    body = text.split("## " + section + "\n", 1)[1].split("\n## ", 1)[0]
    keys = {}
    for m in re.finditer(r"^\| `([^`]+)` \| ([^|]+) \|", body, re.M):
        kind = m.group(2).strip()
        keys[m.group(1)] = (kind.split()[0], "optional" in kind, "null" in kind)
    return keys


def walk(value, path, out):
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{path}.{k}" if path else k
            out.setdefault(p, []).append(v)
            walk(v, p, out)
    elif isinstance(value, list):
        for item in value:
            walk(item, path + "[]", out)


def main():
    section, path = sys.argv[1], sys.argv[2]
    doc = documented(section)
    seen = {}
    walk(json.load(open(path, encoding="utf-8")), "", seen)
    errors = [f"undocumented key {k}" for k in seen if k not in doc]
    for key, (kind, optional, nullable) in doc.items():
        parent = key.rsplit(".", 1)[0] if "." in key else ""
        if key not in seen:
            # an array's item keys exist only when the array has items
            if not optional and (parent == "" or parent in seen and "[]" not in key):
                errors.append(f"documented key {key} missing")
            continue
        for v in seen[key]:
            if v is None and nullable:
                continue
            if isinstance(v, bool) and kind != "bool" or not isinstance(v, TYPES[kind]):
                errors.append(f"{key}: {v!r} is not {kind}")
                break
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

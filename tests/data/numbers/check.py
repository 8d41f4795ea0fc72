#!/usr/bin/env python3
"""Check the shape of every-number corpus files (see GUIDE.md); never runs the matcher.

usage: check.py FILE.jsonl [FILE.jsonl ...]   exit 1 when an item is malformed (each problem printed)
"""
from __future__ import annotations

import json
import re
import sys

KINDS = {"announcement", "confirmation", "tally", "none"}
COUNTS = {"announced", "confirmed", "running", "part", "held", "arrested", "age", "date", "other"}
GOLD_KEYS = {"kind", "kinds_ok", "released_ok", "total", "traps", "announced", "announced_by", "confirmed",
             "confirmed_by", "cumulative", "disputed", "alt", "numbers"}


def digit_forms(n: int) -> set[str]:
    s = str(n)
    forms = {s}
    if n >= 1000:
        grouped = f"{n:,}"
        forms |= {grouped, grouped.replace(",", "."), grouped.replace(",", " ")}
    return forms


def problems(item: dict, seen_ids: set[str], seen_urls: set[str]) -> list[str]:
    out: list[str] = []
    for key in ("id", "lang", "title", "summary", "published", "url", "outlet", "gold"):
        if key not in item:
            out.append(f"missing {key}")
    if out:
        return out
    if item["id"] in seen_ids:
        out.append("duplicate id")
    seen_ids.add(item["id"])
    if item["url"] in seen_urls:
        out.append(f"duplicate url {item['url']}")
    seen_urls.add(item["url"])
    if item["lang"] not in ("es", "en"):
        out.append("lang must be es or en")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["published"]):
        out.append("published must look like 2026-02-04T12:00:00Z")
    g = item["gold"]
    missing = GOLD_KEYS - g.keys()
    if missing:
        out.append(f"gold lacks {sorted(missing)}")
        return out
    if g["kind"] not in KINDS or not set(g["kinds_ok"]) <= KINDS or g["kind"] not in g["kinds_ok"]:
        out.append("kind / kinds_ok wrong")
    if not isinstance(g["released_ok"], list) or not g["released_ok"]:
        out.append("released_ok must be a non-empty list ([null] when none)")
    if g["announced"] is not None and g["announced_by"] != "government":
        out.append("announced_by must be 'government' when announced is given")
    if g["confirmed"] is not None and not g["confirmed_by"]:
        out.append("confirmed_by missing")
    if g["kind"] == "none" and (g["announced"] is not None or g["confirmed"] is not None or g["disputed"]
                               or g["announced_by"] or g["confirmed_by"] or g["total"] is not None):
        out.append("kind none: every role value must be null/false (and total null)")
    alt = g["alt"] or {}
    if not isinstance(alt, dict) or not set(alt) <= {"announced", "confirmed"}:
        out.append("alt must be {} or have only announced/confirmed lists")
    text = item["title"] + "\n" + item["summary"]
    nums = g["numbers"]
    if not isinstance(nums, list):
        out.append("numbers must be a list")
        return out
    for n in nums:
        if not isinstance(n, dict) or not isinstance(n.get("value"), int) or n.get("counts") not in COUNTS:
            out.append(f"bad numbers entry {n}")
            continue
        if "by" not in n or "at" not in n:
            out.append(f"numbers entry lacks by/at: {n}")
        digits_there = any(re.search(r"(?<![\d.,])" + re.escape(f) + r"(?![\d])", text) for f in digit_forms(n["value"]))
        if not digits_there and n.get("at") and n["at"] not in text:
            out.append(f"number {n['value']}: neither its digits nor its 'at' text ({n['at']!r}) is in the item")
    labelled = {n["value"] for n in nums if isinstance(n, dict)}
    for role in ("announced", "confirmed"):
        v = g[role]
        if v is not None and v not in labelled and g["kind"] != "none":
            # a sum of parts is the one headline that may not appear as such
            if "sum" not in (item.get("note") or "").lower():
                out.append(f"headline {role} {v} is not among numbers (say 'sum' in note if it is a sum of parts)")
    for d in re.finditer(r"(?<![\w.,])\d[\d.,]*\d|(?<![\w.,])\d(?![\w])", text):
        raw = d.group().rstrip(".,")
        digits = re.sub(r"[.,](?=\d{3}(\D|$))", "", raw)
        if len(digits) > 1 and digits.startswith("0"):
            continue  # "7:00", "09": minutes and padded days
        try:
            value = int(digits)
        except ValueError:
            continue
        if value not in labelled:
            out.append(f"number {raw!r} in the text is not labelled")
    return out


def main(paths: list[str]) -> int:
    bad = 0
    total = 0
    seen_ids: set[str] = set()
    seen_urls: set[str] = set()
    for path in paths:
        for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
            if not line.strip():
                continue
            total += 1
            try:
                item = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{path}:{lineno}: not JSON ({e})")
                bad += 1
                continue
            for p in problems(item, seen_ids, seen_urls):
                print(f"{path}:{lineno} {item.get('id')}: {p}")
                bad += 1
    print(f"{total} items, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

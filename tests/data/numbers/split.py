#!/usr/bin/env python3
"""Split the every-number corpus by outlet into a development half and a sealed test half.

The outlet is the site that published the article (the URL's registered domain): every item of
one site goes to the same half, so the sealed half is news from sites the development half never
showed. Sites are dealt to the halves in a fixed pseudo-random order (a hash of the domain),
each to the half that has fewer items of its period and kind so far, so both halves cover every
period, both languages and as much non-release news. Deterministic: run it again, same halves.

usage: split.py            (reads part-*.jsonl beside it, writes dev.jsonl and sealed.jsonl)
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
SECOND_LEVEL = {"co", "com", "org", "net", "gob", "gov", "edu", "ac"}


def site(url: str) -> str:
    host = (urlsplit(url).hostname or url).lower().removeprefix("www.")
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def stratum(item: dict) -> tuple[str, str]:
    release = item["gold"]["kind"] in ("announcement", "confirmation")
    return item["id"].split("-")[0], "release" if release else "other"


def main() -> None:
    items = [json.loads(line) for p in sorted(HERE.glob("part-*.jsonl")) for line in p.open(encoding="utf-8")
             if line.strip()]
    by_site: dict[str, list[dict]] = defaultdict(list)
    for it in items:
        by_site[site(it["url"])].append(it)
    order = sorted(by_site, key=lambda s: hashlib.sha256(s.encode()).hexdigest())
    halves: dict[str, list[dict]] = {"dev": [], "sealed": []}
    counts = {h: Counter() for h in halves}
    for s in order:
        group = by_site[s]
        need = Counter(stratum(it) for it in group)
        # the half where this site's strata are scarcer, then the smaller half, then dev
        half = min(halves, key=lambda h, need=need: (sum(counts[h][k] * n for k, n in need.items()), len(halves[h])))
        halves[half].extend(group)
        counts[half].update(need)
    for half, rows in halves.items():
        rows.sort(key=lambda it: it["id"])
        with (HERE / f"{half}.jsonl").open("w", encoding="utf-8") as fh:
            for it in rows:
                fh.write(json.dumps(it, ensure_ascii=False) + "\n")
        kinds = Counter(it["gold"]["kind"] for it in rows)
        langs = Counter(it["lang"] for it in rows)
        sites = len({site(it["url"]) for it in rows})
        print(f"{half}: {len(rows)} items from {sites} sites; {dict(sorted(kinds.items()))}; {dict(sorted(langs.items()))}")


if __name__ == "__main__":
    main()

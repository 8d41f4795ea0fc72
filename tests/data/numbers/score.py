#!/usr/bin/env python3
"""Score `releasewatch match --jsonl` answers against the every-number corpus, figure by figure,
with the speaker: stricter than ../../../../shared/tools/score_matcher.py, which checks a
figure's value and role only.

A figure (role announced|confirmed) is *right* when its value is a gold value of its role (the
headline or `alt`) AND its speaker is the one the labels give that number: an official for
`announced` (any official body is "government"), for `confirmed` the verifier the `numbers`
labels name for that value (or the headline's `confirmed_by`), the outlet when they say outlet.
  sure precision  right sure figures / sure figures            (target >= 0.95)
  sure recall     gold headline announced/confirmed found sure and right / gold ones  (>= 0.60)
  official-as-confirmed  a sure confirmed figure whose value the labels give only as official
  false hope      a sure figure whose value is labelled held/arrested/age/date/other and never
                  as a release count (announced/confirmed/running/part)
  false alarms    non-release items (kind none or tally) answered announcement/confirmation

usage: score.py CASES.jsonl ANSWERS.jsonl [--all-sure] [--quiet]
  --all-sure  count every figure as sure: a matcher without `sure` shows families every figure
  --quiet     summary lines only (for the sealed half: never read its misses while tuning)
"""
from __future__ import annotations

import json
import re
import sys

OFFICIAL = re.compile(r"gov|gobierno|fiscal|prosecut|attorney|minist|court|tribunal|president|presiden|saab|"
                      r"rodr[ií]guez|maduro|cabello|official|autoridad|authorit|asamblea|assembly|servicio|"
                      r"penitenciari|defensor|tsj|state department", re.I)
RELEASE_COUNTS = {"announced", "confirmed", "running", "part"}
NOT_RELEASE = {"held", "arrested", "age", "date", "other"}
ALERT = {"announcement", "confirmation"}


def same(gold: str | None, answer: str | None) -> bool:
    if not gold or not answer:
        return False
    g, a = gold.lower(), answer.lower()
    if g == "government":
        return bool(OFFICIAL.search(a))
    # one body written two ways: "JEP" and "JEyP" are Justicia, Encuentro y Perdón; "UN" is "ONU";
    # "rights groups" and "NGOs" are the same unnamed verifiers; "opposition" is the opposition's
    # alliance of the day (the MUD, since 2021 the PUD), which the matcher names
    aliases = {"comité de madres": "madres", "observatorio venezolano de prisiones": "ovp", "relatives": "famil",
               "lawyers": "abogad", "jep": "jeyp", "jeyp": "jep", "un": "onu", "rights groups": "ngo",
               "un fact-finding mission": "determinación de los hechos"}
    if g == "opposition" and a in ("pud", "mud"):
        return True
    return g in a or a in g or aliases.get(g, "\0") in a or aliases.get(a, "\0") in g


def speakers_of(g: dict, value: int, role: str) -> list[str | None]:
    """Who the labels say gives this value in this role."""
    wanted = {"announced", "running"} if role == "announced" else {"confirmed", "running"}
    out = [n.get("by") for n in g.get("numbers", []) if n["value"] == value and n["counts"] in wanted
           and not n.get("earlier")]
    if role == "confirmed" and g.get("confirmed") == value:
        out.append(g.get("confirmed_by"))
    if role == "announced" and g.get("announced") == value:
        out.append("government")
    return out


def figure_right(g: dict, f: dict) -> tuple[bool, str]:
    alt = g.get("alt") or {}
    role, value = f["role"], f["value"]
    # the headline value, the alternatives, and any number the labels give this role in this item
    # (a running count of an item whose headline is none: "Foro Penal has counted 448 since …")
    labelled = {n["value"] for n in g.get("numbers", []) if not n.get("earlier") and (
        n["counts"] in ("announced", "running") and n.get("by") == "government" if role == "announced"
        else n["counts"] in ("confirmed", "running") and n.get("by") != "government")}
    values = ({g.get(role)} | set(alt.get(role, [])) | labelled) - {None}
    if value not in values:
        return False, "value"
    by, kind = f.get("by"), f.get("by_kind")
    if role == "announced":
        return (kind == "official" or same("government", by)), "speaker"
    who = speakers_of(g, value, role)
    if not who:  # an alt value the labels give no speaker for: the value is enough
        return kind != "official", "speaker"
    for w in who:
        if w == "outlet" and (kind == "outlet" or by is None):
            return True, ""
        if w and w != "government" and kind != "official" and same(w, by):
            return True, ""
    return False, "speaker"


def pct(x: int, y: int) -> str:
    return f"{x / y:.2f}" if y else "n/a"


def main(argv: list[str]) -> int:
    all_sure = "--all-sure" in argv
    quiet = "--quiet" in argv
    paths = [a for a in argv if not a.startswith("--")]
    with open(paths[0], encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    answers = {}
    with open(paths[1], encoding="utf-8") as f:
        for line in f:
            if line.strip():
                a = json.loads(line)
                answers[a["id"]] = a
    n_fig = n_right = n_sure = sure_right = rec_n = rec_ok = oac = hope = 0
    alarms = non_release = tp = fp = fn = 0
    misses: list[str] = []
    for c in cases:
        g, a = c["gold"], answers.get(c["id"], {})
        labels = g.get("numbers", [])
        release_vals = {n["value"] for n in labels if n["counts"] in RELEASE_COUNTS}
        bad_vals = {n["value"] for n in labels if n["counts"] in NOT_RELEASE} - release_vals
        official_only = ({n["value"] for n in labels if n["counts"] in ("announced", "running") and n.get("by") == "government"}
                         | ({g["announced"]} if g.get("announced") is not None else set()))
        official_only -= {n["value"] for n in labels if n["counts"] in ("confirmed", "running") and n.get("by") != "government"}
        official_only -= {g.get("confirmed")}
        figs = [f for f in a.get("figures") or [] if f.get("role") in ("announced", "confirmed")]
        for f in figs:
            ok, why = figure_right(g, f)
            sure = all_sure or bool(f.get("sure"))
            n_fig += 1
            n_right += ok
            if not sure:
                continue
            n_sure += 1
            sure_right += ok
            if not ok:
                misses.append(f"sure but wrong ({why}) {c['id']}: {f['role']} {f['value']} by {f.get('by')!r}")
            if f["value"] in bad_vals:
                hope += 1
                misses.append(f"FALSE HOPE {c['id']}: {f['value']} is labelled not a release")
            if f["role"] == "confirmed" and f["value"] in official_only:
                oac += 1
                misses.append(f"OFFICIAL AS CONFIRMED {c['id']}: {f['value']}")
        for role in ("announced", "confirmed"):
            if g.get(role) is not None:
                rec_n += 1
                hit = any(f["role"] == role and (all_sure or f.get("sure")) and figure_right(g, f)[0]
                          and f["value"] in ({g[role]} | set((g.get("alt") or {}).get(role, []))) for f in figs)
                rec_ok += hit
                if not hit:
                    misses.append(f"not found sure {c['id']}: {role} {g[role]} by {g.get(role + '_by')!r}")
        pred = a.get("kind", "none") in ALERT
        gold = g["kind"] in ALERT
        if not gold:
            non_release += 1
        if pred and (gold or a.get("kind") in g["kinds_ok"]):
            tp += 1
        elif pred:
            fp += 1
            alarms += 1
            misses.append(f"false alarm {c['id']}: {a.get('kind')}")
        elif gold and a.get("kind", "none") not in g["kinds_ok"]:
            fn += 1
            misses.append(f"missed {c['id']}")
    if not quiet:
        for m in misses:
            print(m)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"items {len(cases)}: alert-F1 {f1:.2f} (P {p:.2f} R {r:.2f}); false alarms {alarms} of {non_release} "
          "non-release")
    print(f"figures (all): right {n_right}/{n_fig} = {pct(n_right, n_fig)}; "
          f"sure{' (every figure counted sure)' if all_sure else ''}: precision {pct(sure_right, n_sure)} "
          f"({sure_right}/{n_sure}), recall {pct(rec_ok, rec_n)} ({rec_ok}/{rec_n}); "
          f"official-as-confirmed {oac}; false hope {hope}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

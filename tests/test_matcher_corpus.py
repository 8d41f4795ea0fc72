"""The matcher measured on our labelled corpus (tests/data/matcher_corpus.jsonl, written by us, in
the label format of shared/tools/score_matcher.py). These sets were tuned on: they are regression
guards, not evidence of accuracy (that is tests/test_matcher_sure.py's sealed-half score, in
tests/data/LABELS.md).

Since issue 22 the headline numbers come from sure figures only: an item whose numbers the text
does not bind to a release and a speaker alerts without a number. So a headline number, when the
matcher gives one, must be right; it may be absent."""

import json
import re
from pathlib import Path

import pytest

from bot.matcher import KINDS, match

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "matcher_corpus.jsonl"
# written later by another hand, first scored blind (alert-F1 0.72), then used to find the
# matcher's weak spots: it now guards them against regressions
HOLDOUT = DATA / "matcher_holdout.jsonl"
# a third set written blind (first score: alert-F1 0.84, 6 false alarms); same story since
BLIND = DATA / "matcher_blind.jsonl"
# 83 items rewritten from real 2024-2026 reporting with full role labels; first scored blind by the
# role-aware matcher (roles: announced 17/29, confirmed 21/41, official-as-confirmed 6; see
# LABELS.md), then tuned on with general rules
ROLES_BLIND = DATA / "matcher_roles_blind.jsonl"
ALERT = {"announcement", "confirmation"}
OFFICIAL = re.compile(r"gov|gobierno|fiscal|prosecut|attorney|minist|court|tribunal|president|"
                      r"presiden|saab|rodr[ií]guez|maduro|cabello|official|autoridad|authorit", re.I)


def score(cases, answers):
    """Same metrics as shared/tools/score_matcher.py."""
    tp = fp = fn = 0
    kind_ok = kind_n = count_ok = count_n = total_ok = total_n = 0
    misses = []
    for c in cases:
        g, a = c["gold"], answers[c["id"]]
        kind = a["kind"]
        gold_alert, pred_alert = g["kind"] in ALERT, kind in ALERT
        if pred_alert and (gold_alert or kind in g["kinds_ok"]):
            tp += 1
        elif pred_alert:
            fp += 1
            misses.append(("false alarm", c["id"]))
        elif gold_alert and kind not in g["kinds_ok"]:
            fn += 1
            misses.append(("missed", c["id"]))
        if g["kind"] != "none":
            kind_n += 1
            kind_ok += kind in g["kinds_ok"]
        if gold_alert and g["released_ok"] != [None] and a["released"] is not None:
            count_n += 1  # a number shown must be right; none shown is the numberless alert
            count_ok += a["released"] in g["released_ok"]
        if g["total"] is not None:
            total_n += 1
            total_ok += a["total_prisoners"] == g["total"]
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"f1": f1, "fp": fp, "kind": kind_ok / kind_n, "count": count_ok / count_n,
            "total": total_ok / total_n, "misses": misses}


def same_source(gold, answer):
    """As shared/tools/score_matcher.py: 'government' is any official; else a substring either way."""
    if not gold or not answer:
        return gold == answer
    if gold.lower() == "government":
        return bool(OFFICIAL.search(answer))
    return gold.lower() in answer.lower() or answer.lower() in gold.lower()


def score_roles(cases, answers):
    """The 'roles:' line of shared/tools/score_matcher.py: who said which number."""
    ann_ok = ann_n = conf_ok = conf_n = by_ok = by_n = official_as_confirmed = 0
    misses = []
    for c in cases:
        g, a = c["gold"], answers[c["id"]]
        ga, gc, aa, ac = g.get("announced"), g.get("confirmed"), a["announced"], a["confirmed"]
        alt = g.get("alt") or {}
        # a figure shown must be right: the round's value, another verifier's or a running count
        if aa is not None:
            ann_n += 1
            ann_ok += aa == ga or aa in alt.get("announced", []) or (a["cumulative"] is not None and ga is None)
            if aa != ga:
                misses.append(("announced", c["id"], aa, ga))
        if ac is not None:
            conf_n += 1
            conf_ok += ac == gc or ac in alt.get("confirmed", [])
            if ac != gc:
                misses.append(("confirmed", c["id"], ac, gc))
        if gc is not None and ac == gc and "confirmed_by" in g:
            by_n += 1
            by_ok += same_source(g["confirmed_by"], a["confirmed_by"])
            if not same_source(g["confirmed_by"], a["confirmed_by"]):
                misses.append(("confirmed_by", c["id"], a["confirmed_by"], g["confirmed_by"]))
        if ac is not None and ga is not None and ac == ga and gc != ga:
            official_as_confirmed += 1
            misses.append(("official figure shown as confirmed", c["id"], ac))
    return {"announced": ann_ok / max(ann_n, 1), "confirmed": conf_ok / max(conf_n, 1), "confirmed_by": by_ok / max(by_n, 1),
            "official_as_confirmed": official_as_confirmed, "misses": misses}


def answer_all(cases):
    return {c["id"]: match(c["title"], c["summary"], c.get("lang"), c.get("published")).to_json(c["id"]) for c in cases}


def load(path=CORPUS):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_corpus_has_the_required_shape():
    cases = load()
    assert len(cases) >= 120
    assert sum(c["lang"] == "es" for c in cases) >= len(cases) / 2
    assert sum(c["gold"]["kind"] == "none" for c in cases) >= len(cases) / 3
    assert {c["gold"]["kind"] for c in cases} == set(KINDS)


@pytest.mark.parametrize("path", [CORPUS, HOLDOUT, BLIND], ids=["corpus", "holdout", "blind"])
def test_matcher_meets_the_acceptance_scores(path):
    cases = load(path)
    answers = answer_all(cases)
    s = score(cases, answers)
    report = f"F1 {s['f1']:.2f} kind {s['kind']:.2f} count {s['count']:.2f} total {s['total']:.2f} {s['misses']}"
    assert s["fp"] == 0, report
    assert s["f1"] >= 0.95, report
    assert s["kind"] >= 0.9, report
    assert s["count"] >= 0.9, report
    assert s["total"] >= 0.9, report


def test_language_is_detected_when_the_feed_does_not_say():
    cases = load()
    wrong = [c["id"] for c in cases if match(c["title"], c["summary"]).lang != c["lang"]]
    assert len(wrong) <= len(cases) * 0.03, wrong


@pytest.mark.parametrize("path", [CORPUS, HOLDOUT, BLIND, ROLES_BLIND], ids=["corpus", "holdout", "blind", "roles_blind"])
def test_every_figure_has_the_right_speaker(path):
    """No official figure ever shown as confirmed; a headline figure shown carries the right number
    (issue 22: shown only when sure) and the right verifier."""
    cases = load(path)
    r = score_roles(cases, answer_all(cases))
    report = f"announced {r['announced']:.2f} confirmed {r['confirmed']:.2f} by {r['confirmed_by']:.2f} {r['misses']}"
    assert r["official_as_confirmed"] == 0, report
    assert r["announced"] >= 0.9, report
    assert r["confirmed"] >= 0.9, report
    assert r["confirmed_by"] >= 0.95, report


def test_roles_blind_keeps_the_alert_scores():
    """The set written from real reporting: alert-F1 at least 0.95 and no false alarm."""
    cases = load(ROLES_BLIND)
    s = score(cases, answer_all(cases))
    assert s["fp"] == 0 and s["f1"] >= 0.95, s["misses"]

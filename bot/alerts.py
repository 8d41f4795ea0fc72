"""Alert texts: what a family or an NGO reads, in their language, as plain text and as HTML.

Pure functions from stored snapshots to a Message. Every string that came from a feed is escaped
here, once, for the HTML form; links are kept only when they are http(s). Platform adapters only
transport the result (Matrix turns line breaks into <br>).

Longer than most modules (about 540 lines) because every alert shape (a new round, an update and
what changed, a numberless report, a tally, a staff card, a prison note) is written here beside the
others: a family's words are read and compared in one place, plain and HTML side by side.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .events import RunningCount
from .figures import Figure, Role
from .i18n import date_text, day, num, t
from .naming import named, plural, round_names, speaker
from .snapshot import Snapshot, figures_of, iso


@dataclass(frozen=True)
class Message:
    text: str  # plain text
    html: str  # Telegram-compatible HTML (b, i, a, code); line breaks as \n
    silent: bool = False  # low priority: deliver without a notification sound
    buttons: tuple[tuple[str, str], ...] = ()  # (label, callback data) for platforms with buttons

    def __add__(self, other: Message) -> Message:
        return Message(f"{self.text}\n{other.text}", f"{self.html}\n{other.html}", self.silent and other.silent,
                       self.buttons + other.buttons)


def esc(value: Any) -> str:
    """The one HTML escape of what a message quotes (text and attribute values alike)."""
    return html.escape(str(value), quote=True)


def plain(text: str) -> Message:
    """A message of plain text: its HTML is the same text, escaped."""
    return Message(text, esc(text))


MAX_HREF = 1000  # escaped; a longer link is dropped (the label stays) so a message can always be split


def link(label: str, url: str | None) -> str:
    """An HTML link to an http(s) URL, or just the escaped label."""
    if url and url.startswith(("http://", "https://")) and len(esc(url)) <= MAX_HREF:
        return f'<a href="{esc(url)}">{esc(label)}</a>'
    return esc(label)


# a chat shows a headline's kind and a dispute as an emoji; the page as a CSS marker, so that
# nothing there needs an emoji font
MARKS = {"confirmed": "✅", "announced": "📢", "update": "🔄", "reported": "📰", "disputed": "⚠️"}


@dataclass(frozen=True)
class Headline:
    """What an alert says first: its kind (confirmed, announced, update, reported) and its words."""

    kind: str
    text: str  # with the places, without the mark

    def __str__(self) -> str:
        return f"{MARKS[self.kind]} {self.text}"


@dataclass(frozen=True)
class Shown:
    """What a reader is shown of a round: the official figure that stands (the latest), each
    verifier's highest figure (highest first, one per speaker) and one name per speaker. Sure
    figures only: families never see a number the text did not bind."""

    official: Figure | None
    verifiers: tuple[Figure, ...]
    names: Mapping[str, str]  # every speaker name of the round -> the one name the round gives it

    def who(self, lang: str, f: Figure) -> str:
        """Who gave f, as readers are told: its speaker in lang, else the outlet that counted."""
        return named(self.names, lang, f.by) if f.by else f.outlet

    def speaker_of(self, f: Figure) -> str:
        """The round's one name for f's speaker (the outlet when it counted for itself)."""
        return self.names.get(f.by, f.by) if f.by else f.outlet


def shown(snap: Snapshot | Mapping[str, Any]) -> Shown:
    figs = [f for f in figures_of(snap) if f.sure]  # type: ignore[arg-type]
    names = round_names(figs, [snap.get("disputed_by")])
    announced = [f for f in figs if f.role == Role.ANNOUNCED]
    official = None
    if announced:
        stands = max(announced, key=lambda f: (_published(f), f.value)).value
        # told as the first who gave it: a retelling ("the government speaks of 116") does not
        # rename the ministry that announced 116 in the round's next alert
        official = min((f for f in announced if f.value == stands), key=_published)
    view = Shown(official, (), names)
    best: dict[str, Figure] = {}
    for f in sorted((f for f in figs if f.role == Role.CONFIRMED), key=lambda f: (-f.value, _published(f))):
        best.setdefault(view.speaker_of(f), f)
    return Shown(official, tuple(best.values()), names)


def _cap(text: str) -> str:
    """A sentence that starts with a speaker ('familiares confirman …') starts with a capital."""
    return text[:1].upper() + text[1:]


def _plural_key(key: str, name: str | None) -> str:
    return f"{key}_plural" if plural(name) else key


def _source(fig: Figure, lang: str, view: Shown) -> tuple[str, str]:
    """'JEyP, via Andes Post (31 Dec 2025)' as text and HTML."""
    when = day(lang, fig.published)
    outlet = fig.outlet
    if fig.by:
        who = view.who(lang, fig)
        text = t(lang, "source.org_via", org=who, outlet=outlet, date=when)
        markup = t(lang, "source.org_via", org=esc(who), outlet=link(outlet, fig.link), date=esc(when))
    else:
        text = t(lang, "source.outlet", outlet=outlet, date=when)
        markup = t(lang, "source.outlet", outlet=link(outlet, fig.link), date=esc(when))
    return text, markup


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _published(f: Figure) -> str:
    return iso(f.published) or ""


def _figure_lines(view: Shown, role: str, lang: str) -> tuple[list[str], list[str]]:
    """'Announced: 225 — Fiscalía (Tarek William Saab), via X (date)': the official figure that
    stands (the latest); 'Confirmed: 107 — Foro Penal, via Y (date); 53 — JEyP, via Z (date)':
    each verifier's highest figure, highest first, on one line. Retellings collapse."""
    if role == Role.ANNOUNCED:
        chosen = [view.official] if view.official else []
    else:
        chosen = list(view.verifiers[:4])
    if not chosen:
        return [], []
    label = t(lang, f"label.{role}")
    parts = [(num(lang, f.value), *_source(f, lang, view)) for f in chosen]
    text = f"{label}: " + "; ".join(f"{n} — {src}" for n, src, _ in parts)
    markup = f"{esc(label)}: " + "; ".join(f"<b>{esc(n)}</b> — {src}" for n, _, src in parts)
    return [text], [markup]


def _who_said(snap: Snapshot, lang: str, roles: tuple[str, ...] = ("announced", "confirmed"),
              running: bool = True) -> tuple[list[str], list[str]]:
    """The figures in their roles with who said them, then a dispute and the running counts."""
    texts, markups = [], []
    view = shown(snap)
    for role in roles:
        rt, rm = _figure_lines(view, role, lang)
        texts += rt
        markups += rm
    dt, dm = _dispute_and_running(snap, lang, running, view)
    return texts + dt, markups + dm


def dispute_text(snap: Snapshot | Mapping[str, Any], lang: str, view: Shown | None = None,
                 reported_by: str | None = None) -> str | None:
    """Who disputes the official figure ('Foro Penal disputes the official figure'); when no one
    is named, which outlet reported the dispute. None when nobody disputes it."""
    if not snap.get("disputed"):
        return None
    view = view or shown(snap)
    who = snap.get("disputed_by")
    if who:
        name = view.names.get(who, who)
        return _cap(t(lang, _plural_key("label.disputed_by", name), who=speaker(lang, name)))
    trigger: Mapping[str, Any] = snap.get("trigger") or {}
    outlet = reported_by or (trigger.get("outlet") if trigger.get("disputed") else None)
    return t(lang, "label.disputed_in", outlet=outlet) if outlet else t(lang, "label.disputed")


def running_text(lang: str, role: str, by: str, value: int, since: date | None) -> str:
    """'Foro Penal's running count: 444 releases verified since January 8, 2026' (a verifier's);
    'According to the Government, 895 releases in all' (an official claim)."""
    when = date_text(lang, since) if since else None
    if role == Role.ANNOUNCED:
        key = "label.running_official_since" if when else "label.running_official"
    else:
        key = "label.running_since" if when else "label.running"
    return t(lang, key, by=speaker(lang, by), value=num(lang, value), since=when)


def _dispute_and_running(snap: Snapshot, lang: str, running: bool = True,
                         view: Shown | None = None) -> tuple[list[str], list[str]]:
    """'⚠️ Foro Penal disputes the official figure' and each running count over the campaign."""
    texts = []
    dispute = dispute_text(snap, lang, view)
    if dispute:
        texts.append(f"{MARKS['disputed']} {dispute}")
    for r in (snap.get("running") or []) if running else []:
        start = r.get("since")
        texts.append(running_text(lang, r["role"], r["by"], r["value"], date.fromisoformat(start[:10]) if start else None))
    return texts, [esc(x) for x in texts]


def headline(snap: Snapshot, lang: str, update: bool = False) -> str:
    """The first line of an alert, its mark an emoji: '✅ Confirmed 33 of 87 announced releases — Rodeo I'."""
    return str(head_of(snap, lang, update))


def head_of(snap: Snapshot | Mapping[str, Any], lang: str, update: bool = False) -> Headline:
    """What an alert says first; an update says what changed since the alert before it."""
    ann, conf = snap.get("announced"), snap.get("confirmed")
    where = ", ".join(snap.get("prisons") or [])
    if update:
        kind, head = "update", _what_changed(snap, lang)
    elif conf is not None and ann:
        kind, head = "confirmed", t(lang, "headline.confirmed_of", confirmed=num(lang, conf), announced=num(lang, ann))
    elif conf is not None:
        kind, head = "confirmed", t(lang, "headline.confirmed", confirmed=num(lang, conf))
    elif ann is not None:
        kind, head = "announced", t(lang, "headline.announced", announced=num(lang, ann))
    elif unverified(snap):
        kind, head = "reported", t(lang, "headline.reported")  # the item had numbers, none the text binds
    elif snap.get("trigger", {}).get("kind") == "announcement":
        kind, head = "announced", t(lang, "headline.announced_unknown")
    else:
        kind, head = "confirmed", t(lang, "headline.confirmed_unknown")
    head = _cap(head)
    return Headline(kind, f"{head} — {where}" if where else head)


def _what_changed(snap: Snapshot | Mapping[str, Any], lang: str) -> str:
    """An update's headline: the round's count rising ('Update: 71 of 99 announced releases now
    confirmed'), else a verifier's own figure ('JEyP confirms 53 releases'), the official figure
    arriving, or the dispute. What changed is what the item that made the revision brought."""
    ann, conf = snap.get("announced"), snap.get("confirmed")
    view = shown(snap)
    item = (snap.get("trigger") or {}).get("item")
    figs = [f for f in figures_of(snap) if f.sure]  # type: ignore[arg-type]
    brought = [f for f in figs if item and f.item_id == item]
    before = [f for f in figs if not (item and f.item_id == item)]
    before_conf = max((f.value for f in before if f.role == Role.CONFIRMED), default=None)
    rose = conf is not None and (before_conf is None or conf > before_conf)
    # a snapshot whose figures do not say which item brought them (older ones) is told as before
    said_disputed = bool((snap.get("trigger") or {}).get("disputed"))
    if rose or (conf is not None and not brought and not said_disputed):
        if ann:
            return t(lang, "headline.update_of", confirmed=num(lang, conf), announced=num(lang, ann))
        return t(lang, "headline.update", confirmed=num(lang, conf))
    for f in sorted((f for f in brought if f.role == Role.CONFIRMED), key=lambda f: -f.value):
        earlier = max((g.value for g in before if g.role == Role.CONFIRMED and view.speaker_of(g) == view.speaker_of(f)),
                      default=None)
        if earlier is None or f.value > earlier:
            return t(lang, _plural_key("headline.update_verifier", view.speaker_of(f)), who=view.who(lang, f),
                     confirmed=num(lang, f.value))
    official = view.official
    if official is not None and ann is not None and any(f.role == Role.ANNOUNCED for f in brought) \
            and not any(f.role == Role.ANNOUNCED for f in before):
        who = view.who(lang, official) if official.by else t(lang, "source.government")
        return t(lang, _plural_key("headline.update_announced", view.speaker_of(official) if official.by else None),
                 who=who, announced=num(lang, ann))
    dispute = dispute_text(snap, lang, view)
    if dispute:
        return dispute
    if conf is not None:
        return t(lang, "headline.update_of", confirmed=num(lang, conf), announced=num(lang, ann)) if ann else \
            t(lang, "headline.update", confirmed=num(lang, conf))
    if ann is not None:
        return t(lang, "headline.announced", announced=num(lang, ann))
    return t(lang, "headline.reported")


def unverified(snap: Snapshot | Mapping[str, Any]) -> bool:
    """The round has no number families may see, and the item that made it gave numbers no one
    has bound to a release and its speaker: said as reported, in the outlet's words."""
    if snap.get("announced") is not None or snap.get("confirmed") is not None:
        return False
    trigger_figures = (snap.get("trigger") or {}).get("figures") or []
    return any(not f.get("sure") for f in trigger_figures if f.get("role") in (Role.ANNOUNCED, Role.CONFIRMED))


def render_event(snap: Snapshot, lang: str, update: bool = False) -> Message:
    """The alert for one event revision: in full, or (update=True) as a short reply to the first
    alert the reader already has."""
    head = headline(snap, lang, update)
    texts, markups = [head], [f"<b>{esc(head)}</b>"]
    if update:
        # an update replies to the first alert: say only what changed and who says so
        wt, wm = _who_said(snap, lang, ("confirmed", "announced"), running=False)
        texts += wt
        markups += wm
    else:
        wt, wm = _who_said(snap, lang)
        texts += wt
        markups += wm
        ann, conf = snap.get("announced"), snap.get("confirmed")
        if ann and conf is not None and ann > conf:
            gap = t(lang, "label.pending", count=num(lang, ann - conf))
            texts.append(gap)
            markups.append(esc(gap))
        elif ann and conf is None:
            note = t(lang, "note.unconfirmed")
            texts.append(note)
            markups.append(f"<i>{esc(note)}</i>")
        elif unverified(snap):
            note = t(lang, "note.numbers_unverified")
            texts.append(note)
            markups.append(f"<i>{esc(note)}</i>")
    trigger: Mapping[str, Any] = snap.get("trigger") or {}
    if trigger.get("title"):
        label = t(lang, "label.read")
        texts.append(f"{label}: {trigger['title']} ({trigger.get('outlet', '')}) {trigger.get('link') or ''}".rstrip())
        markups.append(f"{esc(label)}: {link(trigger['title'], trigger.get('link'))} ({esc(trigger.get('outlet', ''))})")
    return Message("\n".join(texts), "\n".join(markups))


def render_watch(data: dict[str, Any], lang: str) -> Message:
    """A private alert: a watched name appears in an item about releases."""
    key = "watch.alert_exact" if data["exact"] else "watch.alert_possible"
    head = t(lang, key, name=data["name"], watched=data["watched"])
    quote = f"«{data['sentence']}»" if lang == "es" else f"“{data['sentence']}”"
    source = t(lang, "watch.source", outlet=data["outlet"])
    text = f"{head}\n{quote}\n{source} {data.get('link') or ''}".rstrip()
    html_source = t(lang, "watch.source", outlet=link(data["outlet"], data.get("link")))
    return Message(text, f"<b>{esc(head)}</b>\n<i>{esc(quote)}</i>\n{html_source}")


def render_note(data: dict[str, Any], lang: str) -> Message:
    """A quiet note: a transfer or visit restriction at a prison the reader follows."""
    kind = data["kind"]
    head = t(lang, f"note.{kind}", prison=data["prison"])
    text = f"{head}\n{data['title']} ({data['outlet']}) {data.get('link') or ''}".rstrip()
    markup = f"{esc(head)}\n{link(data['title'], data.get('link'))} ({esc(data['outlet'])})"
    return Message(text, markup, silent=True)


def render_review(snap: Snapshot, rev: Mapping[str, Any], lang: str, platform: str) -> Message:
    """A held alert for staff: what families would read, and how to decide."""
    event_id, revision = snap["event_id"], snap["revision"]
    confidence = rev.get("confidence")
    head = t(lang, "review.held", event=event_id, revision=revision,
             confidence=f"{confidence:.2f}" if confidence is not None else "—")
    alert = render_event(snap, lang)
    status = rev.get("status", "held")
    if status != "held":
        done = t(lang, f"review.already_{status}", who=rev.get("decided_by") or "?") if status in (
            "released", "rejected") else t(lang, "review.superseded")
        return Message(f"{head}\n{done}", f"<b>{esc(head)}</b>\n{esc(done)}")
    ft, fm = _item_figures(snap, lang)
    if ft:
        alert = alert + Message("\n" + "\n".join(ft), "\n" + "\n".join(fm))
    if platform == "telegram":
        how = t(lang, "review.how_telegram", event=event_id)
        buttons: tuple[tuple[str, str], ...] = ((t(lang, "review.approve"), f"rv:a:{event_id}:{revision}"),
                   (t(lang, "review.reject"), f"rv:r:{event_id}:{revision}"),
                   (t(lang, "review.edit"), f"rv:e:{event_id}:{revision}"))
    else:
        how = t(lang, "review.how_matrix", event=event_id)
        buttons = ()
    return Message(f"{head}\n\n{alert.text}\n\n{how}", f"<b>{esc(head)}</b>\n\n{alert.html}\n\n<i>{esc(how)}</i>",
                   buttons=buttons)


def _item_figures(snap: Snapshot, lang: str) -> tuple[list[str], list[str]]:
    """Every figure the held item gave, numbered, sure or not, each with its quote: what staff
    confirm, fix or drop (/figure)."""
    figs = [f for f in (snap.get("trigger") or {}).get("figures") or [] if f.get("role") in (Role.ANNOUNCED, Role.CONFIRMED)]
    if not figs:
        return [], []
    texts, markups = [t(lang, "review.figures")], [f"<b>{esc(t(lang, 'review.figures'))}</b>"]
    for n, f in enumerate(figs, 1):
        role = f["role"]
        mark = "✗" if f.get("staff") == "not_a_release" else "✓" if f.get("sure") else "?"
        values = {"n": n, "mark": mark, "role": t(lang, f"label.{role}"),
                  "value": num(lang, f["value"]), "by": speaker(lang, f.get("by")) or t(lang, "review.by_nobody"),
                  "quote": (f.get("quote") or "")[:200]}
        texts.append(t(lang, "review.figure_line", **values))
        markups.append(t(lang, "review.figure_line", **{k: esc(v) for k, v in values.items()}))
    how = t(lang, "review.figures_how", event=snap.get("event_id"))
    return texts + [how], markups + [f"<i>{esc(how)}</i>"]


_KIND_LABEL = {"official": "source.kind_official", "independent": "source.kind_independent", "outlet": "source.kind_outlet"}


def render_event_history(event: Any, revisions: Sequence[Mapping[str, Any]], lang: str,
                         snapshots: Mapping[int, Snapshot] | None = None) -> Message:
    """/event N: every figure with its source and time, and every revision with its review and
    what its item said, figure by figure, sure (✓) or not (?), with its quote."""
    head = t(lang, "event.title", id=event.id, date=day(lang, event.first_published),
             place=", ".join(event.prisons) or t(lang, "status.place_unknown"))
    texts, markups = [head], [f"<b>{esc(head)}</b>"]
    names = round_names(event.figures, [event.disputed_by])
    for f in sorted(event.figures, key=lambda f: f.published):
        label = t(lang, f"label.{f.role}")
        who = named(names, lang, f.org) or (t(lang, "source.government") if f.role == "announced" else f.outlet)
        manual = " " + t(lang, "event.manual") if f.outlet == "manual" else ""
        kind = f" ({t(lang, _KIND_LABEL[f.by_kind])})" if f.by_kind in _KIND_LABEL else ""
        line = f"{day(lang, f.published)} · {label}: {num(lang, f.value)} — {who}{kind}{manual}"
        texts.append(line)
        markups.append(f"{esc(day(lang, f.published))} · {esc(label)}: <b>{esc(num(lang, f.value))}</b> — "
                       f"{link(who, f.link)}{esc(kind)}{esc(manual)}")
    dt, dm = _dispute_and_running({"disputed": event.disputed, "disputed_by": event.disputed_by}, lang, running=False)
    texts += dt
    markups += dm
    if event.gap:
        gap = t(lang, "label.pending", count=num(lang, event.gap))
        texts.append(gap)
        markups.append(esc(gap))
    for r in revisions:
        status = r["status"]
        line = t(lang, "event.revision", revision=r["revision"], status=t(lang, f"review.status_{status}"),
                 who=r.get("decided_by") or "—")
        if r.get("reason"):
            line += f" ({r['reason']})"
        texts.append(line)
        markups.append(esc(line))
        for f in ((snapshots or {}).get(r["revision"]) or {}).get("trigger", {}).get("figures") or []:
            if f.get("role") not in (Role.ANNOUNCED, Role.CONFIRMED):
                continue
            mark = "✗" if f.get("staff") == "not_a_release" else "✓" if f.get("sure") else "?"
            role = str(f["role"])
            said = (f"  {mark} {t(lang, f'label.{role}')}: {num(lang, f['value'])} — "
                    f"{f.get('by') or t(lang, 'review.by_nobody')} «{(f.get('quote') or '')[:160]}»")
            texts.append(said)
            markups.append(esc(said))
    return Message("\n".join(texts), "\n".join(markups))


def render_status(events: list[Any], tallies: Sequence[Mapping[str, Any]], lang: str,
                  outlets: dict[int, list[str]] | None = None, running: Sequence[RunningCount] = ()) -> Message:
    """The ledger: latest rounds (who announced how many, what each verifier confirmed, the gap,
    a disputed official figure), the running counts over the campaign, and the latest tallies."""
    texts = [t(lang, "status.title")]
    markups = [f"<b>{esc(texts[0])}</b>"]
    if not events and not tallies and not running:
        msg = t(lang, "status.empty")
        return Message(f"{texts[0]}\n{msg}", f"{markups[0]}\n{esc(msg)}")
    for ev in events:
        when = day(lang, ev.first_published)
        where = ", ".join(ev.prisons) or t(lang, "status.place_unknown")
        line = t(lang, "status.event", id=ev.id, date=when, place=where)
        texts.append("")
        markups.append("")
        texts.append(line)
        markups.append(f"<b>{esc(line)}</b>")
        snap: Snapshot = {"figures": [f.to_record() for f in ev.figures], "disputed": ev.disputed,
                          "disputed_by": ev.disputed_by}
        wt, wm = _who_said(snap, lang, running=False)
        texts += wt
        markups += wm
        if ev.gap:
            gap = t(lang, "label.pending", count=num(lang, ev.gap))
            texts.append(gap)
            markups.append(esc(gap))
        if outlets and outlets.get(ev.id):
            rep = t(lang, "status.reported_by", outlets=", ".join(outlets[ev.id]))
            texts.append(rep)
            markups.append(esc(rep))
    if running:
        title = t(lang, "status.running_title")
        rt, rm = _dispute_and_running({"running": [
            {"role": r.role, "by": r.by, "value": r.value, "since": r.since.isoformat() if r.since else None}
            for r in running]}, lang)
        texts += ["", title, *rt]
        markups += ["", f"<b>{esc(title)}</b>", *rm]
    if tallies:
        texts.append("")
        markups.append("")
        seen: set[str] = set()
        for tl in tallies:
            who = speaker(lang, tl.get("org")) or tl["outlet"]
            if who in seen:
                continue  # one count per source: the latest (outlets retell the same count)
            seen.add(who)
            line = t(lang, "status.tally", total=num(lang, tl["total"]), source=who,
                     date=day(lang, _when(tl["published"])))
            texts.append(line)
            markups.append(
                t(lang, "status.tally", total=f"<b>{esc(num(lang, tl['total']))}</b>",
                  source=link(who, tl.get("link")), date=esc(day(lang, _when(tl["published"]))))
            )
    return Message("\n".join(texts), "\n".join(markups))


def _safe_cut(line: str, limit: int) -> int:
    """A cut point <= limit outside tags and entities, at a space if possible; a cut never
    splits an open <a>...</a> (the link text goes to the next part whole)."""
    best_space = best_any = 0
    depth = 0  # inside <...>
    open_tags = 0  # inside <b>, <a> ...
    i = 0
    while i < min(len(line), limit):
        ch = line[i]
        if ch == "<":
            close = line.find(">", i)
            if close == -1 or close >= limit:
                break
            open_tags += -1 if line.startswith("</", i) else 1
            i = close + 1
            if open_tags == 0:
                best_any = i
            continue
        if ch == "&":
            semi = line.find(";", i)
            if semi == -1 or semi >= limit:
                break
            i = semi + 1
            if open_tags == 0:
                best_any = i
            continue
        if open_tags == 0 and depth == 0:
            best_any = i
            if ch == " ":
                best_space = i
        i += 1
    cut = best_space or best_any
    return cut if cut > 0 else limit


def split_html(markup: str, limit: int = 4000) -> list[str]:
    """Split a message at line breaks so each part stays under limit (tags never span lines here)."""
    parts: list[str] = []
    current = ""
    for line in markup.split("\n"):
        while len(line) > limit:  # a single huge line: cut at a space outside any tag or entity
            parts.append(line[:_safe_cut(line, limit)])
            line = line[len(parts[-1]):].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts or [""]

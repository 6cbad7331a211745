"""Merge reports of one event: the same parties, a compatible date and a compatible kind."""

from __future__ import annotations

from collections.abc import Collection

from kgtool.extract.kinds import AGREEMENT, MEMORANDUM, SPECIFICITY
from kgtool.extract.model import Agreement
from kgtool.extract.names_guess import slug
from kgtool.project import ID

#: Where agreement IRIs live (``agr:`` in data/).
AGREEMENT_NS = ID + "agreement/"

_GENERIC = {MEMORANDUM, AGREEMENT}


def _dates_compatible(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return True
    return a.startswith(b) or b.startswith(a)


def _kinds_compatible(a: str | None, b: str | None) -> bool:
    if a is None or b is None or a == b:
        return True
    memoranda = {MEMORANDUM, *(k for k in SPECIFICITY if "memorandum" in k)}
    if a in _GENERIC or b in _GENERIC:
        return (a in memoranda and b in memoranda) or AGREEMENT in {a, b}
    return False


def same_event(a: Agreement, b: Agreement) -> bool:
    """Whether two draft agreements report one signing."""
    return (
        a.same_parties(b)
        and _dates_compatible(a.signed_on, b.signed_on)
        and _kinds_compatible(a.kind, b.kind)
    )


def merge_agreements(
    agreements: list[Agreement], taken: Collection[str] = frozenset()
) -> list[Agreement]:
    """Return ``agreements`` with reports of one event merged; each gets a stable id.

    ``taken`` holds the IRIs the graph already uses: a draft never gets an agreement IRI among
    them (a curated agreement of the same slug makes the draft ``<slug>-draft``).
    """
    merged: list[Agreement] = []
    for agreement in agreements:
        target = next((m for m in merged if same_event(m, agreement)), None)
        if target is None:
            merged.append(agreement)
            continue
        _combine(target, agreement)
    used: set[str] = set()
    for agreement in merged:
        agreement.id = unique_id(agreement_id(agreement), agreement, used, taken)
    return merged


def unique_id(
    base: str, agreement: Agreement, used: set[str], taken: Collection[str] = frozenset()
) -> str:
    """Return a slug for ``agreement`` that no other draft of the run and no IRI of ``taken``
    has: ``base``; with the kind when another draft has it; ``-draft`` when the graph has it;
    then a number."""

    def free(slug: str) -> bool:
        return slug not in used and AGREEMENT_NS + slug not in taken

    candidate = base
    if candidate in used:
        kind = (agreement.kind or "agreement").rsplit("/", 1)[-1]
        candidate = f"{base}-{kind}" if not base.endswith(kind) else base
    if AGREEMENT_NS + candidate in taken:
        candidate += "-draft"
    stem, number = candidate, 2
    while not free(candidate):
        candidate = f"{stem}-{number}"
        number += 1
    used.add(candidate)
    return candidate


def _combine(target: Agreement, other: Agreement) -> None:
    if other.kind and SPECIFICITY.get(other.kind, 0) > SPECIFICITY.get(target.kind or "", 0):
        target.kind = other.kind
    if other.signed_on and (
        target.signed_on is None or len(other.signed_on) > len(target.signed_on)
    ):
        target.signed_on = other.signed_on
    for name in ("place", "venue", "term_years", "extendable", "entry_into_force",
                 "extension_clause"):  # fmt: skip
        if getattr(target, name) is None:
            setattr(target, name, getattr(other, name))
    for name in ("directions", "fields", "provisions"):
        values = getattr(target, name)
        values.extend(v for v in getattr(other, name) if v not in values)
    for mine, theirs in zip(target.parties, sorted(other.parties, key=lambda p: _order(target, p)),
                            strict=False):  # fmt: skip
        if mine.key() == theirs.key():
            mine.parent = mine.parent or theirs.parent
            mine.country = mine.country or theirs.country
            mine.acronym = mine.acronym or theirs.acronym
    target.evidence.extend(other.evidence)
    target.documents.extend(d for d in other.documents if d not in target.documents)
    target.confidence = min(0.99, max(target.confidence, other.confidence) + 0.05)


def _order(target: Agreement, party: object) -> int:
    keys = [p.key() for p in target.parties]
    key = getattr(party, "key", lambda: "")()
    return keys.index(key) if key in keys else len(keys)


def agreement_id(agreement: Agreement) -> str:
    """Return the agreement's slug: its parties, then the date (or the kind when undated)."""
    names = []
    for party in agreement.parties:
        names.append(party.iri.rstrip("/").rsplit("/", 1)[-1] if party.iri else slug(party.name))
    tail = agreement.signed_on or (
        "memorandum" if agreement.kind and "memorandum" in agreement.kind else
        (agreement.kind or "agreement").rsplit("/", 1)[-1]
    )  # fmt: skip
    return "-".join([*names, tail])

"""The Research Organization Registry (ROR): read dumps, link institutions, import records.

Linking asks :class:`kgtool.names.NameIndex` (built over the registry's names in every
language) which records each institution's names may denote, then keeps only what the graph's
facts allow: the same country, no unit sharing its parent's record (and the reverse), one
record per institution and one institution per record, no withdrawn record.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from rdflib import RDF, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from kgtool.errors import KgtoolError
from kgtool.fsutil import sha256_file
from kgtool.graph import LoadedGraph, as_graph
from kgtool.names import LabelKind, NameIndex, institutions, script_of
from kgtool.project import COOP, ID, PREFIXES

__all__ = [
    "LinkResult",
    "RorLink",
    "RorName",
    "RorRecord",
    "RorRelationship",
    "import_ror",
    "iter_ror_records",
    "link_ror",
    "read_ror_dump",
    "read_ror_dumps",
    "review_turtle",
]

INST = Namespace(ID + "org/")
COUNTRY = Namespace(ID + "country/")
SRC = Namespace(ID + "source/")
WIKIDATA = "http://www.wikidata.org/entity/"
ROR_ID_RE = re.compile(r"^https://ror\.org/0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")

#: Default score a proposed link needs to be written to the review file.
DEFAULT_THRESHOLD = 0.85

# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RorName:
    """One name of a record: its text, ISO 639-1 language (or None) and ROR types."""

    value: str
    lang: str | None
    types: tuple[str, ...]


@dataclass(frozen=True)
class RorRelationship:
    """A relationship of a record: parent, child, related, predecessor or successor."""

    type: str
    id: str
    label: str


@dataclass(frozen=True)
class RorRecord:
    """The parts of a ROR record that linking and import use (schema v2 or v1)."""

    id: str
    status: str
    names: tuple[RorName, ...]
    types: tuple[str, ...] = ()
    country_code: str | None = None
    country_name: str | None = None
    city: str | None = None
    relationships: tuple[RorRelationship, ...] = ()
    external_ids: tuple[tuple[str, tuple[str, ...]], ...] = ()
    established: int | None = None
    schema: int = 2

    @property
    def display_name(self) -> str:
        """Return the ror_display name (the first name when none is marked)."""
        for name in self.names:
            if "ror_display" in name.types:
                return name.value
        return self.names[0].value if self.names else self.id

    @property
    def acronyms(self) -> list[str]:
        return [n.value for n in self.names if "acronym" in n.types]

    def related(self, kind: str) -> list[str]:
        """Return the ids of the records related as ``kind`` (parent, child, ...)."""
        return [r.id for r in self.relationships if r.type == kind]

    def external_id(self, kind: str) -> str | None:
        """Return the preferred (else first) external id of ``kind`` (wikidata, isni, grid...)."""
        for name, values in self.external_ids:
            if name == kind and values:
                return values[0]
        return None


def _v2_record(raw: dict[str, Any]) -> RorRecord:
    location = (raw.get("locations") or [{}])[0].get("geonames_details") or {}
    external: list[tuple[str, tuple[str, ...]]] = []
    for ext in raw.get("external_ids") or []:
        values = list(ext.get("all") or [])
        preferred = ext.get("preferred")
        if preferred:
            values = [preferred] + [v for v in values if v != preferred]
        external.append((str(ext.get("type", "")).lower(), tuple(values)))
    return RorRecord(
        id=str(raw["id"]),
        status=str(raw.get("status", "active")).lower(),
        names=tuple(
            RorName(str(n["value"]), n.get("lang"), tuple(n.get("types") or ()))
            for n in raw.get("names") or []
            if n.get("value")
        ),
        types=tuple(str(t).lower() for t in raw.get("types") or ()),
        country_code=location.get("country_code"),
        country_name=location.get("country_name"),
        city=location.get("name"),
        relationships=tuple(
            RorRelationship(str(r["type"]).lower(), str(r["id"]), str(r.get("label", "")))
            for r in raw.get("relationships") or []
        ),
        external_ids=tuple(external),
        established=raw.get("established"),
        schema=2,
    )


def _v1_record(raw: dict[str, Any]) -> RorRecord:
    names = [RorName(str(raw["name"]), None, ("ror_display", "label"))]
    names += [RorName(str(a), None, ("alias",)) for a in raw.get("aliases") or []]
    names += [RorName(str(a), None, ("acronym",)) for a in raw.get("acronyms") or []]
    names += [
        RorName(str(lab["label"]), lab.get("iso639"), ("label",))
        for lab in raw.get("labels") or []
        if lab.get("label")
    ]
    country = raw.get("country") or {}
    addresses = raw.get("addresses") or [{}]
    city = (addresses[0].get("geonames_city") or {}).get("city") or addresses[0].get("city")
    external: list[tuple[str, tuple[str, ...]]] = []
    for kind, ext in (raw.get("external_ids") or {}).items():
        values = ext.get("all") or []
        values = [values] if isinstance(values, str) else list(values)
        preferred = ext.get("preferred")
        if preferred:
            values = [preferred] + [v for v in values if v != preferred]
        external.append((str(kind).lower(), tuple(str(v) for v in values)))
    return RorRecord(
        id=str(raw["id"]),
        status=str(raw.get("status", "active")).lower(),
        names=tuple(names),
        types=tuple(str(t).lower() for t in raw.get("types") or ()),
        country_code=country.get("country_code"),
        country_name=country.get("country_name"),
        city=city,
        relationships=tuple(
            RorRelationship(str(r["type"]).lower(), str(r["id"]), str(r.get("label", "")))
            for r in raw.get("relationships") or []
        ),
        external_ids=tuple(external),
        established=raw.get("established"),
        schema=1,
    )


def _record(raw: Any, where: str) -> RorRecord:
    if not isinstance(raw, dict) or "id" not in raw:
        raise KgtoolError(f"{where}: not a ROR record (an object with an 'id')")
    try:
        return _v2_record(raw) if "names" in raw else _v1_record(raw)
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise KgtoolError(f"{where}: malformed ROR record {raw.get('id')}: {exc}") from exc


def _iter_json_array(
    stream: IO[str], name: str, chunk_size: int = 1 << 20
) -> Iterator[tuple[str, Any]]:
    """Yield ``(file:line, item)`` for the items of a top-level JSON array, reading
    ``chunk_size`` characters at a time (a registry dump need not fit in memory twice)."""
    decoder = json.JSONDecoder()
    buffer, pos, eof = "", 0, False
    line, counted = 1, 0  # the line number at buffer offset ``counted``

    def where() -> str:
        nonlocal line, counted
        line += buffer.count("\n", counted, pos)
        counted = pos
        return f"{name}:{line}"

    def more() -> bool:
        nonlocal buffer, pos, counted, eof
        if eof:
            return False
        where()
        chunk = stream.read(chunk_size)
        buffer, pos, counted = buffer[pos:] + chunk, 0, 0
        eof = not chunk
        return bool(chunk)

    def skip_space() -> bool:
        nonlocal pos
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n":
                pos += 1
            if pos < len(buffer):
                return True
            if not more():
                return False

    if not skip_space() or buffer[pos] != "[":
        raise KgtoolError(f"{where()}: a ROR dump is a JSON array of records")
    pos += 1
    first = True
    while True:
        if not skip_space():
            raise KgtoolError(f"{where()}: the JSON array is not closed")
        if buffer[pos] == "]":
            return
        if not first:
            if buffer[pos] != ",":
                raise KgtoolError(f"{where()}: expected ',' between records")
            pos += 1
            if not skip_space():
                raise KgtoolError(f"{where()}: the JSON array is not closed")
        first = False
        while True:
            try:
                item, end = decoder.raw_decode(buffer, pos)
            except json.JSONDecodeError as exc:
                if more():
                    continue
                raise KgtoolError(f"{where()}: invalid JSON: {exc.msg}") from exc
            # A number or literal cut at the chunk's end decodes too early: read on.
            if end == len(buffer) and not eof and more():
                continue
            break
        at = where()
        pos = end
        yield at, item


def _open_dump(path: Path) -> tuple[IO[str], str]:
    if not path.is_file():
        raise KgtoolError(f"{path}: no such file")
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.namelist() if m.endswith(".json")]
        if not members:
            raise KgtoolError(f"{path}: the zip holds no .json file")
        member = next((m for m in members if "schema_v2" in m), members[0])
        return io.TextIOWrapper(archive.open(member), encoding="utf-8"), f"{path}!{member}"
    return path.open(encoding="utf-8"), str(path)


def iter_ror_records(path: Path) -> Iterator[RorRecord]:
    """Yield the records of a ROR dump one by one: a JSON array (schema v2 or v1), plain or
    inside a zip as ROR publishes it."""
    stream, name = _open_dump(Path(path))
    with stream:
        try:
            for where, raw in _iter_json_array(stream, name):
                yield _record(raw, where)
        except UnicodeDecodeError as exc:
            raise KgtoolError(f"{name}: not UTF-8 text ({exc.reason})") from exc


def read_ror_dump(path: Path) -> list[RorRecord]:
    """Return the records of one ROR dump (see :func:`iter_ror_records`)."""
    return list(iter_ror_records(path))


def read_ror_dumps(paths: Path | Sequence[Path]) -> list[RorRecord]:
    """Return the records of several dumps, one per id (a schema v2 version wins over v1)."""
    chosen: dict[str, RorRecord] = {}
    for path in [paths] if isinstance(paths, Path | str) else paths:
        for record in iter_ror_records(Path(path)):
            old = chosen.get(record.id)
            if old is None or record.schema > old.schema:
                chosen[record.id] = record
    return list(chosen.values())


# --------------------------------------------------------------------------------------------
# Languages of registry names
# --------------------------------------------------------------------------------------------


def project_lang(name: RorName) -> str | None:
    """Return the project's BCP 47 tag for a registry name, or None when it has none of ours.

    ROR ``uz`` names become uz-Latn or uz-Cyrl by their script; untagged names are tagged
    only when their script decides it (Hangul → ko, plain ASCII → en).
    """
    script = script_of(name.value)
    if name.lang == "uz":
        return "uz-Cyrl" if script == "Cyrl" else "uz-Latn"
    if name.lang in ("en", "ru", "ko"):
        return name.lang
    if name.lang is None:
        if script == "Hang":
            return "ko"
        if name.value.isascii() and script == "Latn":
            return "en"
    return None


def _index_lang(name: RorName) -> str | None:
    return project_lang(name) or name.lang


# --------------------------------------------------------------------------------------------
# Linking
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RorLink:
    """A proposed link from an institution to a registry record, with its evidence."""

    institution: str
    ror: str
    ror_name: str
    score: float
    evidence: tuple[str, ...]
    status: str  # accepted, existing, candidate, rejected


@dataclass(frozen=True)
class LinkResult:
    """What ``link_ror`` found: links above the threshold, other candidates, the unmatched."""

    links: tuple[RorLink, ...]
    candidates: tuple[RorLink, ...]
    unmatched: tuple[str, ...]
    records: int
    skipped_withdrawn: int
    threshold: float
    sources: tuple[str, ...] = field(default=())

    def link_of(self, institution: str) -> str | None:
        """Return the ROR id linked to ``institution``, if any."""
        for link in self.links:
            if link.institution == institution:
                return link.ror
        return None


@dataclass
class _Institution:
    iri: str
    names: list[tuple[str, str | None, str]]  # label, lang, kind
    country: str | None
    parents: list[str]
    ror: str | None


def _country_code(graph: Graph, node: Node) -> str | None:
    for code in graph.objects(node, COOP.countryCode):
        return str(code).upper()
    text = str(node)
    if text.startswith(str(COUNTRY)):
        return text[len(str(COUNTRY)) :].upper()
    return None


def _institutions(graph: Graph) -> dict[str, _Institution]:
    found: dict[str, _Institution] = {}
    kinds = ((SKOS.prefLabel, "pref"), (SKOS.altLabel, "alt"), (SKOS.hiddenLabel, "hidden"))
    for subject in institutions(graph):
        names: list[tuple[str, str | None, str]] = []
        for prop, kind in (*kinds, (COOP.acronym, "acronym")):
            for value in sorted(graph.objects(subject, prop), key=str):
                if isinstance(value, Literal):
                    names.append((str(value), value.language, kind))
        country = next(
            (_country_code(graph, c) for c in graph.objects(subject, COOP.country)), None
        )
        parents = sorted(
            {str(p) for p in graph.objects(subject, COOP.partOf)}
            | {str(p) for p in graph.subjects(COOP.hasPart, subject)}
        )
        ror = next((str(r) for r in graph.objects(subject, COOP.ror)), None)
        found[str(subject)] = _Institution(str(subject), names, country, parents, ror)
    for inst in found.values():  # a unit without a country takes its parent's
        seen: set[str] = set()
        queue = list(inst.parents)
        while inst.country is None and queue:
            parent = queue.pop(0)
            if parent in seen or parent not in found:
                continue
            seen.add(parent)
            inst.country = found[parent].country
            queue.extend(found[parent].parents)
    return found


def _closure(start: str, edges: dict[str, list[str]]) -> set[str]:
    out: set[str] = set()
    queue = list(edges.get(start, ()))
    while queue:
        node = queue.pop()
        if node not in out:
            out.add(node)
            queue.extend(edges.get(node, ()))
    return out


def _ror_parents(records: dict[str, RorRecord]) -> dict[str, list[str]]:
    """Parent edges from both ``parent`` and ``child`` relationships, without the inverted
    ones: a "unit" with at least three units and twice as many as its "parent" is taken to be
    the parent (the Academy's record lists one of its institutes as its parent)."""
    parents: dict[str, set[str]] = defaultdict(set)
    for record in records.values():
        for target in record.related("parent"):
            parents[record.id].add(target)
        for target in record.related("child"):
            parents[target].add(record.id)
    children_count: dict[str, int] = defaultdict(int)
    for ps in parents.values():
        for p in ps:
            children_count[p] += 1
    for child in list(parents):
        for p in list(parents[child]):
            many = children_count[child]
            if many >= 3 and many >= 2 * max(1, children_count[p]):
                parents[child].discard(p)
    return {k: sorted(v) for k, v in parents.items()}


def _build_index(records: Iterable[RorRecord]) -> NameIndex:
    index = NameIndex()
    for record in records:
        for name in record.names:
            kind: LabelKind
            if "acronym" in name.types:
                kind = "acronym"
            elif "ror_display" in name.types or "label" in name.types:
                kind = "pref"
            else:
                kind = "alt"
            index.add(record.id, name.value, lang=_index_lang(name), kind=kind)
    return index


@dataclass
class _Candidate:
    score: float
    evidence: list[str]
    name_score: float


def _score_candidates(
    inst: _Institution, index: NameIndex, records: dict[str, RorRecord]
) -> dict[str, _Candidate]:
    """Score each record some name of ``inst`` may denote (names only, country checked)."""
    per_record: dict[str, list[tuple[float, str, bool]]] = defaultdict(list)
    for label, lang, kind in inst.names:
        for match in index.resolve(label, limit=10, min_score=0.5):
            is_acronym = kind == "acronym" or match.rule.startswith("acronym")
            tag = f"@{lang}" if lang else ""
            rtag = f"@{match.lang}" if match.lang else ""
            text = f"{match.rule} {label!r}{tag} ~ {match.label!r}{rtag} ({match.score:.2f})"
            per_record[match.iri].append((match.score, text, is_acronym))
    out: dict[str, _Candidate] = {}
    for rid, hits in per_record.items():
        record = records.get(rid)
        if record is None:
            continue
        hits.sort(key=lambda h: -h[0])
        name_hits = [h for h in hits if not h[2]]
        best_name = name_hits[0][0] if name_hits else 0.0
        best = hits[0][0]
        evidence = [h[1] for h in hits[:3]]
        if hits[0][2] and best_name < 0.6:
            best = min(best, 0.8)  # an acronym alone is too ambiguous to link on
            evidence.append("acronym only: kept below the linking threshold")
        agreeing = {h[1].split(" ~ ")[0] for h in name_hits if h[0] >= 0.85}
        score = min(1.0, best + 0.02 * max(0, len(agreeing) - 1))
        if len(name_hits) and any(h[2] and h[0] >= 0.85 for h in hits) and best_name >= 0.6:
            score = min(1.0, score + 0.03)
            evidence.append("acronym agrees")
        out[rid] = _Candidate(round(score, 4), evidence, best_name)
    return out


def _paths(dump_paths: Path | str | Sequence[Path]) -> list[Path]:
    if isinstance(dump_paths, Path | str):
        return [Path(dump_paths)]
    return [Path(p) for p in dump_paths]


def _dump_keys(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    keys = []
    for path in paths:
        if not path.is_file():
            raise KgtoolError(f"{path}: no such file")
        stat = path.stat()
        keys.append((str(path.resolve()), stat.st_size, stat.st_mtime_ns))
    return tuple(keys)


@lru_cache(maxsize=4)
def _registry(
    keys: tuple[tuple[str, int, int], ...], code: str | None
) -> tuple[int, dict[str, RorRecord], dict[str, list[str]], NameIndex]:
    """Read and index the dumps once per process (keyed by path, size and mtime)."""
    all_records = read_ror_dumps([Path(key[0]) for key in keys])
    withdrawn = sum(1 for r in all_records if r.status == "withdrawn")
    records = {
        r.id: r
        for r in all_records
        if r.status != "withdrawn" and (code is None or (r.country_code or "").upper() == code)
    }
    return withdrawn, records, _ror_parents(records), _build_index(records.values())


def link_ror(
    loaded: Graph | LoadedGraph,
    dump_paths: Path | Sequence[Path],
    *,
    country: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    candidates_per_institution: int = 3,
) -> LinkResult:
    """Propose coop:ror links from the graph's institutions to registry records.

    Names in every language, acronyms, the country and the parent decide; an institution is
    never linked to a record of another country, to its parent's or its unit's record, nor to
    a withdrawn record, and no record is linked twice. ``country`` restricts both sides to one
    ISO code. Links scoring at least ``threshold`` are returned in ``links``; the rest, with
    the reason they were not linked, in ``candidates``.
    """
    paths = _paths(dump_paths)
    code = country.upper() if country else None
    withdrawn, records, ror_parents, index = _registry(_dump_keys(paths), code)
    institutions = _institutions(as_graph(loaded))
    if code is not None:
        institutions = {k: v for k, v in institutions.items() if v.country in (code, None)}
    tree = _Hierarchy.of(institutions, ror_parents)
    scored = {
        iri: _country_checked(_score_candidates(inst, index, records), inst, records, threshold)
        for iri, inst in institutions.items()
    }
    # Existing coop:ror links come first; the rest are assigned greedily, best score first.
    assigned: dict[str, str] = {}
    owner: dict[str, str] = {}
    for iri, inst in institutions.items():
        if inst.ror and inst.ror not in owner:
            assigned[iri], owner[inst.ror] = inst.ror, iri
    _add_parent_evidence(scored, assigned, tree, threshold)
    rejected = _assign(scored, assigned, owner, tree, threshold)

    links: list[RorLink] = []
    candidates: list[RorLink] = []
    for iri, inst in institutions.items():
        cands = scored.get(iri, {})
        chosen = assigned.get(iri)
        if chosen is not None:
            links.append(_chosen_link(iri, inst, chosen, cands.get(chosen), records))
        ranked = sorted(cands.items(), key=lambda kv: (-kv[1].score, kv[0]))
        for rid, cand in [(r, c) for r, c in ranked if r != chosen][:candidates_per_institution]:
            reason = rejected.get((iri, rid))
            if reason is None and rid in owner:
                reason = f"the record is linked to {owner[rid]}"
            if reason is None:
                conflict = tree.conflict(iri, rid, assigned)
                reason = f"the record is {conflict}" if conflict else None
            evidence = (*cand.evidence, f"not linked: {reason}") if reason else tuple(cand.evidence)
            if not reason and cand.score >= threshold and chosen is not None:
                evidence = (*evidence, "not linked: a better record is linked")
            status = "rejected" if reason else "candidate"
            name = records[rid].display_name
            candidates.append(RorLink(iri, rid, name, cand.score, evidence, status))
    unmatched = tuple(sorted(i for i in institutions if i not in assigned))
    links.sort(key=lambda link: link.institution)
    return LinkResult(
        links=tuple(links),
        candidates=tuple(candidates),
        unmatched=unmatched,
        records=len(records),
        skipped_withdrawn=withdrawn,
        threshold=threshold,
        sources=tuple(p.name for p in paths),
    )


@dataclass(frozen=True)
class _Hierarchy:
    """Parent and unit edges among the graph's institutions, and parents among the records."""

    parents: dict[str, list[str]]
    children: dict[str, list[str]]
    ror_parents: dict[str, list[str]]

    @classmethod
    def of(
        cls, institutions: dict[str, _Institution], ror_parents: dict[str, list[str]]
    ) -> _Hierarchy:
        parents = {k: [p for p in v.parents if p in institutions] for k, v in institutions.items()}
        children: dict[str, list[str]] = defaultdict(list)
        for child, ps in parents.items():
            for p in ps:
                children[p].append(child)
        return cls(parents, children, ror_parents)

    def conflict(self, iri: str, rid: str, assigned: dict[str, str]) -> str | None:
        """Return why ``rid`` cannot be ``iri``'s record given the links so far, or None: it
        is (a parent of) a parent's record, or (a unit of) a unit's record."""
        for other in _closure(iri, self.parents):
            other_rid = assigned.get(other)
            if other_rid is None:
                continue
            if other_rid == rid:
                return f"the record of its parent {other}"
            if rid in _closure(other_rid, self.ror_parents):
                return f"a parent of the record of its parent {other}"
        for other in _closure(iri, self.children):
            other_rid = assigned.get(other)
            if other_rid is None:
                continue
            if other_rid == rid:
                return f"the record of its unit {other}"
            if other_rid in _closure(rid, self.ror_parents):
                return f"a unit of the record of its unit {other}"
        return None


def _country_checked(
    cands: dict[str, _Candidate],
    inst: _Institution,
    records: dict[str, RorRecord],
    threshold: float,
) -> dict[str, _Candidate]:
    """Drop candidates of another country; an institution without a country is never linked."""
    for rid, cand in list(cands.items()):
        record = records[rid]
        rc = (record.country_code or "").upper()
        if inst.country is None:
            cand.score = min(cand.score, threshold - 0.01)
            cand.evidence.append("the institution has no country: not linked")
        elif rc != inst.country:
            del cands[rid]  # never across countries
            continue
        else:
            cand.evidence.append(f"country {rc}")
        if record.status != "active":
            cand.evidence.append(f"record is {record.status}")
    return cands


def _add_parent_evidence(
    scored: dict[str, dict[str, _Candidate]],
    assigned: dict[str, str],
    tree: _Hierarchy,
    threshold: float,
) -> None:
    """Raise a candidate whose record's parent is the parent's record, lower one whose record
    has another parent. The parents' records are the existing links and clear winners."""
    provisional = dict(assigned)
    for iri, cands in scored.items():
        if iri not in provisional and cands:
            rid, cand = max(cands.items(), key=lambda kv: kv[1].score)
            if cand.score >= threshold:
                provisional[iri] = rid
    for iri, cands in scored.items():
        parents_records = {provisional[p] for p in tree.parents[iri] if p in provisional}
        if not parents_records:
            continue
        for rid, cand in cands.items():
            if parents_records & _closure(rid, tree.ror_parents):
                cand.score = round(min(1.0, cand.score + 0.05), 4)
                cand.evidence.append("parent agrees: the record's parent is the parent's record")
            elif tree.ror_parents.get(rid):
                cand.score = round(max(0.0, cand.score - 0.1), 4)
                cand.evidence.append("parent differs from the parent's record")


def _assign(
    scored: dict[str, dict[str, _Candidate]],
    assigned: dict[str, str],
    owner: dict[str, str],
    tree: _Hierarchy,
    threshold: float,
) -> dict[tuple[str, str], str]:
    """Link records one-to-one, best score first (updating ``assigned`` and ``owner``); return
    why each passed-over (institution, record) pair above the threshold was not linked."""
    proposals = sorted(
        ((c.score, iri, rid) for iri, cands in scored.items() for rid, c in cands.items()),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    rejected: dict[tuple[str, str], str] = {}
    for score, iri, rid in proposals:
        if score < threshold or iri in assigned:
            continue
        if rid in owner:
            rejected[(iri, rid)] = f"the record is linked to {owner[rid]}"
            continue
        conflict = tree.conflict(iri, rid, assigned)
        if conflict:
            rejected[(iri, rid)] = f"the record is {conflict}"
            continue
        assigned[iri], owner[rid] = rid, iri
    return rejected


def _chosen_link(
    iri: str,
    inst: _Institution,
    chosen: str,
    found: _Candidate | None,
    records: dict[str, RorRecord],
) -> RorLink:
    """Return the link of ``iri`` to its assigned record, existing or newly accepted."""
    evidence = tuple(found.evidence) if found else ("no name of the record matched",)
    status = "existing" if inst.ror == chosen else "accepted"
    if status == "existing":
        evidence = ("already in the graph as coop:ror", *evidence)
        if chosen not in records:
            evidence = (*evidence, "the record is not in the dumps (or is withdrawn)")
    name = records[chosen].display_name if chosen in records else chosen
    return RorLink(iri, chosen, name, found.score if found else 1.0, evidence, status)


def _curie(iri: str) -> str:
    base = PREFIXES["inst"]
    local = iri[len(base) :]
    if iri.startswith(base) and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)", local):
        return f"inst:{local}"
    return f"<{iri}>"


def _comment(text: str) -> str:
    return " ".join(text.split())


def review_turtle(result: LinkResult) -> str:
    """Return the links of ``result`` as Turtle for review, evidence in comments."""
    lines = [
        "# Links to ROR proposed by kgtool link ror; review each one before moving it to data/.",
        f"# registry: {', '.join(result.sources)}; {result.records} records; "
        f"threshold {result.threshold:.2f}",
        f"@prefix coop: <{COOP}> .",
        f"@prefix inst: <{PREFIXES['inst']}> .",
        "",
    ]
    for link in result.links:
        if link.status == "existing":
            continue
        if not ROR_ID_RE.match(link.ror):
            continue  # never write an id the shapes would reject
        lines.append(f"# {link.score:.3f} {_comment(link.ror_name)}")
        lines.extend(f"#   {_comment(e)}" for e in link.evidence)
        lines.append(f"{_curie(link.institution)} coop:ror <{link.ror}> .")
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    from kgtool.names import cyrillic_to_latin

    ascii_text = cyrillic_to_latin(text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:60].rstrip("-") or "org"


def _kind(record: RorRecord) -> URIRef:
    english = " ".join(n.value.lower() for n in record.names if n.lang in ("en", None))
    display = record.display_name.lower()
    if display.startswith("academy of sciences") or display.endswith("academy of sciences"):
        return COOP.AcademyOfSciences
    if "company" in record.types:
        return COOP.Company
    if "education" in record.types:
        if "universit" in english or "institute" in english or "college" in english:
            return COOP.University
        return COOP.Institution
    if "government" in record.types:
        return COOP.GovernmentBody
    if "institut" in english or "laborator" in english or "facility" in record.types:
        return COOP.ResearchInstitute
    return COOP.Institution


def import_ror(
    dump_paths: Path | Sequence[Path],
    *,
    country: str,
    include_inactive: bool = False,
    existing: Graph | LoadedGraph | None = None,
) -> Graph:
    """Return the registry's records of ``country`` as kgtool institutions.

    Names keep their languages (ROR ``uz`` names become uz-Latn or uz-Cyrl by script; names in
    languages the project does not use are left out), acronyms, kinds from ROR types,
    coop:partOf from parent relationships between imported records, coop:ror, coop:wikidata,
    the country, and the dump as coop:source. Withdrawn records are skipped, inactive ones too
    unless ``include_inactive``. With ``existing`` (a Graph or LoadedGraph), records an
    institution there already links through coop:ror are left out (a parent among them is
    referred to by its IRI there) and new IRIs never reuse one of its institutions' IRIs.
    """
    if not re.fullmatch(r"[A-Za-z]{2}", country or ""):
        raise KgtoolError(f"country must be an ISO 3166-1 alpha-2 code, got {country!r}")
    code = country.upper()
    paths = _paths(dump_paths)
    records = {
        r.id: r
        for r in read_ror_dumps(paths)
        if (r.country_code or "").upper() == code
        and r.status != "withdrawn"
        and (include_inactive or r.status == "active")
    }
    known: dict[str, URIRef] = {}
    taken: set[str] = set()
    if existing is not None:
        for inst in _institutions(as_graph(existing)).values():
            taken.add(inst.iri)
            if inst.ror is not None:
                known.setdefault(inst.ror, URIRef(inst.iri))
    ror_parents = _ror_parents(records)  # before the filter: known records hold edges too
    records = {rid: r for rid, r in records.items() if rid not in known}
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)

    sources: list[URIRef] = []
    for path in paths:
        src = SRC[f"ror-{_slug(path.stem)}"]
        sources.append(src)
        graph.add((src, RDF.type, COOP.SourceDocument))
        graph.add((src, DCTERMS.identifier, Literal(path.name)))
        graph.add((src, COOP.language, Literal("en")))
        graph.add((src, COOP.sha256, Literal(sha256_file(path))))

    iris: dict[str, URIRef] = {}
    used: set[str] = set()
    for rid in sorted(records, key=lambda r: (records[r].display_name, r)):
        record = records[rid]
        english = next((n.value for n in record.names if project_lang(n) == "en"), None)
        slug = _slug(english or record.display_name)
        if slug in used or str(INST[slug]) in taken:
            slug = f"{slug}-{rid.rsplit('/', 1)[-1]}"
        used.add(slug)
        iris[rid] = INST[slug]

    for rid, record in records.items():
        node = iris[rid]
        named: dict[str, list[str]] = defaultdict(list)
        ordered = sorted(
            (n for n in record.names if "acronym" not in n.types),
            key=lambda n: ("ror_display" not in n.types, "label" not in n.types),
        )
        for name in ordered:
            lang = project_lang(name)
            if lang is not None and name.value not in named[lang]:
                named[lang].append(name.value)
        if not named:
            del iris[rid]
            continue
        graph.add((node, RDF.type, _kind(record)))
        for lang, values in named.items():
            graph.add((node, SKOS.prefLabel, Literal(values[0], lang=lang)))
            for value in values[1:]:
                graph.add((node, SKOS.altLabel, Literal(value, lang=lang)))
        for acronym in dict.fromkeys(record.acronyms):
            graph.add((node, COOP.acronym, Literal(acronym)))
        graph.add((node, COOP.country, COUNTRY[code]))
        if ROR_ID_RE.match(rid):
            graph.add((node, COOP.ror, URIRef(rid)))
        wikidata = record.external_id("wikidata")
        if wikidata and re.fullmatch(r"Q[1-9][0-9]*", wikidata):
            graph.add((node, COOP.wikidata, URIRef(WIKIDATA + wikidata)))
        for src in sources:
            graph.add((node, COOP.source, src))
    for rid, node in iris.items():
        for parent in ror_parents.get(rid, ()):
            if parent != rid and (target := iris.get(parent, known.get(parent))) is not None:
                graph.add((node, COOP.partOf, target))
    return graph

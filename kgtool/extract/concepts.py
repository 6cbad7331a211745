"""Directions, research fields and provisions: the ontology's SKOS labels found in a text.

The lexicon is read from the graph at run time (``skos:prefLabel``, ``altLabel`` and
``hiddenLabel`` of the concepts under ``id/direction/``, ``id/field/`` and ``id/provision/``),
so a new label in ``ontology/*.ttl`` is found without touching this code. Matching compares
stemmed words (``stem.py``), so «редких металлов» finds the label «редкие металлы».
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kgtool.extract.stem import stem
from kgtool.extract.text import Token, tokens
from kgtool.project import ID

#: Concept families and the IRI prefix of each.
FAMILIES: dict[str, str] = {
    "directions": ID + "direction/",
    "fields": ID + "field/",
    "provisions": ID + "provision/",
}

#: Words ignored inside labels and text when matching (they vary between writers).
_SKIP = frozenset(
    [
        "the",
        "of",
        "and",
        "in",
        "on",
        "for",
        "a",
        "an",
        "to",
        "with",
        "и",
        "в",
        "на",
        "по",
        "для",
        "о",
        "об",
        "с",
        "со",
        "va",
        "bilan",
        "hamda",
        "uchun",
        "bo'yicha",
        "ва",
        "билан",
        "ҳамда",
        "учун",
        "бўйича",
    ]
)


@dataclass(frozen=True)
class ConceptMatch:
    """A concept whose label occurs in the text."""

    family: str
    iri: str
    start: int
    end: int


def _family(iri: str) -> str | None:
    for family, prefix in FAMILIES.items():
        if iri.startswith(prefix):
            return family
    return None


def _lang(tag: str | None) -> str:
    return (tag or "en").split("-")[0]


class Lexicon:
    """The labels of the graph's direction, field and provision concepts, stemmed for matching."""

    def __init__(self, graph: Graph) -> None:
        # first stem -> [(stems, family, iri)], per language family (uz also holds uz-Cyrl)
        self._entries: dict[str, dict[str, list[tuple[tuple[str, ...], str, str]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        # labels of three words or more that a text may shorten, by their second stem
        self._shortened: dict[str, dict[str, list[tuple[tuple[str, ...], str, str]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        seen: set[tuple[str, tuple[str, ...], str]] = set()
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for subject, label in graph.subject_objects(prop):
                if not isinstance(subject, URIRef) or not isinstance(label, Literal):
                    continue
                family = _family(str(subject))
                if family is None:
                    continue
                lang = _lang(label.language)
                words = tokens(str(label))
                stems = tuple(stem(t.text, lang) for t in words if t.folded not in _SKIP)
                if not stems or (lang, stems, str(subject)) in seen:
                    continue
                seen.add((lang, stems, str(subject)))
                if len(str(label)) <= 5 and str(label).isupper():
                    stems = ("=" + str(label),)  # an acronym ("IT", "AI") matches as written
                self._entries[lang][stems[0]].append((stems, family, str(subject)))
                if len(stems) >= 3 and len(words) > 1 and words[1].folded in _COORDINATORS:
                    # «стажировки и повышение квалификации»: "повышение квалификации" alone, or
                    # the first word of a preferred label alone when it is long and specific
                    # ("irrigation", «стажировки»; not "fan", "taʼlim")
                    self._shortened[lang][stems[1]].append((stems[1:], family, str(subject)))
                    if prop == SKOS.prefLabel and len(stems[0]) >= 8:
                        self._shortened[lang][stems[0]].append((stems[:1], family, str(subject)))

    def __len__(self) -> int:
        return sum(len(v) for by_lang in self._entries.values() for v in by_lang.values())

    def find(self, text: str, start: int, end: int, language: str) -> list[ConceptMatch]:
        """Return the concepts named in ``text[start:end]`` (a text in ``language``)."""
        words = [t for t in tokens(text, start, end) if t.folded not in _SKIP]
        stems = [stem(t.text, language) for t in words]
        found: list[ConceptMatch] = []
        entries = self._entries.get(language, {})
        loose: list[ConceptMatch] = []
        shortened = self._shortened.get(language, {})
        for i, first in enumerate(stems):
            candidates = [*entries.get(first, ()), *entries.get("=" + words[i].text, ())]
            for label, family, iri in candidates:
                if label[0].startswith("="):
                    found.append(ConceptMatch(family, iri, words[i].start, words[i].end))
                    continue
                n = len(label)
                if tuple(stems[i : i + n]) == label and _adjacent(text, words[i : i + n]):
                    found.append(ConceptMatch(family, iri, words[i].start, words[i + n - 1].end))
                elif (n := _loosely(stems, i, label)) and _adjacent(text, words[i : i + n]):
                    loose.append(ConceptMatch(family, iri, words[i].start, words[i + n - 1].end))
            for label, family, iri in shortened.get(first, ()):
                n = len(label)
                if tuple(stems[i : i + n]) == label and _adjacent(text, words[i : i + n]):
                    loose.append(ConceptMatch(family, iri, words[i].start, words[i + n - 1].end))
        # A loose match counts only where no label is written in full.
        found += [m for m in loose if not any(o.start < m.end and m.start < o.end for o in found)]
        # A label inside a longer one names less: "taʼlim dasturlari" is not "taʼlim".
        return [
            m
            for m in found
            if not any(
                o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start)
                for o in found
            )
        ]


_COORDINATORS = frozenset(["and", "и", "va", "ва", "hamda", "ҳамда"])


def _loosely(stems: list[str], i: int, label: tuple[str, ...]) -> int:
    """Return how many words from ``stems[i]`` name a label of three words or more with one
    inner word left out or replaced («подготовка кадров», «совместное использование
    исследовательской инфраструктуры»), or 0. The first and last words must be there."""
    n = len(label)
    if n < 3 or label[0].startswith("="):
        return 0
    for inner in range(1, n - 1):
        if tuple(stems[i : i + n - 1]) == label[:inner] + label[inner + 1 :]:
            return n - 1  # left out
        window = stems[i : i + n]
        if len(window) == n and all(a == b for k, (a, b) in enumerate(zip(window, label,
                                    strict=True)) if k != inner):  # fmt: skip
            return n  # replaced
    return 0


def _adjacent(text: str, words: list[Token]) -> bool:
    """Whether the words follow each other within one clause (no sentence break between)."""
    return all(
        "." not in text[a.end : b.start] and ";" not in text[a.end : b.start]
        for a, b in itertools.pairwise(words)
    )

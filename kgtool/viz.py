"""The partner network as one interactive HTML page that works offline (pyvis + vis-network).

pyvis writes the page with vis-network inlined; kgtool removes the template's CDN links, fills
pyvis's node and edge lists directly (``add_edge`` is quadratic), and adds its own legend,
filters, search and side panel. Every text from the data reaches the page as JSON inside a
``<script type="application/json">`` and is put into the DOM with ``textContent`` only.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import math
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from html import escape as html_escape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyvis.network import Network

from kgtool.errors import KgtoolError
from kgtool.fsutil import atomic_write_text
from kgtool.names import APOSTROPHES, cyrillic_to_latin, latin_to_cyrillic
from kgtool.network import STATUSES, PartnerNetwork, build_network
from kgtool.project import COOP, best_language, local_name, pick_label
from kgtool.stats import STATUS_ACTIVE, STATUS_EXPIRED, STATUS_EXPIRING_SOON, STATUS_UNKNOWN

if TYPE_CHECKING:
    from kgtool.graph import LoadedGraph

PAGE_LANGUAGES: tuple[str, ...] = ("en", "ru", "uz-Latn", "uz-Cyrl")

#: vis-network shape and legend symbol of each institution class.
KIND_SHAPES: dict[str, tuple[str, str]] = {
    str(COOP.University): ("dot", "●"),
    str(COOP.ResearchInstitute): ("triangle", "▲"),
    str(COOP.AcademyOfSciences): ("star", "★"),
    str(COOP.Company): ("square", "■"),
    str(COOP.GovernmentBody): ("diamond", "◆"),
    str(COOP.OrganisationalUnit): ("triangleDown", "▼"),
}
OTHER_SHAPE = ("hexagon", "⬢")

#: Edge colour and dash pattern per status (an edge shows its agreements' best status).
STATUS_STYLES: dict[str, tuple[str, list[int] | bool]] = {
    STATUS_ACTIVE: ("#2e7d32", False),
    STATUS_EXPIRING_SOON: ("#ef6c00", False),
    STATUS_UNKNOWN: ("#5c6bc0", [2, 5]),
    STATUS_EXPIRED: ("#9e9e9e", [8, 6]),
}

COUNTRY_PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
    "#bcbd22", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d",
)  # fmt: skip
NO_COUNTRY_COLOUR = "#9e9e9e"

#: Status names when the ontology gives none (the page never shows a bare IRI for them).
STATUS_NAMES: dict[str, dict[str, str]] = {
    STATUS_ACTIVE: {"en": "active", "ru": "действует", "uz-Latn": "amalda", "uz-Cyrl": "амалда"},
    STATUS_EXPIRING_SOON: {
        "en": "expiring soon",
        "ru": "скоро истекает",
        "uz-Latn": "tez orada tugaydi",
        "uz-Cyrl": "тез орада тугайди",
    },
    STATUS_EXPIRED: {
        "en": "expired",
        "ru": "истёк",
        "uz-Latn": "muddati tugagan",
        "uz-Cyrl": "муддати тугаган",
    },
    STATUS_UNKNOWN: {
        "en": "expiry unknown",
        "ru": "срок неизвестен",
        "uz-Latn": "muddati nomaʼlum",
        "uz-Cyrl": "муддати номаълум",
    },
}

#: The page's own words, per page language.
UI_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Partner network",
        "search": "Search institutions",
        "country": "Countries",
        "kind": "Kinds",
        "direction": "Directions",
        "status": "Statuses",
        "legend": "Legend",
        "agreements": "Agreements",
        "sources": "Source documents",
        "partners": "Partners",
        "names": "Names",
        "parent": "Part of",
        "members": "Includes",
        "signed": "signed",
        "term": "term",
        "expires": "expires",
        "parties": "parties",
        "none": "none",
        "all": "all",
        "clear": "clear",
        "layout": "Laying out",
        "relayout": "Lay out again",
        "institutions": "institutions",
        "as_of": "status as of",
        "hint": "Click an institution to see its agreements.",
    },
    "ru": {
        "title": "Сеть партнёров",
        "search": "Поиск организаций",
        "country": "Страны",
        "kind": "Типы",
        "direction": "Направления",
        "status": "Статусы",
        "legend": "Условные обозначения",
        "agreements": "Соглашения",
        "sources": "Исходные документы",
        "partners": "Партнёры",
        "names": "Названия",
        "parent": "Входит в",
        "members": "Включает",
        "signed": "подписано",
        "term": "срок",
        "expires": "истекает",
        "parties": "стороны",
        "none": "нет",
        "all": "все",
        "clear": "снять",
        "layout": "Раскладка",
        "relayout": "Разложить заново",
        "institutions": "организаций",
        "as_of": "статус на",
        "hint": "Нажмите на организацию, чтобы увидеть её соглашения.",
    },
    "uz-Latn": {
        "title": "Hamkorlar tarmogʻi",
        "search": "Tashkilotlarni qidirish",
        "country": "Mamlakatlar",
        "kind": "Turlar",
        "direction": "Yoʻnalishlar",
        "status": "Holatlar",
        "legend": "Shartli belgilar",
        "agreements": "Kelishuvlar",
        "sources": "Manba hujjatlar",
        "partners": "Hamkorlar",
        "names": "Nomlar",
        "parent": "Tarkibida",
        "members": "Oʻz ichiga oladi",
        "signed": "imzolangan",
        "term": "muddat",
        "expires": "tugaydi",
        "parties": "tomonlar",
        "none": "yoʻq",
        "all": "hammasi",
        "clear": "tozalash",
        "layout": "Joylashtirilmoqda",
        "relayout": "Qayta joylashtirish",
        "institutions": "tashkilot",
        "as_of": "holat sanasi",
        "hint": "Kelishuvlarini koʻrish uchun tashkilotni bosing.",
    },
    "uz-Cyrl": {
        "title": "Ҳамкорлар тармоғи",
        "search": "Ташкилотларни қидириш",
        "country": "Мамлакатлар",
        "kind": "Турлар",
        "direction": "Йўналишлар",
        "status": "Ҳолатлар",
        "legend": "Шартли белгилар",
        "agreements": "Келишувлар",
        "sources": "Манба ҳужжатлар",
        "partners": "Ҳамкорлар",
        "names": "Номлар",
        "parent": "Таркибида",
        "members": "Ўз ичига олади",
        "signed": "имзоланган",
        "term": "муддат",
        "expires": "тугайди",
        "parties": "томонлар",
        "none": "йўқ",
        "all": "ҳаммаси",
        "clear": "тозалаш",
        "layout": "Жойлаштирилмоқда",
        "relayout": "Қайта жойлаштириш",
        "institutions": "ташкилот",
        "as_of": "ҳолат санаси",
        "hint": "Келишувларини кўриш учун ташкилотни босинг.",
    },
}

# --- search keys (the page's JS folds a query with the same rules: search_fold_script) ----------

#: Uzbek Cyrillic letters read as Uzbek Latin, context-free, apostrophes already dropped.
SEARCH_CYR_TO_LAT: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j",
    "з": "z", "и": "i", "й": "y", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "o", "ф": "f", "х": "x", "ҳ": "h",
    "ц": "s", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ь": "", "ы": "i", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
#: Every Uzbek apostrophe as written (kgtool.names.APOSTROPHES: ʼ ʻ ‘ ’ ' ` ´ ʹ ′) and
#: quotation marks: dropped.
SEARCH_DROP = APOSTROPHES + '"«»“”„'
_NON_WORD = re.compile(r"[^0-9a-z\u00c0-\u024f\u0400-\u04ff\u1100-\u11ff\uac00-\ud7af]+")


_FOLD_TABLE = str.maketrans({**SEARCH_CYR_TO_LAT, **dict.fromkeys(SEARCH_DROP)})
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def search_fold(text: str) -> str:
    """Return the search form of ``text``: lower case, Cyrillic read as Latin, no apostrophes.

    ``ye`` and ``ts`` fold to ``e`` and ``s`` so that word-initial Cyrillic е (Yevropa/Европа)
    and ц (Latin writes ts or s) match either spelling. The page applies the same function.
    """
    # No step looks across white space, so each piece is folded once (names repeat words).
    pieces = unicodedata.normalize("NFC", text).lower().split()
    return " ".join([folded for folded in map(_fold_piece, pieces) if folded])


@functools.lru_cache(maxsize=65_536)
def _fold_piece(piece: str) -> str:
    """Return ``search_fold`` of a piece of text in lower case and NFC, without white space."""
    out = piece.translate(_FOLD_TABLE).replace("ye", "e").replace("ts", "s")
    return _NON_WORD.sub(" ", out).strip()


_SEARCH_FOLD_JS = """"use strict";
/* kgFold: kgtool.viz.search_fold in JavaScript, its tables generated from the Python ones. */
var KG_CYR = %(cyr)s, KG_DROP = %(drop)s, KG_NON_WORD = new RegExp(%(nonword)s, "g");
function kgFold(text) {
  var lowered = String(text).normalize("NFC").toLowerCase(), out = "";
  for (var ch of lowered) {
    if (Object.prototype.hasOwnProperty.call(KG_CYR, ch)) { out += KG_CYR[ch]; }
    else if (KG_DROP.indexOf(ch) < 0) { out += ch; }
  }
  out = out.split("ye").join("e").split("ts").join("s");
  return out.replace(KG_NON_WORD, " ").trim();
}
"""


def search_fold_script() -> str:
    """Return JavaScript defining ``kgFold``, the same folding as ``search_fold`` (for pages
    that search keys made by ``search_keys``)."""
    return _SEARCH_FOLD_JS % {
        "cyr": json_for_script(SEARCH_CYR_TO_LAT),
        "drop": json_for_script(SEARCH_DROP),
        "nonword": json_for_script(_NON_WORD.pattern),
    }


_SPACES = re.compile(r"(\s+)")


@functools.lru_cache(maxsize=65_536)
def _latin_word(word: str) -> str:
    return cyrillic_to_latin(word)


def _latin_reading(name: str) -> str:
    """Return ``kgtool.names.cyrillic_to_latin(name)``, word by word with a cache (its rules
    look only inside a word; names repeat words such as университет)."""
    return "".join(
        _latin_word(piece) if _CYRILLIC.search(piece) else piece for piece in _SPACES.split(name)
    )


def search_keys(names: Iterable[str], *, rules_only: bool = False) -> list[str]:
    """Return the distinct search keys of an institution's names, in both scripts' readings.

    Each name's key is its ``search_fold``; a name in Cyrillic also gives the fold of its
    reading by kgtool.names' transliteration rules (сентябрь → sentabr, which folding letter by
    letter cannot give). With ``rules_only``, only the readings that differ from their own
    name's fold: what a page that folds the names itself (``kgFold``) still needs (names
    without Cyrillic are not even folded then, so a reading may repeat another name's fold).
    """
    by_fold: dict[str, bool] = {}  # key -> whether it is a name's own fold; in order
    for name in names:
        cyrillic = _CYRILLIC.search(name) is not None
        if rules_only and not cyrillic:
            continue
        by_fold[search_fold(name)] = True
        if cyrillic:
            by_fold.setdefault(search_fold(_latin_reading(name)), False)
    return [key for key, folded in by_fold.items() if key and not (rules_only and folded)]


# --- the page ----------------------------------------------------------------------------------


def write_page(
    loaded: LoadedGraph, path: Path, lang: str = "en", *, as_of: date | None = None
) -> Path:
    """Write the partner-network page of ``loaded`` (all institutions) to ``path``."""
    return render_page_file(build_network(loaded, as_of=as_of), path, lang=lang)


def render_page_file(network: PartnerNetwork, path: Path, *, lang: str = "en") -> Path:
    """Write the page of ``network`` to ``path`` atomically and return the path."""
    atomic_write_text(path, render_page(network, lang=lang))
    return path


def render_page(network: PartnerNetwork, *, lang: str = "en") -> str:
    """Return the self-contained HTML page of ``network`` with labels in ``lang``."""
    if lang not in PAGE_LANGUAGES:
        raise KgtoolError(
            f"unknown page language {lang!r}; choose one of {', '.join(PAGE_LANGUAGES)}"
        )
    with _gc_paused():
        return _render(network, lang)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cycle collector: the page's data are many small acyclic containers, and the
    collector's passes over a large network's objects took as long as building them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _render(network: PartnerNetwork, lang: str) -> str:
    data, vis_nodes, groups = page_data(network, lang)
    net = Network(
        height="100%", width="100%", cdn_resources="in_line", heading="", bgcolor="#ffffff"
    )
    # Filling pyvis's node list directly: add_node/add_edge check every earlier item (quadratic).
    # Its edge list stays empty: the page makes the edges from the ties in its data (kgVisEdges),
    # as a list written here was a third of a dense page.
    net.nodes = vis_nodes
    net.node_ids = [node["id"] for node in vis_nodes]
    net.node_map = {node["id"]: node for node in vis_nodes}
    net.options = vis_options(len(vis_nodes), len(data["tieSizes"]))
    net.options["groups"] = groups
    html = net.generate_html()
    return _finish_html(html, data, lang)


#: Up to this many nodes vis-network's own improvedLayout places them (it is slow above ~100);
#: larger networks get their starting positions from ``initial_positions``.
IMPROVED_LAYOUT_MAX_NODES = 150
#: Stabilisation work, in node-iterations (four edges count as a node): about 1 s of
#: Barnes-Hut in headless Chromium here.
PHYSICS_BUDGET = 120_000
MIN_ITERATIONS = 10
MAX_ITERATIONS = 1000
#: Above this many nodes the cheaper physics settings apply (coarser Barnes-Hut, no overlap).
LARGE_NETWORK = 1000


def stabilisation_iterations(n: int, edges: int = 0) -> int:
    """Return how many physics iterations vis-network runs before it stops, for ``n`` nodes
    and ``edges`` edges."""
    return max(MIN_ITERATIONS, min(MAX_ITERATIONS, PHYSICS_BUDGET // max(n + edges // 4, 1)))


def vis_options(n: int, edges: int = 0) -> dict[str, Any]:
    """Return vis-network options: stabilise for a bounded number of iterations, then stop."""
    large = n > LARGE_NETWORK
    return {
        "autoResize": True,
        "layout": {"improvedLayout": n <= IMPROVED_LAYOUT_MAX_NODES, "randomSeed": 42},
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "theta": 0.9 if large else 0.5,
                "gravitationalConstant": -6000,
                "springLength": 140,
                "springConstant": 0.04,
                "damping": 0.35,
                "avoidOverlap": 0 if large else 0.1,
            },
            "stabilization": {
                "enabled": True,
                "iterations": stabilisation_iterations(n, edges),
                "updateInterval": 10 if large else 25,
            },
        },
        "interaction": {
            "hover": not large,  # large: the page's own hover (kgPageHover), no redraws
            "tooltipDelay": 120,
            "hideEdgesOnDrag": n > 500,
            "hideEdgesOnZoom": n > 1000,
            "navigationButtons": False,
        },
        "edges": {
            "smooth": False,
            "selectionWidth": 2,
            "color": {"highlight": "#000000", "hover": "#000000"},
        },
        "nodes": {
            "font": {"size": 13, "face": "sans-serif", "color": "#222222"},
            "borderWidth": 1,
        },
    }


#: Distance scale of the starting layout (vis-network's springs are 140 long).
NODE_SPACING = 45.0
CLUSTER_GAP = 120.0
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def initial_positions(network: PartnerNetwork, order: list[str]) -> list[tuple[float, float]]:
    """Return a starting position per node of ``order``, computed in linear time.

    Each country is a disc of its institutions (a sunflower spiral, most partners in the
    middle); discs are set on rings around the largest. Physics then only has to polish it,
    which costs a fraction of laying out random points in the browser.
    """
    graph = network.graph
    by_country: dict[str, list[int]] = {}
    for i, iri in enumerate(order):
        by_country.setdefault(graph.nodes[iri].get("country") or "", []).append(i)
    clusters = sorted(by_country.items(), key=lambda item: (-len(item[1]), item[0]))
    radii = [NODE_SPACING * math.sqrt(len(members)) for _, members in clusters]
    degree = dict(graph.degree())
    positions: list[tuple[float, float]] = [(0.0, 0.0)] * len(order)
    for (_, members), (cx, cy) in zip(clusters, _ring_centres(radii), strict=True):
        members.sort(key=lambda i: (-degree[order[i]], i))
        for k, i in enumerate(members):
            r = NODE_SPACING * math.sqrt(k + 0.5)
            positions[i] = (
                round(cx + r * math.cos(k * _GOLDEN_ANGLE), 1),
                round(cy + r * math.sin(k * _GOLDEN_ANGLE), 1),
            )
    return positions


def _ring_centres(radii: list[float]) -> list[tuple[float, float]]:
    """Return centres for discs of ``radii`` (largest first): the first in the middle, the
    others side by side on rings around it, each ring as wide as its largest disc."""
    if not radii:
        return []
    centres = [(0.0, 0.0)]
    inner = radii[0]
    k = 1
    while k < len(radii):
        ring = inner + CLUSTER_GAP + radii[k]
        start, used = k, 0.0
        while k < len(radii):
            width = (2 * radii[k] + CLUSTER_GAP) / ring
            if k > start and used + width > 2 * math.pi:
                break
            used += width
            k += 1
        spare = max(0.0, 2 * math.pi - used) / (k - start)
        angle = 0.0
        for j in range(start, k):
            width = (2 * radii[j] + CLUSTER_GAP) / ring + spare
            centre = angle + width / 2
            centres.append((ring * math.cos(centre), ring * math.sin(centre)))
            angle += width
        inner = ring + radii[start]
    return centres


def _country_colours(network: PartnerNetwork) -> dict[str, str]:
    counts = Counter(network.graph.nodes[n].get("country") for n in network.graph)
    ordered = sorted((c for c in counts if c), key=lambda c: (-counts[c], c))
    colours: dict[str, str] = {}
    for rank, code in enumerate(ordered):
        if rank < len(COUNTRY_PALETTE):
            colours[code] = COUNTRY_PALETTE[rank]
        else:  # golden-angle hues: distinct enough, stable for a given ranking
            colours[code] = f"hsl({(rank * 137.508) % 360:.0f}, 60%, 45%)"
    return colours


def _transliterator(target: str) -> Callable[[str], str]:
    """Return kgtool.names' transliteration into the script of ``target`` (uz-Latn, uz-Cyrl)."""
    return latin_to_cyrillic if target == "uz-Cyrl" else cyrillic_to_latin


def display_label(network: PartnerNetwork, iri: str | None, lang: str) -> str:
    """Return the label of ``iri`` in ``lang``; an Uzbek name missing in one script is
    transliterated from the other before other languages are tried."""
    if not iri:
        return ""
    if iri in network.graph:
        names = {tag: values[0] for tag, values in network.graph.nodes[iri]["labels"].items()}
    else:
        names = dict(network.labels.get(iri, {}))
    other = {"uz-Cyrl": "uz-Latn", "uz-Latn": "uz-Cyrl"}.get(lang)
    if other and not names.get(lang) and names.get(other):
        return _transliterator(lang)(names[other])
    return network.label(iri, lang)


def _kind_label(network: PartnerNetwork, kind: str, lang: str) -> str:
    found = pick_label(network.labels.get(kind, {}), lang)
    return found or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local_name(kind))


def _status_label(network: PartnerNetwork, status: str, lang: str) -> str:
    return pick_label(network.labels.get(status, {}), lang) or STATUS_NAMES[status][lang]


def _short(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Labels:
    """``display_label`` of each IRI, computed once per page."""

    def __init__(self, network: PartnerNetwork, lang: str) -> None:
        self.network, self.lang = network, lang
        self.cache: dict[str, str] = {}
        self.best_tag: dict[tuple[str, ...], str | None] = {}

    def __call__(self, iri: str | None) -> str:
        if not iri:
            return ""
        found = self.cache.get(iri)
        if found is None:
            found = self.cache[iri] = display_label(self.network, iri, self.lang)
        return found

    def pick(self, texts: Mapping[str, str]) -> str | None:
        """Return ``pick_label(texts, lang)``, choosing once per set of language tags."""
        tags = tuple(texts)
        if tags not in self.best_tag:
            self.best_tag[tags] = best_language(tags, self.lang)
        tag = self.best_tag[tags]
        if tag is not None and not texts[tag]:  # an empty text: the general rule
            return pick_label(texts, self.lang)
        return None if tag is None else texts[tag]


#: The fields of the page's agreements, in the order of their columns (see _agreement_entries).
AGREEMENT_COLUMNS = (
    "title", "status", "directions", "parties", "kind", "signed", "term", "expires", "sources",
)  # fmt: skip


def page_data(
    network: PartnerNetwork, lang: str
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """Return the page's data (for its JS), the vis-network node list, and the vis-network
    groups (one per country and kind: colour and shape are not repeated per node).

    The data holds each agreement once, in columns (``agreements``: a list per field of
    AGREEMENT_COLUMNS; sources index ``agreementSources``); nodes and ties refer to agreements
    by index, and an agreement to its parties by node index (a party outside the network by its
    label). Ties are flat lists of numbers (the page keeps them as typed arrays and makes
    vis-network's edges from them): tie k's ends are ``ends[2k]`` and ``ends[2k + 1]``, its
    agreements the next ``tieSizes[k]`` entries of ``tieAgreements``; the page styles its edge
    by the best status.
    """
    graph = network.graph
    order = sorted(graph.nodes)
    index = {iri: i for i, iri in enumerate(order)}
    labels = _Labels(network, lang)
    colours = _country_colours(network)
    agreement_order = sorted(network.agreements)
    agreement_index = {iri: i for i, iri in enumerate(agreement_order)}
    direction_order = sorted(
        {d for a in network.agreements.values() for d in a.directions},
        key=lambda d: (network.label(d, lang).casefold(), d),
    )
    agreement_kinds = sorted({a.kind for a in network.agreements.values() if a.kind})
    dashes = len(order) <= LARGE_NETWORK
    legend = _legend(network, order, colours, direction_order, lang, dashes=dashes)
    kind_index = {kind["iri"]: i for i, kind in enumerate(legend["kinds"])}
    positions = initial_positions(network, order) if len(order) > IMPROVED_LAYOUT_MAX_NODES else []
    ends, tie_agreements, tie_sizes, own_agreements = _edge_entries(network, index, agreement_index)
    nodes, vis_nodes, groups = _node_entries(
        network, order, own_agreements, kind_index, colours, labels
    )
    agreements, agreement_sources = _agreement_entries(
        network, agreement_order, direction_order, agreement_kinds, index, labels
    )
    for vis_node, (x, y) in zip(vis_nodes, positions, strict=False):
        vis_node["x"], vis_node["y"] = x, y
    data = {
        "lang": lang,
        "asOf": network.as_of.isoformat(),
        "ui": UI_TEXT[lang],
        "iterations": stabilisation_iterations(len(order), len(tie_sizes)),
        "pageHover": len(order) > LARGE_NETWORK,
        "nodes": nodes,
        "ends": ends,
        "tieAgreements": tie_agreements,
        "tieSizes": tie_sizes,
        "agreements": agreements,
        "agreementSources": agreement_sources,
        "agreementKinds": [network.label(kind, lang) for kind in agreement_kinds],
        **legend,
    }
    return data, vis_nodes, groups


def _node_entries(
    network: PartnerNetwork,
    order: list[str],
    own_agreements: list[list[int]],
    kind_index: dict[str, int],
    colours: dict[str, str],
    labels: _Labels,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """Return the page's institutions, their vis-network nodes and groups, in ``order``."""
    graph = network.graph
    nodes: list[dict[str, Any]] = []
    vis_nodes: list[dict[str, Any]] = []
    groups: dict[str, Any] = {}
    for i, iri in enumerate(order):
        attrs = graph.nodes[iri]
        label = labels(iri)
        names = [[tag, name] for tag in sorted(attrs["labels"]) for name in attrs["labels"][tag]]
        partners = graph.degree(iri)
        country = attrs.get("country") or ""
        group = f"{country}|{kind_index[attrs['kind']]}"
        if group not in groups:
            colour = colours.get(country, NO_COUNTRY_COLOUR)
            groups[group] = {
                "shape": KIND_SHAPES.get(attrs["kind"], OTHER_SHAPE)[0],
                "color": {
                    "background": colour,
                    "border": "#333333",
                    "highlight": {"background": colour, "border": "#000000"},
                    "hover": {"background": colour, "border": "#000000"},
                },
            }
        node: dict[str, Any] = {
            "iri": iri,
            "label": label,
            "names": names,
            "kind": kind_index[attrs["kind"]],
            "country": country,
            "partners": partners,
            "agreements": sorted(set(own_agreements[i])),
        }
        # the page folds the names itself when first searched; only the readings by the
        # shared transliteration's context rules (that folding cannot give) come from here
        readings = search_keys([label, *(name for _, name in names)], rules_only=True)
        # empty fields are left out: the page reads a missing one as empty
        if readings:
            node["readings"] = readings
        if attrs.get("parent"):
            node["parent"] = labels(attrs["parent"])
        members = [labels(m) for m in attrs.get("members", []) if m != iri]
        if members:
            node["members"] = members
        if attrs.get("sources"):
            node["sources"] = list(attrs["sources"])
        nodes.append(node)
        vis_nodes.append(
            {
                "id": i,
                "label": _short(label),
                "group": group,
                "size": round(8 + 4 * math.sqrt(partners), 1),
            }
        )
    return nodes, vis_nodes, groups


def _agreement_entries(
    network: PartnerNetwork,
    order: list[str],
    direction_order: list[str],
    kinds: list[str],
    node_index: dict[str, int],
    labels: _Labels,
) -> tuple[dict[str, list[Any]], list[str]]:
    """Return the page's agreements, in ``order``, as columns (one list per field, ``None``
    where an agreement has no value), and the source documents they name.

    Directions and kinds are indexes into ``direction_order`` and ``kinds``, sources indexes
    into the returned names, parties node indexes (or, outside the network, labels). Columns
    rather than an object per agreement: the page's largest part is a third smaller and
    quicker to write and to parse; the page makes an object per agreement from them.
    """
    direction_index = {iri: i for i, iri in enumerate(direction_order)}
    status_index = {status: i for i, status in enumerate(STATUSES)}
    kind_index = {kind: i for i, kind in enumerate(kinds)}
    source_index: dict[str, int] = {}
    columns: dict[str, list[Any]] = {name: [] for name in AGREEMENT_COLUMNS}
    (titles, statuses, directions, parties, kind_column, signed, terms, expires, sources) = (
        columns[name] for name in AGREEMENT_COLUMNS
    )
    for iri in order:
        agreement = network.agreements[iri]
        titles.append(labels.pick(agreement.titles) or local_name(iri))
        statuses.append(status_index[agreement.status])
        directions.append([direction_index[d] for d in agreement.directions])
        parties.append([node_index[p] if p in node_index else labels(p) for p in agreement.parties])
        kind_column.append(kind_index[agreement.kind] if agreement.kind else None)
        signed.append(agreement.signed_on or None)
        terms.append(agreement.term or None)
        expires.append(agreement.expires_on.isoformat() if agreement.expires_on else None)
        sources.append(
            [source_index.setdefault(s, len(source_index)) for s in agreement.sources] or None
        )
    return columns, list(source_index)


def _edge_entries(
    network: PartnerNetwork, index: dict[str, int], agreement_index: dict[str, int]
) -> tuple[list[int], list[int], list[int], list[list[int]]]:
    """Return the partner ties' ends (flat: from, to, from, to ...), their agreements (flat:
    each tie's indexes sorted, tie after tie), how many agreements each tie has, and each node's
    agreements (with repeats), ties in order of their ends."""
    found = []
    for u, v, d in network.graph.edges(data=True):
        a, b = index[u], index[v]
        found.append(((a, b) if a < b else (b, a), d["agreements"]))
    found.sort(key=operator.itemgetter(0))
    own_agreements: list[list[int]] = [[] for _ in index]
    ends: list[int] = []
    tie_agreements: list[int] = []
    tie_sizes: list[int] = []
    for (a, b), agreements in found:
        own = sorted([agreement_index[x.iri] for x in agreements])
        own_agreements[a] += own
        own_agreements[b] += own
        ends += (a, b)
        tie_agreements += own
        tie_sizes.append(len(own))
    return ends, tie_agreements, tie_sizes, own_agreements


def _legend(
    network: PartnerNetwork,
    order: list[str],
    colours: dict[str, str],
    direction_order: list[str],
    lang: str,
    *,
    dashes: bool = True,
) -> dict[str, list[dict[str, Any]]]:
    """Return the legend and filter lists: countries, kinds, directions and statuses (dashed
    as their edges are drawn)."""
    graph = network.graph
    kinds = sorted(
        {graph.nodes[n]["kind"] for n in order}, key=lambda k: _kind_label(network, k, lang)
    )
    countries = sorted(
        {graph.nodes[n].get("country") or "" for n in order},
        key=lambda c: (c == "", network.label(network.country_iris.get(c), lang) if c else ""),
    )
    return {
        "countries": [
            {
                "code": c,
                "label": network.label(network.country_iris.get(c), lang)
                if c
                else UI_TEXT[lang]["none"],
                "color": colours.get(c, NO_COUNTRY_COLOUR),
            }
            for c in countries
        ],
        "kinds": [
            {
                "iri": k,
                "label": _kind_label(network, k, lang),
                "symbol": KIND_SHAPES.get(k, OTHER_SHAPE)[1],
            }
            for k in kinds
        ],
        "directions": [{"iri": d, "label": network.label(d, lang)} for d in direction_order],
        "statuses": [
            {
                "iri": s,
                "label": _status_label(network, s, lang),
                "color": STATUS_STYLES[s][0],
                "dashed": dashes and bool(STATUS_STYLES[s][1]),
                # a canvas draws a dashed line dash by dash: one frame of 56,000 dashed edges
                # took seconds, so large networks show statuses by colour alone
                "dashes": STATUS_STYLES[s][1] if dashes else False,
            }
            for s in STATUSES
        ],
    }


def json_for_script(value: Any) -> str:
    """Return ``value`` as JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):  # fmt: skip
        if raw in text:  # a scan for a character is ten times cheaper than a replace
            text = text.replace(raw, escaped)
    return text


_BOOTSTRAP_LINK = re.compile(r"<link\b[^>]*cdn\.jsdelivr\.net[^>]*/?>", re.S)
_BOOTSTRAP_SCRIPT = re.compile(r"<script\b[^>]*cdn\.jsdelivr\.net[^>]*>\s*</script>", re.S)
_PYVIS_EDGES = re.compile(r"edges = new vis\.DataSet\(\[\]\);")
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.S)
_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'"
)


def _asset(name: str) -> str:
    return resources.files("kgtool").joinpath("resources", "viz", name).read_text(encoding="utf-8")


def _finish_html(html: str, data: dict[str, Any], lang: str) -> str:
    """Strip the template's CDN tags and empty headings; add kgtool's UI, data and script.

    The template is edited before the data go in: the data are most of a large page, and each
    pass over the whole page cost as much as all the edits of the template.
    """
    html = _BOOTSTRAP_LINK.sub("", html)
    html = _BOOTSTRAP_SCRIPT.sub("", html)
    html = _EMPTY_HEADING.sub("", html)
    if re.search(r"(?:src|href)\s*=\s*[\"']https?:", html):
        raise KgtoolError("the pyvis template still links a remote resource; refusing to write it")
    html = html.replace("<html>", f'<!DOCTYPE html>\n<html lang="{lang}">', 1)
    html = html.replace("<body>", "<body>\n" + _asset("page.html"), 1)
    html, found = _PYVIS_EDGES.subn("edges = new vis.DataSet(kgVisEdges());", html, count=1)
    if not found:
        raise KgtoolError("unexpected pyvis template: no empty edge DataSet")
    # Start kgtool's UI in the same script run that creates the network, so no event is missed.
    position = html.rfind("drawGraph();")
    if position < 0:
        raise KgtoolError("unexpected pyvis template: no drawGraph() call")
    html = html[:position] + "drawGraph();\n kgInit();" + html[position + len("drawGraph();") :]
    head = html.find("<head>")
    if head < 0:
        raise KgtoolError("unexpected pyvis template: no <head>")
    head_end = head + len("<head>")
    ui = UI_TEXT[lang]
    return "".join(
        (
            html[:head_end],
            f'\n<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html_escape(ui['title'])}</title>\n"
            f"<style>{_asset('page.css')}</style>\n"
            '<script id="kg-data" type="application/json">',
            json_for_script(data),
            f"</script>\n<script>{search_fold_script()}</script>\n"
            f"<script>{_asset('page.js')}</script>\n",
            html[head_end:],
        )
    )

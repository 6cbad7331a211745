"""The network page as a file: self-contained, data embedded safely, search keys (no browser)."""

from __future__ import annotations

import json
import math
import random
import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kgtool.cli import cli
from kgtool.errors import KgtoolError
from kgtool.graph import load
from kgtool.network import build_network, node_agreements
from kgtool.project import Project
from kgtool.viz import (
    AGREEMENT_COLUMNS,
    SEARCH_CYR_TO_LAT,
    SEARCH_DROP,
    display_label,
    initial_positions,
    json_for_script,
    page_data,
    render_page,
    search_fold,
    search_keys,
    write_page,
)

FIXTURES = Path(__file__).parent / "fixtures" / "network"
AS_OF = date(2026, 1, 15)


@pytest.fixture(scope="module")
def html() -> str:
    network = build_network(load([FIXTURES], project=Project(FIXTURES)), as_of=AS_OF)
    return render_page(network, lang="en")


def test_the_page_loads_nothing_from_elsewhere(html: str) -> None:
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "cdn.jsdelivr.net" not in html and "cdnjs" not in html
    assert "Content-Security-Policy" in html and "connect-src 'none'" in html
    assert "vis.Network" in html  # vis-network is inlined


def test_data_text_never_appears_as_markup(html: str) -> None:
    assert "<img src=x" not in html
    assert "<script>alert(2)" not in html
    data = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', html, re.S)
    assert data is not None
    parsed = json.loads(data.group(1))
    assert "<img src=x onerror=alert(1)>" in [n["label"] for n in parsed["nodes"]]


def test_json_for_script_escapes_what_could_end_a_script() -> None:
    text = json_for_script({"a": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Oʻzbekiston Respublikasi", "Ўзбекистон Республикаси"),
        ("Toshkent davlat texnika universiteti", "Тошкент давлат техника университети"),
        ("Gʻallaorol", "Ғаллаорол"),
        ("Yevropa", "Европа"),
        ("Oliy taʼlim", "Олий таълим"),
    ],
)
def test_search_fold_meets_in_one_form_across_scripts(latin: str, cyrillic: str) -> None:
    assert search_fold(latin) == search_fold(cyrillic)


def test_search_fold_folds_every_apostrophe_variant() -> None:
    variants = ["Oʻzbekiston", "O‘zbekiston", "O’zbekiston", "O'zbekiston", "O`zbekiston"]
    assert {search_fold(v) for v in variants} == {"ozbekiston"}
    assert search_keys(["Олий таълим", "Oliy ta'lim"]) == ["oliy talim"]


def _fold_whole(text: str) -> str:
    """search_fold as first defined: every step over the whole text at once."""
    table = str.maketrans({**SEARCH_CYR_TO_LAT, **dict.fromkeys(SEARCH_DROP)})
    out = unicodedata.normalize("NFC", text).lower().translate(table)
    out = out.replace("ye", "e").replace("ts", "s")
    return re.sub(
        r"[^0-9a-z\u00c0-\u024f\u0400-\u04ff\u1100-\u11ff\uac00-\ud7af]+", " ", out
    ).strip()


def test_search_fold_piece_by_piece_is_the_whole_text_fold() -> None:
    # pieces that meet at white space: apostrophes and hyphens at either end, digraphs split by
    # a dropped apostrophe, combining marks, odd spaces, Korean, a lone punctuation piece
    alphabet = list("aeysty'ʼ‘`-—.,«»\"") + list("ЕеЦцЁёЎўҚқ") + ["e\u0301", "\u00a0", "\u2003"]
    alphabet += [" ", " ", "\t", "\n", "\u3000", "한", "İ", "ß", "Σ", "ς"]
    generator = random.Random(7)
    for _ in range(5000):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 14)))
        assert search_fold(text) == _fold_whole(text), repr(text)


def test_search_keys_read_cyrillic_by_the_transliteration_rules_too() -> None:
    # folding letter by letter reads сентябрь as sentyabr; the rules' reading is sentabr
    assert search_keys(["Сентябрь маркази", "Sentabr"]) == [
        "sentyabr markazi",
        "sentabr markazi",
        "sentabr",
    ]
    # rules_only: the readings that differ from their name's fold (a page folds names itself)
    assert search_keys(["Сентябрь маркази", "Sentabr"], rules_only=True) == ["sentabr markazi"]
    assert search_keys(["Сентябрь", "Сентябрь"], rules_only=True) == ["sentabr"]
    assert search_keys(["Олий таълим", "Toshkent", ""], rules_only=True) == []


def test_unknown_language_is_an_error() -> None:
    network = build_network(load([FIXTURES], project=Project(FIXTURES)), as_of=AS_OF)
    with pytest.raises(KgtoolError, match="unknown page language"):
        render_page(network, lang="de")


def test_write_page_and_the_viz_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load([FIXTURES], project=Project(FIXTURES))
    path = write_page(loaded, tmp_path / "page.html", lang="ru")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    project = tmp_path / "project"
    (project / "ontology").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "data" / "world.ttl").write_bytes((FIXTURES / "world.ttl").read_bytes())
    monkeypatch.chdir(project)
    result = CliRunner().invoke(
        cli, ["viz", "-o", "out/net.html", "--lang", "uz-Cyrl", "--country", "UZ"]
    )
    assert result.exit_code == 0, result.output
    assert "5 institutions" in result.output  # UZ-UZ links only
    assert (project / "out" / "net.html").stat().st_size > 100_000


@pytest.mark.parametrize(
    "options", [{}, {"countries": ["UZ", "DE"]}, {"rollup": True}]
)  # filtered or rolled up: some parties are outside the network, named by label
def test_the_page_data_hold_each_agreement_once_and_refer_to_it(options: dict[str, Any]) -> None:
    loaded = load([FIXTURES], project=Project(FIXTURES))
    network = build_network(loaded, as_of=AS_OF, **options)
    data, vis_nodes, groups = page_data(network, "en")
    agreement_order = sorted(network.agreements)
    order = sorted(network.graph.nodes)
    columns = data["agreements"]
    assert set(columns) == set(AGREEMENT_COLUMNS)
    assert {len(column) for column in columns.values()} == {len(network.agreements)}
    for i, iri in enumerate(order):
        own = {agreement_order[k] for k in data["nodes"][i]["agreements"]}
        assert own == {a.iri for a in node_agreements(network, iri)}
    source_names = data["agreementSources"]
    assert len(set(source_names)) == len(source_names)
    for k, party_refs in enumerate(columns["parties"]):
        agreement = network.agreements[agreement_order[k]]
        assert [order[p] if isinstance(p, int) else p for p in party_refs] == [
            p if p in network.graph else display_label(network, p, "en") for p in agreement.parties
        ]
        # a missing field is null in its column; sources are named through agreementSources
        own_sources = columns["sources"][k]
        assert (own_sources is None) == (not agreement.sources)
        assert [source_names[s] for s in own_sources or []] == list(agreement.sources)
        assert columns["signed"][k] == (agreement.signed_on or None)
        assert columns["expires"][k] == (
            agreement.expires_on.isoformat() if agreement.expires_on else None
        )
        assert (columns["kind"][k] is None) == (agreement.kind is None)
    # ties as flat lists: ends in pairs, agreements tie after tie (tieSizes[k] for tie k)
    sizes = data["tieSizes"]
    assert len(sizes) == network.graph.number_of_edges() == len(data["ends"]) // 2
    assert len(data["tieAgreements"]) == sum(sizes)
    order_of = {iri: i for i, iri in enumerate(order)}
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    ties = {
        tuple(data["ends"][2 * k : 2 * k + 2]): data["tieAgreements"][start : start + size]
        for k, (start, size) in enumerate(zip(starts, sizes, strict=True))
    }
    assert ties == {
        tuple(sorted((order_of[u], order_of[v]))): sorted(
            agreement_order.index(a.iri) for a in d["agreements"]
        )
        for u, v, d in network.graph.edges(data=True)
    }
    # a small network: vis-network lays it out itself, and expired ties are dashed
    assert all("x" not in node for node in vis_nodes)
    assert any(status["dashes"] for status in data["statuses"])
    outside = [p for refs in columns["parties"] for p in refs if isinstance(p, str)]
    assert bool(outside) == bool(options)
    assert {node["group"] for node in vis_nodes} == set(groups)


def test_starting_positions_keep_each_country_together() -> None:
    network = build_network(load([FIXTURES], project=Project(FIXTURES)), as_of=AS_OF)
    order = sorted(network.graph.nodes)
    positions = initial_positions(network, order)
    assert positions == initial_positions(network, order)  # deterministic
    assert len(set(positions)) == len(order)
    country = [network.graph.nodes[iri]["country"] for iri in order]
    centres = {
        c: tuple(
            sum(p[axis] for p, own in zip(positions, country, strict=True) if own == c)
            / country.count(c)
            for axis in (0, 1)
        )
        for c in set(country)
    }
    for (x, y), own in zip(positions, country, strict=True):
        nearest = min(centres, key=lambda c: math.dist((x, y), centres[c]))
        assert nearest == own

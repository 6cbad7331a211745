"""Draft agreements from press releases and registers: seeds, formats, bad input, CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, URIRef

from kgtool.cli import cli
from kgtool.errors import KgtoolError
from kgtool.extract import ExtractionResult, extract_documents, knowledge
from kgtool.extract.dates import find_dateline, find_dates
from kgtool.extract.language import detect_language
from kgtool.extract.table import import_table, parse_cell_date
from kgtool.extract.turtle import to_graph
from kgtool.graph import LoadedGraph, load
from kgtool.project import Project

ID = "https://w3id.org/kgtool/id/"
ORG = ID + "org/"
KIND = ID + "kind/"
SEEDS = {
    "000": "000_e9e16332b42228ca.txt",
    "001": "001_d4b2015dd18e71f4.txt",
    "002": "002_63f51be1fcd88af9.txt",
    "003": "003_c77eb3a60d0eeb24.txt",
    "004": "004_5d35a96467e4fc7b.txt",
}


@pytest.fixture(scope="module")
def loaded(project: Project) -> LoadedGraph:
    return load(project=project)


@pytest.fixture(scope="module")
def seeds_result(seeds_dir: Path, loaded: LoadedGraph) -> ExtractionResult:
    return extract_documents([seeds_dir / name for name in SEEDS.values()], loaded=loaded)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def one(tmp_path: Path, loaded: LoadedGraph, text: str, **kwargs: object) -> ExtractionResult:
    return extract_documents([write(tmp_path, "doc.txt", text)], loaded=loaded, **kwargs)  # type: ignore[arg-type]


# --- the seeds ---------------------------------------------------------------------------------


def test_seeds_give_two_agreements_each_merged_from_two_documents(
    seeds_result: ExtractionResult,
) -> None:
    assert len(seeds_result.agreements) == 2
    by_parties = {frozenset(p.iri for p in a.parties): a for a in seeds_result.agreements}
    metals = by_parties[frozenset({ORG + "uzas", ORG + "uztmk"})]
    rare = by_parties[frozenset({ORG + "uzas-ims", ORG + "koram"})]
    assert metals.documents == [SEEDS["000"], SEEDS["001"]]
    assert rare.documents == [SEEDS["002"], SEEDS["003"]]
    assert metals.kind == KIND + "memorandum-of-cooperation"
    assert rare.kind == KIND + "memorandum-of-understanding"
    assert metals.signed_on is None
    assert rare.signed_on == "2025-05-29"
    assert metals.term_years == rare.term_years == 3
    assert rare.extendable is True
    assert rare.extension_clause == ID + "extension/mutual-consent"
    assert metals.entry_into_force == ID + "entry-into-force/on-signing"
    assert rare.venue == ORG + "uzas"
    koram = next(p for p in rare.parties if p.iri == ORG + "koram")
    assert koram.parent == ORG + "kitech"
    assert koram.country == "KR"


def test_seed_agreement_ids_never_reuse_the_curated_ones(seeds_result: ExtractionResult) -> None:
    # data/ already has agr:uzas-ims-koram-2025-05-29 and agr:uzas-uztmk-memorandum
    assert sorted(a.id for a in seeds_result.agreements) == [
        "uzas-ims-koram-2025-05-29-draft",
        "uzas-uztmk-memorandum-draft",
    ]


def test_no_draft_iri_of_any_seed_is_in_the_project_graph(
    seeds_dir: Path, loaded: LoadedGraph
) -> None:
    from kgtool.graph import union_graph

    graph_subjects = {str(s) for s in union_graph(loaded).subjects() if isinstance(s, URIRef)}
    seeds = sorted(seeds_dir.glob("*.txt"))
    assert len(seeds) >= 5
    runs = [[seed] for seed in seeds] + [seeds]  # each seed alone, then all merged
    for paths in runs:
        result = extract_documents(paths, loaded=loaded)
        draft = to_graph(result.documents, result.agreements, result.taken)
        minted = {str(s) for s in draft.subjects() if isinstance(s, URIRef)}
        assert bool(minted) == bool(result.agreements), paths
        assert minted & graph_subjects == set(), [p.name for p in paths]
        if not result.agreements:
            continue
        assert any("/agreement/" in s for s in minted) and any("/span/" in s for s in minted)
        # what the draft cites but does not mint (known parties, concepts, the seeds' own
        # source nodes) is in the graph
        cited = {str(o) for o in draft.objects() if isinstance(o, URIRef)}
        sources = {o for o in cited if "/source/" in o}
        assert sources and sources <= graph_subjects  # data/sources.ttl has every seed


def test_seed_concepts_include_the_key_ones(
    seeds_result: ExtractionResult, loaded: LoadedGraph
) -> None:
    _, lexicon = knowledge(loaded)
    by_id = {a.id: a for a in seeds_result.agreements}
    rare = by_id["uzas-ims-koram-2025-05-29-draft"]
    assert ID + "provision/ip-co-ownership" in rare.provisions
    if not any("field/" in iri for iri in _lexicon_iris(loaded)):
        pytest.skip("ontology/fields.ttl is not there yet")
    assert {ID + "field/rare-metals", ID + "field/materials-science"} <= set(rare.fields)
    metals = by_id["uzas-uztmk-memorandum-draft"]
    assert {ID + "field/metallurgy", ID + "field/mining"} <= set(metals.fields)
    assert ID + "direction/joint-research" in rare.directions
    assert len(lexicon) > 0


def _lexicon_iris(loaded: LoadedGraph) -> set[str]:
    from rdflib.namespace import SKOS

    from kgtool.graph import union_graph

    return {str(s) for s in union_graph(loaded).subjects(SKOS.prefLabel, None)}


def test_department_page_gives_no_agreement(seeds_result: ExtractionResult) -> None:
    page = next(d for d in seeds_result.documents if d.document == SEEDS["004"])
    assert page.agreements == []


def test_seed_languages(seeds_result: ExtractionResult) -> None:
    tags = {d.document[:3]: d.tag for d in seeds_result.documents}
    assert tags == {"000": "uz-Latn", "001": "ru", "002": "uz-Latn", "003": "ru", "004": "uz-Latn"}


def test_evidence_offsets_point_at_the_text(
    seeds_result: ExtractionResult, seeds_dir: Path
) -> None:
    texts = {name: (seeds_dir / name).read_text(encoding="utf-8") for name in SEEDS.values()}
    spans = [e for a in seeds_result.agreements for e in a.evidence]
    assert spans
    for span in spans:
        assert texts[span.document][span.start : span.end] == span.text
    kinds = {e.text for e in spans if e.field == "kind"}
    assert "Меморандума о\nвзаимопонимании" in kinds


def test_seed_turtle_parses_and_validates(seeds_result: ExtractionResult, project: Project) -> None:
    from kgtool.validate import validate_graph

    draft = to_graph(seeds_result.documents, seeds_result.agreements, seeds_result.taken)
    text = draft.serialize(format="turtle")
    parsed = Graph().parse(data=text, format="turtle")
    assert len(parsed) == len(draft)
    shapes_dir = project.shapes_dir
    if not any(shapes_dir.glob("*.ttl")):
        pytest.skip("no shapes yet")
    data = Graph()
    for triple in parsed:
        data.add(triple)
    for name in ("institutions.ttl", "sources.ttl"):  # the draft cites the seeds' own nodes
        if (project.data_dir / name).exists():
            data.parse(project.data_dir / name)
    shapes, ontology = Graph(), Graph()
    for path in shapes_dir.glob("*.ttl"):
        shapes.parse(path)
    for path in project.ontology_dir.glob("*.ttl"):
        ontology.parse(path)
    report = validate_graph(data, shapes, ontology)
    mine = {s for s in parsed.subjects() if isinstance(s, URIRef)}
    violations = [r for r in report.results if r.severity == "Violation" and r.focus_node in mine]
    assert violations == [], [f"{r.focus_node} {r.message()}" for r in violations]


# --- texts of our own --------------------------------------------------------------------------


def test_planned_signing_gives_no_agreement(tmp_path: Path, loaded: LoadedGraph) -> None:
    for text in (
        "Ertaga Fanlar akademiyasi va Koreya Milliy nodir metallar instituti oʻrtasida"
        " anglashuv memorandumi imzolanishi rejalashtirilgan.",
        "В июне между Академией наук Республики Узбекистан и KORAM планируется подписать"
        " меморандум о взаимопонимании.",
        "The Academy of Sciences of Uzbekistan and KORAM are planned to sign a memorandum of"
        " understanding next month.",
    ):
        assert one(tmp_path, loaded, text).agreements == []


def test_new_institutions_are_proposed_with_base_form_kind_and_country(
    tmp_path: Path, loaded: LoadedGraph
) -> None:
    text = (
        "Ташкент, 12 марта 2024 года. Сегодня между Ташкентским государственным техническим"
        " университетом и Корейским институтом энергетических исследований (KIER) подписан"
        " меморандум о сотрудничестве сроком на пять лет."
    )
    result = one(tmp_path, loaded, text)
    (agreement,) = result.agreements
    names = {p.name: p for p in agreement.parties}
    assert set(names) == {
        "Ташкентский государственный технический университет",
        "Корейский институт энергетических исследований",
    }
    tstu = names["Ташкентский государственный технический университет"]
    assert (tstu.iri, tstu.kind, tstu.country) == (None, "university", "UZ")
    kier = names["Корейский институт энергетических исследований"]
    assert (kier.kind, kier.country, kier.acronym) == ("institute", "KR", "KIER")
    assert agreement.signed_on == "2024-03-12"
    assert agreement.term_years == 5
    assert agreement.kind == KIND + "memorandum-of-cooperation"


def test_three_parties_and_an_english_release(tmp_path: Path, loaded: LoadedGraph) -> None:
    text = (
        "TASHKENT, May 29, 2025 — A trilateral agreement was signed today between the Academy"
        " of Sciences of Uzbekistan, Seoul National University and Samsung Electronics Co., Ltd."
        " The agreement is valid for three years and may be extended by mutual consent."
    )
    (agreement,) = one(tmp_path, loaded, text).agreements
    assert next(p.iri for p in agreement.parties) == ORG + "uzas"
    assert len(agreement.parties) == 3
    assert agreement.kind == KIND + "agreement"
    assert agreement.signed_on == "2025-05-29"
    assert agreement.term_years == 3
    assert agreement.extendable is True


def test_two_agreements_in_one_text(tmp_path: Path, loaded: LoadedGraph) -> None:
    text = (
        "Oʻzbekiston Respublikasi Fanlar akademiyasi va Koreya sanoat texnologiyalari instituti"
        " (KITECH) oʻrtasida hamkorlik memorandumi imzolandi.\n\n"
        "Shuningdek, Materialshunoslik instituti va Koreya Milliy nodir metallar instituti"
        " oʻrtasida 5 yil muddatga shartnoma imzolandi.\n"
    )
    agreements = one(tmp_path, loaded, text).agreements
    assert [sorted(p.iri or "" for p in a.parties) for a in agreements] == [
        [ORG + "kitech", ORG + "uzas"],
        [ORG + "koram", ORG + "uzas-ims"],
    ]
    assert [a.kind for a in agreements] == [KIND + "memorandum-of-cooperation", KIND + "contract"]
    assert [a.term_years for a in agreements] == [None, 5]


def test_uzbek_cyrillic_release(tmp_path: Path, loaded: LoadedGraph) -> None:
    text = (
        "2024 йил 15 октябрда Ўзбекистон Республикаси Фанлар академияси ҳамда Корея саноат"
        " технологиялари институти ўртасида англашув меморандуми имзоланди. Меморандум уч"
        " йил муддатга тузилди."
    )
    result = one(tmp_path, loaded, text)
    assert result.documents[0].tag == "uz-Cyrl"
    (agreement,) = result.agreements
    assert {p.iri for p in agreement.parties} == {ORG + "uzas", ORG + "kitech"}
    assert agreement.kind == KIND + "memorandum-of-understanding"
    assert agreement.signed_on == "2024-10-15"
    assert agreement.term_years == 3


def test_plural_kind_announces_one_agreement_per_partner(
    tmp_path: Path, loaded: LoadedGraph
) -> None:
    text = (
        "Kecha Samarqand davlat universiteti Xitoyning Pekin universiteti va Turkiyaning Anqara"
        " universiteti bilan hamkorlik memorandumlarini imzoladi."
    )
    result = one(tmp_path, loaded, text, published=dt.date(2025, 9, 18))
    pairs = [[p.name for p in a.parties] for a in result.agreements]
    assert pairs == [
        ["Samarqand davlat universiteti", "Pekin universiteti"],
        ["Samarqand davlat universiteti", "Anqara universiteti"],
    ]
    assert [p.country for a in result.agreements for p in a.parties[1:]] == ["CN", "TR"]
    assert {a.signed_on for a in result.agreements} == {"2025-09-17"}
    assert (
        one(tmp_path, loaded, "Over 40 agreements were signed with 12 universities.").agreements
        == []
    )


@pytest.mark.parametrize(
    "text",
    [
        "A delegation of Tashkent Medical Academy visited Seoul National University. During the"
        " visit the two universities signed a memorandum of understanding.",
        "Делегация Ташкентской медицинской академии посетила Сеульский национальный университет."
        " По итогам визита между двумя вузами подписан меморандум о взаимопонимании.",
    ],
)
def test_the_two_universities_named_just_before(
    tmp_path: Path, loaded: LoadedGraph, text: str
) -> None:
    (agreement,) = one(tmp_path, loaded, text).agreements
    assert [p.country for p in agreement.parties] == ["UZ", "KR"]
    assert [p.kind for p in agreement.parties] == ["academy", "university"]
    assert agreement.kind == KIND + "memorandum-of-understanding"


def test_people_and_venue_are_not_parties(tmp_path: Path, loaded: LoadedGraph) -> None:
    text = (
        "In the presence of the Minister, the memorandum of understanding between Coventry"
        " University and KITECH was signed at the Academy of Sciences of Uzbekistan by Rector"
        " John Smith and President Kim."
    )
    (agreement,) = one(tmp_path, loaded, text).agreements
    assert agreement.parties[0].name == "Coventry University"
    assert agreement.parties[1].iri == ORG + "kitech"
    assert agreement.venue == ORG + "uzas"


# --- language and dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("Fanlar akademiyasi va institut oʻrtasida memorandum imzolandi.", "uz-Latn"),
        ("Фанлар академияси ва институт ўртасида меморандум имзоланди.", "uz-Cyrl"),
        ("Академия наук и институт подписали меморандум о сотрудничестве.", "ru"),
        ("The Academy and the institute signed a memorandum of understanding.", "en"),
    ],
)
def test_language_and_script(text: str, tag: str) -> None:
    assert detect_language(text).tag == tag


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("29 мая 2025 года", "2025-05-29"),
        ("2025-yil 29-may kuni", "2025-05-29"),
        ("2025 йил 29 май", "2025-05-29"),
        ("May 29, 2025", "2025-05-29"),
        ("29 May 2025", "2025-05-29"),
        ("29.05.2025", "2025-05-29"),
        ("2025-05-29", "2025-05-29"),
        ("в мае 2025 года", "2025-05"),
        ("in May 2025", "2025-05"),
        ("в 2025 году", "2025"),
    ],
)
def test_date_formats(text: str, value: str) -> None:
    assert [d.value for d in find_dates(text)] == [value]


def test_dates_without_a_year_take_it_from_the_publication_date() -> None:
    published = dt.date(2025, 6, 2)
    assert [d.value for d in find_dates("29 мая", reference=published)] == ["2025-05-29"]
    assert [d.value for d in find_dates("29-may kuni", reference=published)] == ["2025-05-29"]
    assert [d.value for d in find_dates("on 20 December", reference=published)] == ["2024-12-20"]
    assert [d.value for d in find_dates("29 мая")] == [None]


@pytest.mark.parametrize(
    ("word", "value"),
    [("today", "2025-05-30"), ("вчера", "2025-05-29"), ("bugun", "2025-05-30"),
     ("last week", "2025-05")],
)  # fmt: skip
def test_relative_dates(word: str, value: str) -> None:
    (found,) = find_dates(f"... {word} ...", reference=dt.date(2025, 5, 30))
    assert found.value == value


def test_relative_signing_date_uses_published(tmp_path: Path, loaded: LoadedGraph) -> None:
    text = "Вчера Академия наук Узбекистана и KITECH подписали соглашение о сотрудничестве."
    result = one(tmp_path, loaded, text, published=dt.date(2025, 6, 3))
    assert result.agreements[0].signed_on == "2025-06-02"
    assert one(tmp_path, loaded, text).agreements[0].signed_on is None


def test_dateline_resolves_relative_dates(tmp_path: Path, loaded: LoadedGraph) -> None:
    text = "Toshkent, 3 iyun 2025 — Bugun Fanlar akademiyasi va KITECH oʻrtasida bitim imzolandi."
    assert find_dateline(text) is not None
    assert one(tmp_path, loaded, text).agreements[0].signed_on == "2025-06-03"


# --- bad input and the CLI ---------------------------------------------------------------------


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def test_cli_json_for_one_and_several_files(seeds_dir: Path) -> None:
    result = run("extract", str(seeds_dir / SEEDS["003"]))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    payload = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert payload["language"] == "ru"
    assert payload["agreements"][0]["signed_on"] == "2025-05-29"
    result = run("extract", str(seeds_dir / SEEDS["002"]), str(seeds_dir / SEEDS["003"]))
    items = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert [len(i["agreements"]) for i in items] == [1, 1]
    assert items[0]["agreements"][0]["id"] == items[1]["agreements"][0]["id"]
    assert items[0]["agreements"][0]["documents"] == [SEEDS["002"], SEEDS["003"]]


def test_cli_published_resolves_today(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "today.txt",
        "Today the Academy of Sciences of Uzbekistan and KITECH signed an MoU.",
    )
    result = run("extract", str(path), "--published", "2025-05-29")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    payload = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert payload["published"] == "2025-05-29"
    assert payload["agreements"][0]["signed_on"] == "2025-05-29"


def test_cli_turtle_to_file(seeds_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "draft.ttl"
    result = run("extract", str(seeds_dir / SEEDS["000"]), "--format", "turtle", "-o", str(out))
    assert result.exit_code == 0  # type: ignore[attr-defined]
    graph = Graph().parse(out)
    assert (URIRef(ID + "agreement/uzas-uztmk-memorandum-draft"), None, None) in graph
    assert (URIRef(ID + "agreement/uzas-uztmk-memorandum"), None, None) not in graph


def test_cli_seed_drafts_validate_with_the_data(
    seeds_dir: Path, tmp_path: Path, project: Project
) -> None:
    if "validate" not in cli.commands:  # type: ignore[attr-defined]
        pytest.skip("kgtool validate is not there yet")
    out = tmp_path / "draft.ttl"
    files = [str(seeds_dir / name) for name in SEEDS.values()]
    assert run("extract", *files, "--format", "turtle", "-o", str(out)).exit_code == 0  # type: ignore[attr-defined]
    result = run("validate", str(project.data_dir), str(out))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]


def test_cli_no_agreement_is_exit_0_with_a_message(tmp_path: Path) -> None:
    path = write(tmp_path, "news.txt", "The weather in Tashkent was sunny today.")
    result = run("extract", str(path))
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert json.loads(result.stdout)["agreements"] == []  # type: ignore[attr-defined]
    assert "no signed agreement" in result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        ("Академия наук подписала меморандум".encode("cp1251"), "cp1251"),
        ("\ufeffhello".encode("utf-16"), "UTF-16"),
    ],
)
def test_cli_unreadable_files_exit_2(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = run("extract", str(path))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert message in result.stderr and "bad.txt" in result.stderr  # type: ignore[attr-defined]


def test_cli_huge_and_missing_files_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"a" * (5 * 1024 * 1024 + 1))
    result = run("extract", str(path))
    assert result.exit_code == 2 and "MB" in result.stderr  # type: ignore[attr-defined]
    result = run("extract", str(tmp_path / "missing.txt"))
    assert result.exit_code == 2  # type: ignore[attr-defined]


def test_cli_bad_published_date(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "text")
    assert run("extract", str(path), "--published", "May").exit_code == 2  # type: ignore[attr-defined]


def test_read_errors_are_kgtool_errors(tmp_path: Path, loaded: LoadedGraph) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"  \n")
    with pytest.raises(KgtoolError, match="empty"):
        extract_documents([path], loaded=loaded)


# --- registers ---------------------------------------------------------------------------------

CSV = (
    "Partner;Date signed;Term;Type;Directions\n"
    "Koreya Milliy nodir metallar instituti;29.05.2025;3 years;MoU;joint research\n"
    '"KITECH; Seoul National University";2024-11-02;5;Agreement;\n'
    "\n"
    "Tashkent Chemical Plant;someday;forever;Letter;\n"
    ";;;;\n"
)


def test_table_csv(tmp_path: Path, loaded: LoadedGraph) -> None:
    path = write(tmp_path, "register.csv", CSV)
    catalogue, lexicon = knowledge(loaded)
    mapping = {"party": "Oʻzbekiston Respublikasi Fanlar akademiyasi"}
    result = import_table(path, catalogue, lexicon, mapping=mapping)
    first, second, third = result.agreements
    assert [p.iri for p in first.parties] == [ORG + "uzas", ORG + "koram"]
    assert (first.signed_on, first.term_years, first.kind) == (
        "2025-05-29", 3, KIND + "memorandum-of-understanding",
    )  # fmt: skip
    assert len(second.parties) == 3 and second.parties[1].iri == ORG + "kitech"
    assert second.parties[2].iri is None and second.parties[2].kind == "university"
    assert (second.signed_on, second.term_years) == ("2024-11-02", 5)
    assert third.signed_on is None
    # the blank line is row 4: numbers are the file's own rows
    assert any("row 5" in w and "'Date signed'" in w for w in result.warnings)
    assert any("row 5" in w and "'Term'" in w for w in result.warnings)
    assert any("row 5" in w and "'Type'" in w for w in result.warnings)
    graph = to_graph([result.source], result.agreements)
    assert len(set(graph.subjects(None, URIRef("https://w3id.org/kgtool/ontology#Agreement")))) == 3


def test_table_country_codes_are_checked_against_iso_3166(
    tmp_path: Path, loaded: LoadedGraph
) -> None:
    path = write(
        tmp_path,
        "countries.csv",
        "Partner;Country;Date signed\n"
        "Hanbat Optics Institute;ZZ;2025-01-10\n"
        "Lumen Optics Institute;kr;2025-01-11\n"
        "Korea Optics Institute;UZ;2025-01-12\n",
    )
    catalogue, lexicon = knowledge(loaded)
    mapping = {"party": "Oʻzbekiston Respublikasi Fanlar akademiyasi"}
    result = import_table(path, catalogue, lexicon, mapping=mapping)
    unknown, lower, stated = (a.parties[1] for a in result.agreements)
    assert unknown.country is None  # ZZ is no ISO 3166-1 code: never written
    assert lower.country == "KR"
    assert stated.country == "UZ"  # the register's column wins over a guess from the name
    problems = [w for w in result.warnings if "ZZ" in w]
    assert len(problems) == 1 and "\n" not in problems[0]
    assert problems[0].startswith("countries.csv: row 2, column 'Country':")
    turtle = to_graph([result.source], result.agreements, catalogue.taken).serialize()
    assert "country/ZZ" not in turtle
    # every code the name guesses can give is one the shapes accept
    from kgtool.extract.names_guess import country_cue_codes

    assert country_cue_codes() <= catalogue.country_codes
    assert "ZZ" not in catalogue.country_codes and len(catalogue.country_codes) == 249


def test_register_rows_are_reviewed_against_the_row_not_spans(
    tmp_path: Path, loaded: LoadedGraph
) -> None:
    path = write(tmp_path, "register.csv", CSV)
    catalogue, lexicon = knowledge(loaded)
    mapping = {"party": "Oʻzbekiston Respublikasi Fanlar akademiyasi"}
    result = import_table(path, catalogue, lexicon, mapping=mapping)
    graph = to_graph([result.source], result.agreements, catalogue.taken)
    notes = {
        str(s).rsplit("/", 1)[-1]: str(o)
        for s, o in graph.subject_objects(
            URIRef("http://www.w3.org/2004/02/skos/core#editorialNote")
        )
        if "/agreement/" in str(s)
    }
    assert len(notes) == 3
    assert all("spans" not in note and "row " in note for note in notes.values())
    assert any("from row 2 of register.csv" in note for note in notes.values())
    assert not list(
        graph.subjects(RDF.type, URIRef("https://w3id.org/kgtool/ontology#EvidenceSpan"))
    )


def test_table_xlsx_with_russian_headers_and_mapping_file(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Учреждение", "Партнёр", "Дата подписания", "Срок", "Вид"])
    sheet.append(["Академия наук Республики Узбекистан", "KORAM\nKITECH",
                  dt.datetime(2025, 5, 29), "3 года", "Меморандум о взаимопонимании"])  # fmt: skip
    sheet.append(["Академия наук Республики Узбекистан", "", "05/2025", "", ""])
    path = tmp_path / "реестр.xlsx"
    book.save(path)
    out = tmp_path / "draft.ttl"
    result = run("import", "table", str(path), "-o", str(out))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "row 3" in result.stderr  # type: ignore[attr-defined]
    graph = Graph().parse(out)
    agreement = URIRef(ID + "agreement/uzas-koram-kitech-2025-05-29")
    assert len(list(graph.objects(agreement, None))) > 3
    mapping = write(tmp_path, "map.json", json.dumps({"columns": {"parties": "Nope"}}))
    result = run("import", "table", str(path), "--mapping", str(mapping))
    assert result.exit_code == 2 and "Nope" in result.stderr  # type: ignore[attr-defined]
    toml = write(tmp_path, "map.toml", 'party = "UzAS"\n[columns]\nparties = "Партнёр"\n')
    result = run("import", "table", str(path), "--mapping", str(toml), "--format", "json")
    assert result.exit_code == 0  # type: ignore[attr-defined]


def test_table_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    result = run("import", "table", str(path))
    assert result.exit_code == 2 and "broken.xlsx" in result.stderr  # type: ignore[attr-defined]
    path = write(tmp_path, "nopartner.csv", "Date;Term\n2025-01-01;3\n")
    result = run("import", "table", str(path))
    assert result.exit_code == 2 and "partner" in result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("cell", "value"),
    [("29.05.2025", "2025-05-29"), ("2025-05-29", "2025-05-29"), ("29/05/2025", "2025-05-29"),
     ("May 2025", "2025-05"), ("05.2025", "2025-05"), ("2025", "2025"), ("soon", None)],
)  # fmt: skip
def test_cell_dates(cell: str, value: str | None) -> None:
    assert parse_cell_date(cell) == value

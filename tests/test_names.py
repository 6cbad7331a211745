"""Names: normalisation, Uzbek transliteration, inflection, acronyms, resolution and the CLI."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kgtool.cli import cli
from kgtool.names import (
    NameIndex,
    cyrillic_to_latin,
    derive_acronym,
    inflect_ru,
    is_legal_form,
    latin_to_cyrillic,
    lemma_key,
    match_key,
    normalise,
    resolve,
    strip_legal_forms,
    strip_uzbek_suffixes,
)

FIXTURE = Path(__file__).parent / "fixtures" / "names" / "institutions.ttl"
INST = "https://w3id.org/kgtool/id/org/"


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.from_graph(Graph().parse(FIXTURE))


# --- normalise -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "Oʼzbekiston Respublikasi Fanlar akademiyasi",  # U+02BC, as the seeds write it
        "Oʻzbekiston Respublikasi Fanlar akademiyasi",  # U+02BB, as ROR writes it
        "O‘zbekiston Respublikasi Fanlar akademiyasi",
        "O’zbekiston  Respublikasi\nFanlar akademiyasi",
        "O'zbekiston Respublikasi Fanlar akademiyasi",
        "O`zbekiston Respublikasi Fanlar Akademiyasi",
        "«O'ZBEKISTON RESPUBLIKASI FANLAR AKADEMIYASI»",
    ],
)
def test_normalise_folds_apostrophes_case_quotes_and_space(variant: str) -> None:
    assert normalise(variant) == "o'zbekiston respublikasi fanlar akademiyasi"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "“Oʼzbekiston texnologik metalllar kombinati” aktsiyadorlik jamiyati",
            "o'zbekiston texnologik metalllar kombinati",
        ),
        (
            "Акционерное Общество «Узбекистон технологик металлур комбинати»",
            "узбекистон технологик металлур комбинати",
        ),
        (
            "JSC “Uzbekistan Technological Metals Combine”",
            "uzbekistan technological metals combine",
        ),
        ("«Navoiy KMK» AJ", "navoiy kmk"),
        ("ООО «Ромашка»", "ромашка"),
        ("Samsung Co., Ltd.", "samsung"),
        ("MChJ “Artel”", "artel"),
    ],
)
def test_normalise_sets_legal_forms_and_quotes_aside(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_normalise_keeps_apostrophes_inside_words_only() -> None:
    assert normalise("'taʼlim'") == "ta'lim"
    assert normalise("Qo‘qon, Farg‘ona; Toshkent.") == "qo'qon farg'ona toshkent"


def test_normalise_leaves_the_display_text_alone() -> None:
    text = "«Oʼzbekiston» JSC"
    normalise(text)
    assert text == "«Oʼzbekiston» JSC"


# --- transliteration -------------------------------------------------------------------------

PAIRS = [
    ("Toshkent", "Тошкент"),
    ("Oʻzbekiston", "Ўзбекистон"),
    ("Samarqand", "Самарқанд"),
    ("Fargʻona", "Фарғона"),
    ("Andijon", "Андижон"),
    ("Qashqadaryo", "Қашқадарё"),
    ("Yangiyoʻl", "Янгийўл"),
    ("Mirzo Ulugʻbek", "Мирзо Улуғбек"),
    ("Fanlar akademiyasi", "Фанлар академияси"),
    ("Materialshunoslik instituti", "Материалшунослик институти"),
    ("Navoiy", "Навоий"),
    ("Sirdaryo", "Сирдарё"),
    ("Yevropa", "Европа"),
    ("sentabr", "сентябрь"),
    ("oktabr", "октябрь"),
    ("Isʼhoq", "Исҳоқ"),
    ("taʼlim", "таълим"),
    ("maʼlumot", "маълумот"),
    ("Shahrisabz", "Шаҳрисабз"),
    ("Chirchiq", "Чирчиқ"),
    ("Ergash", "Эргаш"),
    ("poeziya", "поэзия"),
    ("litsey", "лицей"),
    ("sirk", "сирк"),
    ("obyekt", "объект"),
    ("Yoshlar", "Ёшлар"),
    ("yer", "ер"),
    ("Qoʻqon", "Қўқон"),
    ("OʻZBEKISTON", "ЎЗБЕКИСТОН"),
    ("SHAHAR", "ШАҲАР"),
    ("Oʻzbekiston Respublikasi Fanlar akademiyasi", "Ўзбекистон Республикаси Фанлар академияси"),
    ("Toshkent davlat texnika universiteti", "Тошкент давлат техника университети"),
    ("2025-yil 29-sentabrda", "2025-йил 29-сентябрда"),
]


@pytest.mark.parametrize(("latin", "cyrillic"), PAIRS)
def test_latin_to_cyrillic(latin: str, cyrillic: str) -> None:
    assert latin_to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize(("latin", "cyrillic"), PAIRS)
def test_cyrillic_to_latin(latin: str, cyrillic: str) -> None:
    assert cyrillic_to_latin(cyrillic) == latin


@pytest.mark.parametrize(("latin", "cyrillic"), PAIRS)
def test_round_trips(latin: str, cyrillic: str) -> None:
    assert cyrillic_to_latin(latin_to_cyrillic(latin)) == latin
    assert latin_to_cyrillic(cyrillic_to_latin(cyrillic)) == cyrillic


def test_transliteration_reads_every_apostrophe_variant() -> None:
    for variant in ("Oʼzbekiston", "O'zbekiston", "O‘zbekiston", "O’zbekiston", "O`zbekiston"):
        assert latin_to_cyrillic(variant) == "Ўзбекистон"
    assert latin_to_cyrillic("Is'hoq") == "Исҳоқ"


def test_ts_after_consonant_is_s_and_after_vowel_ts() -> None:
    assert cyrillic_to_latin("акция") == "aksiya"
    assert cyrillic_to_latin("милиция") == "militsiya"
    assert cyrillic_to_latin("цирк") == "sirk"


def test_transliteration_keeps_other_text() -> None:
    assert latin_to_cyrillic("2025-yil, №5 (uch)") == "2025-йил, №5 (уч)"
    assert cyrillic_to_latin("한국생산기술연구원 (KITECH)") == "한국생산기술연구원 (KITECH)"
    assert latin_to_cyrillic("한국생산기술연구원") == "한국생산기술연구원"


# --- inflection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("Институтом материаловедения", "Институт материаловедения"),
        ("Академии наук", "Академия наук"),
        ("в Академии наук Республики Узбекистан", "Академия наук Республики Узбекистан"),
        (
            "Корейским национальным институтом редких металлов",
            "Корейский национальный институт редких металлов",
        ),
        (
            "Oʻzbekiston Respublikasi Fanlar akademiyasining",
            "Oʻzbekiston Respublikasi Fanlar akademiyasi",
        ),
        (
            "Oʼzbekiston Respublikasi Fanlar akademiyasida",
            "Oʻzbekiston Respublikasi Fanlar akademiyasi",
        ),
        ("Materialshunoslik institutining", "Materialshunoslik instituti"),
        ("Toshkent davlat texnika universiteti bilan", "Toshkent davlat texnika universiteti"),
        ("texnologik metallar kombinatida", "texnologik metallar kombinati"),
        (
            "Ўзбекистон Республикаси Фанлар академиясида",
            "Oʻzbekiston Respublikasi Fanlar akademiyasi",
        ),
        ("Fanlar akademiyasidagi", "Фанлар академияси"),
    ],
)
def test_inflected_forms_share_the_base_forms_key(inflected: str, base: str) -> None:
    assert lemma_key(inflected) == lemma_key(base)


def test_different_names_keep_different_keys() -> None:
    assert lemma_key("Институт материаловедения") != lemma_key("Институт истории")
    assert lemma_key("Fanlar akademiyasi") != lemma_key(
        "Fanlar akademiyasi Materialshunoslik instituti"
    )


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("akademiyasining", "akademiya"),
        ("institutining", "institut"),
        ("universiteti", "universitet"),
        ("kombinatida", "kombinat"),
        ("fanlarni", "fan"),
        ("hamkorlari", "hamkor"),
        ("toshkentdan", "toshkent"),
        ("bankka", "bank"),
        ("toshkent", "toshkent"),
    ],
)
def test_strip_uzbek_suffixes(word: str, stem: str) -> None:
    assert strip_uzbek_suffixes(word) == stem


def test_inflect_ru_puts_the_phrase_in_a_case() -> None:
    assert inflect_ru("Институт материаловедения", "ablt") == "Институтом материаловедения"
    assert inflect_ru("Академия наук", "loct") == "Академии наук"
    with pytest.raises(ValueError, match="unknown case"):
        inflect_ru("Академия наук", "vocative")


def test_match_key_joins_the_scripts() -> None:
    assert match_key("Ўзбекистон Республикаси Фанлар академияси") == match_key(
        "O'zbekiston respublikasi fanlar akademiyasi"
    )


# --- acronyms --------------------------------------------------------------------------------


def test_derive_acronym_from_content_words_in_the_names_script() -> None:
    name = "Toshkent irrigatsiya va qishloq xoʻjaligini mexanizatsiyalash muhandislari instituti"
    assert derive_acronym(name) == "TIQXMMI"
    assert derive_acronym("Academy of Sciences of Uzbekistan") == "ASU"
    assert derive_acronym("Национальный университет Узбекистана") == "НУУ"


@pytest.mark.parametrize(
    ("text", "slug", "rule"),
    [
        ("KITECH", "kitech", "acronym"),
        ("kitech", "kitech", "acronym"),
        ("KORAM", "koram", "acronym"),
        ("KORAMning", "koram", "acronym-inflected"),
        ("TIQXMMI", "tiiame", "acronym"),
        ("TIQXMMIda", "tiiame", "acronym-inflected"),
        ("ТИҚХММИ", "tiiame", "acronym"),
        ("UzAS", "uzas", "acronym"),
        ("НУУз", "nuuz", "acronym"),
        ("НУУза", "nuuz", "acronym-inflected"),
    ],
)
def test_acronyms_match_explicit_values_case_insensitively_and_inflected(
    index: NameIndex, text: str, slug: str, rule: str
) -> None:
    local = NameIndex()
    local.add(INST + "nuuz", "НУУз", kind="acronym")
    local.add(INST + "nuuz", "Национальный университет Узбекистана", lang="ru", kind="pref")
    found = (index if slug != "nuuz" else local).resolve(text)
    assert found[0].iri == INST + slug
    assert found[0].rule == rule


def test_a_full_name_matches_an_acronym_by_its_initials() -> None:
    local = NameIndex()
    local.add(INST + "tiiame", "TIQXMMI", kind="acronym")
    found = local.resolve(
        "Toshkent irrigatsiya va qishloq xoʻjaligini mexanizatsiyalash muhandislari instituti"
    )
    assert [(m.iri, m.rule) for m in found] == [(INST + "tiiame", "acronym-derived")]


# --- resolve ---------------------------------------------------------------------------------

ACADEMY_FORMS = [
    "Oʼzbekiston Respublikasi Fanlar akademiyasi",
    "Ўзбекистон Республикаси Фанлар академияси",
    "«Академия наук Республики Узбекистан»",
    "«Академии наук РУз»",
    "Academy of Sciences of the Republic of Uzbekistan",
    "UzAS",
]


@pytest.mark.parametrize("text", ACADEMY_FORMS)
def test_all_six_academy_forms_resolve_to_the_academy(index: NameIndex, text: str) -> None:
    found = index.resolve(text)
    assert found[0].iri == INST + "uzas"
    assert found[0].score >= 0.85
    assert len(found) == 1 or found[1].score < found[0].score - 0.2


def test_resolve_from_a_mapping_with_latin_names_only_uses_transliteration() -> None:
    found = resolve(
        "Ўзбекистон Республикаси Фанлар академияси",
        {INST + "uzas": ["Oʻzbekiston Respublikasi Fanlar akademiyasi"]},
    )
    assert [(m.iri, m.rule, m.score) for m in found] == [(INST + "uzas", "transliterated", 0.95)]


def test_resolve_reports_the_rule_and_label(index: NameIndex) -> None:
    match = index.resolve("Институтом материаловедения")[0]
    assert (match.iri, match.rule, match.label, match.lang) == (
        INST + "uzas-ims",
        "inflection",
        "Институт материаловедения",
        "ru",
    )
    assert match.reason == "inflection on 'Институт материаловедения'@ru"


def test_resolve_parenthesised_acronym_agrees_with_the_name(index: NameIndex) -> None:
    found = index.resolve("Koreya sanoat texnologiyalari instituti (KITECH)")
    assert found[0].iri == INST + "kitech"
    assert found[0].score > index.resolve("Koreya sanoat texnologiyalari instituti")[0].score - 1e-9


def test_resolve_accepts_a_graph_and_limits(index: NameIndex) -> None:
    graph = Graph().parse(FIXTURE)
    found = resolve("Korea Institute", graph, limit=2)
    assert len(found) == 2
    assert all(0 <= m.score <= 1 for m in found)
    assert {m.iri for m in found} <= {INST + "kitech", INST + "koram"}


def test_unknown_names_resolve_to_nothing_confident(index: NameIndex) -> None:
    assert all(m.score < 0.5 for m in index.resolve("Samarqand davlat universiteti"))
    assert index.resolve("") == []
    assert index.resolve("«»") == []


def test_hidden_labels_score_slightly_lower(index: NameIndex) -> None:
    match = index.resolve("Oʼzbekiston texnologik metalllar kombinati")[0]
    assert match.iri == INST + "uztmk"
    assert 0.95 < match.score < 1.0


def test_index_lists_names_and_iris(index: NameIndex) -> None:
    assert len(index) == 6
    assert INST + "koram" in index
    assert {n.kind for n in index.names_of(INST + "tiiame")} == {"pref", "acronym"}


def test_index_is_fast_at_registry_scale() -> None:
    index = NameIndex()
    start = time.perf_counter()
    for i in range(20_000):
        index.add(
            f"{INST}org{i}", f"Institute number {i} of applied studies", lang="en", kind="pref"
        )
        index.add(f"{INST}org{i}", f"I{i}AS", kind="acronym")
    build = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(0, 20_000, 200):
        assert index.resolve(f"Institute number {i} of applied studies")[0].iri == f"{INST}org{i}"
    per_query = (time.perf_counter() - start) / 100
    assert build < 10 and per_query < 0.2, (build, per_query)


# --- CLI -------------------------------------------------------------------------------------


def test_cli_names_resolve_json() -> None:
    result = CliRunner().invoke(
        cli, ["names", "resolve", "«Академии наук РУз»", "--data", str(FIXTURE), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["iri"] == INST + "uzas"
    assert rows[0]["rule"] == "inflection"
    assert set(rows[0]) == {"iri", "score", "rule", "label", "lang"}


def test_cli_names_resolve_table_and_limit() -> None:
    result = CliRunner().invoke(
        cli, ["names", "resolve", "Korea Institute", "--data", str(FIXTURE), "--limit", "1"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split() == ["score", "iri", "rule", "label"]
    assert len(lines) == 2


def test_cli_names_resolve_no_match_exits_1() -> None:
    result = CliRunner().invoke(cli, ["names", "resolve", "Zzyzx", "--data", str(FIXTURE)])
    assert result.exit_code == 1


def test_cli_names_normalise_and_translit() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["names", "normalise", "«Oʼzbekiston» AJ"])
    assert (result.exit_code, result.output) == (0, "o'zbekiston\n")
    result = runner.invoke(cli, ["names", "translit", "Fargʻona"])
    assert (result.exit_code, result.output) == (0, "Фарғона\n")
    result = runner.invoke(cli, ["names", "translit", "Фарғона"])
    assert (result.exit_code, result.output) == (0, "Fargʻona\n")
    result = runner.invoke(cli, ["names", "translit", "Toshkent", "--to", "latn"])
    assert (result.exit_code, result.output) == (0, "Toshkent\n")


def test_cli_names_resolve_bad_data_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    result = CliRunner().invoke(cli, ["names", "resolve", "UzAS", "--data", str(bad)])
    assert result.exit_code == 2
    assert "bad.ttl" in result.output


@pytest.mark.parametrize(
    ("written", "bare"),
    [
        (
            "«Uzbekistan Technological Metals Combine» МЧЖ",
            "Uzbekistan Technological Metals Combine",
        ),
        ('MChJ "Navoiy kon"', "Navoiy kon"),
        ("ООО «Ромашка»", "Ромашка"),
        ("ОАО Узметкомбинат АЖ", "Узметкомбинат"),
        ("Samsung Co., Ltd.", "Samsung"),
        ("Oʻzbekiston MChJ", "Oʻzbekiston"),  # the apostrophe as written stays
        ("Bank of LLC Studies", "Bank of LLC Studies"),  # a legal form inside a name stays
        ("АЖ", "АЖ"),  # a name that is only a legal form stays
        ("Academy of Sciences", "Academy of Sciences"),
    ],
)
def test_strip_legal_forms_takes_them_off_either_end_only(written: str, bare: str) -> None:
    assert strip_legal_forms(written) == bare


# --- legal forms: one list for the extractor and the linker ------------------------------------


@pytest.mark.parametrize(
    ("written", "bare"),
    [
        # uz-Latn
        ("MChJ Agro Invest", "Agro Invest"),
        ("Agro Invest MChJ", "Agro Invest"),
        ("«Navoiy kon» AJ", "Navoiy kon"),
        ("XK «Baraka Savdo»", "Baraka Savdo"),
        ("«Navoiy kon» aksiyadorlik jamiyati", "Navoiy kon"),
        # uz-Cyrl
        ("МЧЖ «Агро Инвест»", "Агро Инвест"),
        ("«Навоий кон» АЖ", "Навоий кон"),
        ("АК «Ўзбекнефтгаз»", "Ўзбекнефтгаз"),
        ("«Навоий кон» акциядорлик жамияти", "Навоий кон"),
        # ru
        ("ООО «Ромашка»", "Ромашка"),
        ("«Ромашка» ООО", "Ромашка"),
        ("ГУП «Ташкентский метрополитен»", "Ташкентский метрополитен"),
        ("Северная сода, акционерное общество", "Северная сода"),
        # en
        ("JSC Uzbek Railways", "Uzbek Railways"),
        ("Hanbit Optics Co., Ltd.", "Hanbit Optics"),
        ('PJSC "Northern Soda"', "Northern Soda"),
        ("HUBER Diffraktionstechnik GmbH & Co. KG", "HUBER Diffraktionstechnik"),
    ],
)
def test_a_legal_form_comes_off_either_end_in_every_language(written: str, bare: str) -> None:
    assert strip_legal_forms(written) == bare
    assert normalise(written) == normalise(bare)
    assert is_legal_form(written.replace(bare, "").strip(' «»"“”,'))


@pytest.mark.parametrize("apostrophe", ["ʼ", "ʻ", "‘", "’", "'", "`"])
def test_a_legal_form_is_found_whatever_the_apostrophe(apostrophe: str) -> None:
    bare = f"O{apostrophe}zbekiston temir yo{apostrophe}llari"
    written = f"«{bare}» mas{apostrophe}uliyati cheklangan jamiyati"
    assert strip_legal_forms(written) == bare  # as written: the apostrophe is kept
    assert normalise(written) == "o'zbekiston temir yo'llari"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Ак Алтын", "ак алтын"),  # Kazakh and Kyrgyz "ак", white
        ("Ak Bars Bank", "ak bars bank"),
        ("Банк АК Инвест", "банк ак инвест"),  # capitals, but inside the name
        ("Международный университет Ала-Тоо", "международный университет ала тоо"),
        ("Co-operative University", "co operative university"),
        ("хк динамо", "хк динамо"),  # not in capitals
        ("Associação de Apoio ao Desenvolvimento", "associação de apoio ao desenvolvimento"),
    ],
)
def test_an_ordinary_word_that_looks_like_a_legal_form_stays(name: str, key: str) -> None:
    assert strip_legal_forms(name) == name
    assert normalise(name) == key


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("MChJ", True),
        ("mchj", True),
        ("МЧЖ", True),
        ("Co.", True),
        ("GmbH", True),
        ("aksiyadorlik  jamiyati", True),
        ("Masʼuliyati cheklangan jamiyati", True),
        ("АК", True),
        ("AK", True),
        ("ак", False),
        ("Ак", False),
        ("АЖ", True),
        ("аж", False),
        ("тоо", False),
        ("Co-operative", False),
        ("universiteti", False),
    ],
)
def test_is_legal_form(word: str, expected: bool) -> None:
    assert is_legal_form(word) is expected


def test_the_linker_finds_a_name_written_with_a_legal_form(index: NameIndex) -> None:
    iri = index.iris()[0]
    label = index.names_of(iri)[0].label
    for written in (f"«{label}» MChJ", f"ООО «{label}»", f"{label} LLC"):
        best = index.resolve(written)[0]
        assert (best.iri, best.rule) == (iri, "exact-normalised"), written

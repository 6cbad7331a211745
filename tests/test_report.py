"""The report page (inline SVG, nothing external, escaped text) and its iCalendar file."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from kgtool.graph import LoadedGraph, load
from kgtool.project import Project
from kgtool.report import CALENDAR_FILE, REPORT_FILE, fold_line, ical_escape, write_report

FIXTURES = Path(__file__).parent / "fixtures" / "network"
AS_OF = date(2026, 1, 15)


@pytest.fixture(scope="module")
def loaded() -> LoadedGraph:
    return load([FIXTURES], project=Project(FIXTURES))


@pytest.fixture(scope="module")
def written(loaded: LoadedGraph, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_report(loaded, tmp_path_factory.mktemp("report"), as_of=AS_OF)


# --- a strict reader for the parts of RFC 5545 the calendar uses ---------------------------------


def unfold(raw: bytes) -> list[str]:
    """Return the content lines of an iCalendar stream, checking CRLF ends and line lengths."""
    assert raw.endswith(b"\r\n")
    physical = raw[:-2].split(b"\r\n")
    for line in physical:
        assert b"\n" not in line and b"\r" not in line, "a bare LF or CR"
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
        line.decode("utf-8")  # folding never splits a UTF-8 sequence
    logical: list[str] = []
    for line in physical:
        text = line.decode("utf-8")
        if text.startswith(" "):
            logical[-1] += text[1:]
        else:
            logical.append(text)
    return logical


def unescape(value: str) -> str:
    """Undo TEXT escaping; fail on a bare , or ; (they must be escaped)."""
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            nxt = value[i + 1]
            assert nxt in "\\;,nN", f"bad escape \\{nxt}"
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        assert ch not in ",;", f"unescaped {ch!r} in {value!r}"
        out.append(ch)
        i += 1
    return "".join(out)


def parse_calendar(raw: bytes) -> list[dict[str, str]]:
    """Return the events: property name (with parameters) -> raw value."""
    lines = unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(x.startswith("PRODID:") for x in lines)
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines[1:-1]:
        name, sep, value = line.partition(":")
        assert sep, f"no colon in {line!r}"
        assert re.fullmatch(r"[A-Z-]+(;[A-Z-]+=[A-Z]+)*", name), name
        if line == "BEGIN:VEVENT":
            assert current is None
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            current[name] = value
    assert current is None
    return events


def test_calendar_lists_the_expiry_of_every_active_agreement(written: list[Path]) -> None:
    raw = written[1].read_bytes()
    assert written[1].name == CALENDAR_FILE
    events = parse_calendar(raw)
    starts = sorted(e["DTSTART;VALUE=DATE"] for e in events)
    # active or expiring soon, with a known expiry; expired and unknown-expiry ones are left out
    assert starts == ["20260601", "20290315", "20300201", "20320110"]
    for event in events:
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
        assert re.fullmatch(r"[0-9a-f]{32}-expiry@kgtool", event["UID"])
        assert event["DTEND;VALUE=DATE"] > event["DTSTART;VALUE=DATE"]
    assert len({e["UID"] for e in events}) == len(events)
    metals = next(e for e in events if e["DTSTART;VALUE=DATE"] == "20290315")
    description = unescape(metals["DESCRIPTION"])
    assert "Parties: Academy of Sciences of the Republic of Uzbekistan; " in description
    assert "Sources: 000_e9e16332b42228ca.txt, 001_d4b2015dd18e71f4.txt\n" in description
    assert unescape(metals["SUMMARY"]) == "Agreement expires: Memorandum on science and production"


def test_ical_escape_and_fold() -> None:
    assert ical_escape('a,b;c\\d\ne "q"') == 'a\\,b\\;c\\\\d\\ne "q"'
    line = "SUMMARY:" + "Ўзбекистон Республикаси Фанлар академияси " * 4
    folded = fold_line(line)
    pieces = folded.encode("utf-8").split(b"\r\n")
    assert all(len(p) <= 75 for p in pieces)
    assert all(p.startswith(b" ") for p in pieces[1:])
    assert (
        "".join(p.decode("utf-8")[1:] if i else p.decode("utf-8") for i, p in enumerate(pieces))
        == line
    )
    assert fold_line("SHORT:x") == "SHORT:x"


def test_report_has_inline_svg_plots_and_nothing_external(written: list[Path]) -> None:
    assert written[0].name == REPORT_FILE
    html = written[0].read_text(encoding="utf-8")
    assert html.count("<svg") == 5
    for title in (
        "Agreements signed per year",
        "Agreements per direction of cooperation",
        "Agreements with a party from each country",
        "Active agreements, from signing to expiry",
        "Distinct partners per institution",
    ):
        assert f"<title>{title}</title>" in html
    assert not re.search(r"""(?:src|href|xmlns)\s*=\s*["']?(?:https?:)?//""", html)
    assert "@import" not in html and "url(" not in html


def test_report_content_and_escaping(written: list[Path]) -> None:
    html = written[0].read_text(encoding="utf-8")
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt; AI memorandum" in html
    # per year: one agreement in each year 2019..2025
    years = re.findall(r'font-size="11">(\d{4}|unknown)</text>', html)
    assert years == ["2019", "2020", "2021", "2022", "2023", "2024", "2025"]
    # partner countries: Germany 2, South Korea 2, Russia 1, domestic 3
    assert re.search(r"Uzbekistan \(domestic\)</text><rect[^>]*/><text[^>]*>3<", html)
    assert re.search(r"Germany</text><rect[^>]*/><text[^>]*>2<", html)
    # the statistics the sources report
    assert '<td>agreements-signed</td><td>over</td><td class="num">120</td>' in html
    assert "002_63f51be1fcd88af9.txt" in html


# --- labels fit their space (a label is about 0.62 em wide per character) -------------------------

CHAR_EM = 0.62


def test_column_labels_never_overlap() -> None:
    from kgtool.report import column_chart_svg

    svg = column_chart_svg([("2025", 1), ("unknown", 1)], title="Agreements signed per year")
    labels = re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle" font-size="11">'
        r"([^<]+)</text>",
        svg,
    )
    assert [text for _, text in labels] == ["2025", "unknown"]
    (x1, a), (x2, b) = ((float(x), t) for x, t in labels)
    assert x2 - x1 >= 11 * CHAR_EM * (len(a) + len(b)) / 2, "year labels overlap"


def test_timeline_labels_fit_left_of_the_bars() -> None:
    from kgtool.network import Agreement
    from kgtool.report import timeline_svg

    title = "Memorandum of understanding between the Institute of Materials Science and KORAM"
    agreement = Agreement(
        iri="https://w3id.org/kgtool/id/agreement/x",
        kind=None,
        titles={"en": title},
        signed_on="2025-05-29",
        term="P3Y",
        expires_on=date(2028, 5, 29),
        status="active",
        directions=(),
        parties=(),
        sources=(),
    )
    svg = timeline_svg([agreement], AS_OF, title="Active agreements")
    match = re.search(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="end"><title>[^<]*</title>'
        r"([^<]+)</text>",
        svg,
    )
    assert match, svg
    right_edge, shown = float(match.group(1)), match.group(2)
    assert 12 * CHAR_EM * len(shown) <= right_edge, f"{shown!r} is cut off at the left edge"


def test_dates_in_tables_never_wrap(written: list[Path]) -> None:
    html = written[0].read_text(encoding="utf-8")
    assert re.search(r'<td class="date">\d{4}-\d{2}-\d{2}</td>', html), "dates are not marked"
    assert re.search(r"td\.date \{ white-space: nowrap; \}", html)

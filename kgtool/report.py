"""The cooperation report: one offline HTML page with inline SVG plots, and an iCalendar file
with the expiry date of every active agreement (RFC 5545) so an office can subscribe to it."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from kgtool.fsutil import atomic_write_bytes, atomic_write_text
from kgtool.network import STATUSES, Agreement, PartnerNetwork, build_network
from kgtool.project import PREFIXES, local_name, pick_label
from kgtool.publish import html_page
from kgtool.stats import STATUS_ACTIVE, STATUS_EXPIRING_SOON

if TYPE_CHECKING:
    from kgtool.graph import LoadedGraph

REPORT_FILE = "report.html"
CALENDAR_FILE = "agreement-expiries.ics"
HOME_COUNTRY = "UZ"
TOP_INSTITUTIONS = 15
MAX_TIMELINE_ROWS = 150
PRODID = "-//kgtool//partner agreements//EN"

OBSERVATIONS_QUERY = (
    "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in ("coop", "dcterms"))
    + """
SELECT ?obs ?subject ?measure ?value ?unit ?qualifier ?period ?asOf ?country
       (GROUP_CONCAT(DISTINCT ?source; separator=" | ") AS ?sources)
WHERE {
  ?obs a coop:Observation .
  OPTIONAL { ?obs coop:subject ?subject }
  OPTIONAL { ?obs coop:measure ?measure }
  OPTIONAL { ?obs coop:value ?value }
  OPTIONAL { ?obs coop:unit ?unit }
  OPTIONAL { ?obs coop:qualifier ?qualifier }
  OPTIONAL { ?obs coop:period ?period }
  OPTIONAL { ?obs coop:asOf ?asOf }
  OPTIONAL { ?obs coop:refersToCountry ?country }
  OPTIONAL { ?obs coop:source ?doc . OPTIONAL { ?doc dcterms:identifier ?docId }
             BIND(COALESCE(STR(?docId), STR(?doc)) AS ?source) }
}
GROUP BY ?obs ?subject ?measure ?value ?unit ?qualifier ?period ?asOf ?country
ORDER BY ?obs
"""
)


@dataclass(frozen=True)
class Observation:
    """An aggregate statistic a source reports (coop:Observation), labels resolved."""

    iri: str
    subject: str
    measure: str
    value: str
    unit: str
    qualifier: str
    period: str
    as_of: str
    country: str
    sources: str


def write_report(
    loaded: LoadedGraph,
    out_dir: Path,
    *,
    as_of: date | None = None,
    network: PartnerNetwork | None = None,
) -> list[Path]:
    """Write ``report.html`` and ``agreement-expiries.ics`` into ``out_dir``; return both paths.
    ``network`` is the partner network as of ``as_of`` if the caller has it (else it is read)."""
    as_of = as_of or date.today()
    if network is None:
        network = build_network(loaded, as_of=as_of)
    observations = read_observations(loaded, network)
    html = render_report(network, observations)
    calendar = render_calendar(network)
    report_path, calendar_path = out_dir / REPORT_FILE, out_dir / CALENDAR_FILE
    atomic_write_text(report_path, html)
    atomic_write_bytes(calendar_path, calendar.encode("utf-8"))  # keeps the CRLF line ends
    return [report_path, calendar_path]


def read_observations(loaded: LoadedGraph, network: PartnerNetwork) -> list[Observation]:
    """Return the dataset's observations with English labels (IRIs' local names as fallback)."""
    found = []
    for row in loaded.dataset.query(OBSERVATIONS_QUERY):
        obs, subject, measure, value, unit, qualifier, period, obs_as_of, country, sources = cast(
            tuple[Any, ...], row
        )

        def text(term: Any) -> str:
            return "" if term is None else str(term)

        found.append(
            Observation(
                iri=str(obs),
                subject=network.label(text(subject), "en"),
                measure=network.label(text(measure), "en"),
                value=_number(text(value)),
                unit=network.label(text(unit), "en"),
                qualifier=network.label(text(qualifier), "en"),
                period=text(period),
                as_of=text(obs_as_of),
                country=network.label(text(country), "en"),
                sources=text(sources),
            )
        )
    return found


def _number(text: str) -> str:
    """Return a decimal without a trailing ``.0`` (120.0 -> 120)."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# --- counting ------------------------------------------------------------------------------


def _title(agreement: Agreement) -> str:
    return pick_label(agreement.titles, "en") or local_name(agreement.iri)


def per_year(network: PartnerNetwork) -> list[tuple[str, int]]:
    """Return (year, agreements) in year order; undated agreements last, as ``unknown``."""
    counts = Counter(
        str(a.year) if a.year is not None else "unknown" for a in network.agreements.values()
    )
    return sorted(counts.items(), key=lambda kv: (kv[0] == "unknown", kv[0]))


def per_direction(network: PartnerNetwork) -> list[tuple[str, int]]:
    """Return (direction, agreements), most first; agreements without one as ``none``."""
    counts: Counter[str] = Counter()
    for agreement in network.agreements.values():
        for direction in agreement.directions or ("",):
            counts[network.label(direction, "en") if direction else "none"] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def per_partner_country(network: PartnerNetwork, home: str = HOME_COUNTRY) -> list[tuple[str, int]]:
    """Return (country, agreements with a party from it) for countries other than ``home``,
    and the agreements between ``home`` institutions only, most first."""
    counts: Counter[str] = Counter()
    for ends in network.agreement_ends.values():
        codes = {network.graph.nodes[e].get("country") or "" for e in ends}
        foreign = codes - {home}
        if not foreign:
            counts[f"{_country_name(network, home)} (domestic)"] += 1
        for code in foreign:
            counts[_country_name(network, code) if code else "unknown"] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _country_name(network: PartnerNetwork, code: str) -> str:
    iri = network.country_iris.get(code)
    return network.label(iri, "en") if iri else code


def top_institutions(network: PartnerNetwork, n: int = TOP_INSTITUTIONS) -> list[tuple[str, int]]:
    """Return the ``n`` institutions with most distinct partners."""
    graph = network.graph
    ranked = sorted(graph.nodes, key=lambda iri: (-graph.degree(iri), network.label(iri, "en")))
    return [(network.label(iri, "en"), int(graph.degree(iri))) for iri in ranked[:n]]


def active_agreements(network: PartnerNetwork) -> list[Agreement]:
    """Return the agreements in force with a known expiry date, soonest expiry first."""
    live = [
        a
        for a in network.agreements.values()
        if a.status in (STATUS_ACTIVE, STATUS_EXPIRING_SOON) and a.expires_on is not None
    ]
    return sorted(live, key=lambda a: (a.expires_on or date.max, a.iri))


# --- SVG -----------------------------------------------------------------------------------

BAR_COLOUR = "#3f6fb5"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _svg_start(title: str, width: int, height: int) -> list[str]:
    """Return the opening of a chart: the ``<svg>`` tag, its accessible title and a heading."""
    return [
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {FONT}>',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-weight="bold" font-size="14">{escape(title)}</text>',
    ]


def bar_chart_svg(items: Sequence[tuple[str, int]], *, title: str, label_width: int = 330) -> str:
    """Return a horizontal bar chart (one row per item) as an inline ``<svg>`` element."""
    row, bar_space, top = 20, 320, 28
    height = top + row * max(len(items), 1) + 10
    width = label_width + bar_space + 60
    biggest = max((v for _, v in items), default=0) or 1
    parts = _svg_start(title, width, height)
    if not items:
        parts.append(f'<text x="0" y="{top + 14}" fill="#666">no data</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * row
        length = round(bar_space * value / biggest, 1)
        shown = label if len(label) <= 44 else label[:43] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(shown)}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{row - 6}" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{label_width + length + 4}" y="{y + 14}">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def column_chart_svg(items: Sequence[tuple[str, int]], *, title: str) -> str:
    """Return a vertical bar chart (years along the bottom) as an inline ``<svg>`` element."""
    plot_height, top, bottom = 180, 44, 40
    # Columns are as wide as their longest label ("unknown" must not run into "2025").
    column = max(34, round(11 * 0.62 * max((len(label) for label, _ in items), default=0)) + 12)
    width = max(column * len(items) + 40, 240)
    height = top + plot_height + bottom
    biggest = max((v for _, v in items), default=0) or 1
    parts = [
        *_svg_start(title, width, height),
        f'<line x1="20" y1="{top + plot_height}" x2="{width - 10}" y2="{top + plot_height}" '
        'stroke="#888"/>',
    ]
    for i, (label, value) in enumerate(items):
        x = 24 + i * column
        bar = round(plot_height * value / biggest, 1)
        y = top + plot_height - bar
        parts.append(
            f'<rect x="{x}" y="{y}" width="{column - 8}" height="{bar}" fill="{BAR_COLOUR}"/>'
            f'<text x="{x + (column - 8) / 2}" y="{y - 3}" text-anchor="middle">{value}</text>'
            f'<text x="{x + (column - 8) / 2}" y="{top + plot_height + 14}" '
            f'text-anchor="middle" font-size="11">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def timeline_svg(agreements: Sequence[Agreement], as_of: date, *, title: str) -> str:
    """Return the expiry timeline: one row per agreement from signing (or as-of) to expiry."""
    shown = list(agreements[:MAX_TIMELINE_ROWS])
    label_width, plot, row, top = 300, 460, 18, 44
    width = label_width + plot + 20
    height = top + row * max(len(shown), 1) + 10
    starts = [_start(a, as_of) for a in shown]
    first = min([as_of, *starts])
    last = max([as_of + timedelta(days=365), *(a.expires_on or as_of for a in shown)])
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        return round(label_width + plot * (day - first).days / span, 1)

    parts = _svg_start(title, width, height)
    for year in range(first.year + 1, last.year + 1):
        tick = x(date(year, 1, 1))
        parts.append(
            f'<line x1="{tick}" y1="{top - 6}" x2="{tick}" y2="{height - 6}" stroke="#e3e3e3"/>'
            f'<text x="{tick}" y="{top - 10}" text-anchor="middle" font-size="10">{year}</text>'
        )
    if not shown:
        parts.append(f'<text x="0" y="{top + 14}" fill="#666">no active agreement</text>')
    for i, (agreement, start) in enumerate(zip(shown, starts, strict=True)):
        y = top + i * row
        end = agreement.expires_on or as_of
        colour = "#ef6c00" if agreement.status == STATUS_EXPIRING_SOON else "#2e7d32"
        title_text = _title(agreement)
        # About 0.62 em per character at 12 px: longer titles would run off the left edge.
        fits = int((label_width - 6) / (12 * 0.62))
        short = title_text if len(title_text) <= fits else title_text[: fits - 1] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">'
            f"<title>{escape(title_text)}</title>{escape(short)}</text>"
            f'<rect x="{x(start)}" y="{y + 4}" width="{max(x(end) - x(start), 2)}" '
            f'height="{row - 8}" '
            f'fill="{colour}" opacity="0.8"><title>{escape(title_text)}: '
            f"{end.isoformat()}</title></rect>"
        )
    marker = x(as_of)
    parts.append(
        f'<line x1="{marker}" y1="{top - 6}" x2="{marker}" y2="{height - 4}" stroke="#c62828" '
        f'stroke-dasharray="4 3"/><text x="{marker + 3}" y="{top - 22}" fill="#c62828" '
        f'font-size="10">{as_of.isoformat()}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _start(agreement: Agreement, as_of: date) -> date:
    try:
        return date.fromisoformat((agreement.signed_on or "")[:10])
    except ValueError:
        return min(as_of, agreement.expires_on or as_of)


# --- HTML ----------------------------------------------------------------------------------

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 24px auto; max-width: 1100px;
  padding: 0 16px; }
h1 { font-size: 24px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
figure { margin: 12px 0; overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; white-space: nowrap; } td.num { text-align: right; }
td.date { white-space: nowrap; }
.meta { color: #555; }
"""


_ISO_DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{escape(c)}</td>'
            if i in numeric
            else f'<td class="date">{escape(c)}</td>'
            if _ISO_DATE.fullmatch(c)
            else f"<td>{escape(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_report(network: PartnerNetwork, observations: Sequence[Observation]) -> str:
    """Return the report page: plots as inline SVG, tables, no external resource."""
    as_of = network.as_of
    live = active_agreements(network)
    statuses = Counter(a.status for a in network.agreements.values())
    status_line = ", ".join(
        f"{statuses.get(s, 0)} {local_name(s).replace('-', ' ')}" for s in STATUSES
    )
    expiring_rows = [
        [_title(a), a.signed_on or "", a.term or "", (a.expires_on or as_of).isoformat(),
         local_name(a.status).replace("-", " "),
         "; ".join(network.label(p, "en") for p in a.parties)]
        for a in live
    ]  # fmt: skip
    observation_rows = [
        [
            o.subject,
            o.measure,
            o.qualifier,
            o.value,
            o.unit,
            o.period,
            o.as_of,
            o.country,
            o.sources,
        ]
        for o in observations
    ]
    sections = [
        f"<h1>Partner agreements report</h1>"
        f'<p class="meta">Status as of {as_of.isoformat()}: {len(network.agreements)} agreements '
        f"between {network.graph.number_of_nodes()} institutions ({escape(status_line)}). "
        f"The expiry dates of active agreements are in <code>{CALENDAR_FILE}</code>.</p>",
        "<h2>Agreements per year</h2><figure>"
        + column_chart_svg(per_year(network), title="Agreements signed per year")
        + "</figure>",
        "<h2>Agreements per direction</h2><figure>"
        + bar_chart_svg(per_direction(network), title="Agreements per direction of cooperation")
        + "</figure>",
        "<h2>Agreements per partner country</h2><figure>"
        + bar_chart_svg(
            per_partner_country(network), title="Agreements with a party from each country"
        )
        + "</figure>",
        "<h2>Expiry timeline of active agreements</h2><figure>"
        + timeline_svg(live, as_of, title="Active agreements, from signing to expiry")
        + "</figure>"
        + _table(
            ["agreement", "signed", "term", "expires", "status", "parties"], expiring_rows, set()
        ),
        "<h2>Institutions with most partners</h2><figure>"
        + bar_chart_svg(top_institutions(network), title="Distinct partners per institution")
        + "</figure>",
        "<h2>Statistics reported by the sources</h2>"
        + (
            _table(
                [
                    "subject",
                    "measure",
                    "qualifier",
                    "value",
                    "unit",
                    "period",
                    "as of",
                    "country",
                    "sources",
                ],
                observation_rows,
                {3},
            )
            if observation_rows
            else '<p class="meta">No source reports aggregate statistics.</p>'
        ),
    ]
    return html_page(
        f"Partner agreements report, {as_of.isoformat()}",
        "\n".join(sections),
        csp="default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        style=CSS,
    )


# --- iCalendar -----------------------------------------------------------------------------


def ical_escape(text: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold_line(line: str, limit: int = 75) -> str:
    """Fold a content line into lines of at most ``limit`` octets (RFC 5545 §3.1), never
    splitting a UTF-8 character; continuation lines start with one space."""
    out: list[str] = []
    current, size = "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        # the first line may hold `limit` octets; continuations hold `limit - 1` after the space
        room = limit if not out else limit - 1
        if size + width > room:
            out.append(current)
            current, size = "", 0
        current += ch
        size += width
    out.append(current)
    return "\r\n ".join(out)


def render_calendar(network: PartnerNetwork) -> str:
    """Return an iCalendar file with one all-day event per active agreement's expiry date."""
    stamp = network.as_of.strftime("%Y%m%dT000000Z")  # a stable DTSTAMP: same input, same file
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical_escape('Partner agreements: expiry dates')}",
    ]
    for agreement in active_agreements(network):
        expires = agreement.expires_on or network.as_of
        parties = "; ".join(network.label(p, "en") for p in agreement.parties)
        description = "\n".join(
            part
            for part in (
                _title(agreement),
                f"Parties: {parties}",
                f"Signed: {agreement.signed_on}" if agreement.signed_on else "",
                f"Term: {agreement.term}" if agreement.term else "",
                f"Sources: {', '.join(agreement.sources)}" if agreement.sources else "",
                agreement.iri,
            )
            if part
        )
        uid = hashlib.sha256(agreement.iri.encode("utf-8")).hexdigest()[:32]
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}-expiry@kgtool",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{expires.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(expires + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{ical_escape('Agreement expires: ' + _title(agreement))}",
            f"DESCRIPTION:{ical_escape(description)}",
            f"URL:{agreement.iri}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold_line(line) + "\r\n" for line in lines)

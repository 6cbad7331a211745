"""Agreement registers kept as spreadsheets (CSV or XLSX): one draft agreement per row.

Columns are recognised by their headers in English, Russian or Uzbek, or named by a small
mapping file (JSON or TOML): ``{"columns": {"parties": "Partner org", "signed_on": "When"},
"party": "Academy of Sciences of the Republic of Uzbekistan"}`` — ``party`` names the register's
owner, added to every row when the register lists only partners.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgtool.errors import KgtoolError
from kgtool.extract.catalogue import Catalogue
from kgtool.extract.concepts import Lexicon
from kgtool.extract.dates import find_dates
from kgtool.extract.kinds import AGREEMENT, best_kind, find_kinds
from kgtool.extract.language import detect_language
from kgtool.extract.merge import agreement_id, unique_id
from kgtool.extract.model import Agreement, DocumentResult, Party
from kgtool.extract.names_guess import guess_country, guess_kind
from kgtool.extract.terms import find_term
from kgtool.extract.text import MAX_BYTES, decode_document, fold

#: Header words (folded) for each column, in en, ru, uz.
HEADERS: dict[str, tuple[str, ...]] = {
    "parties": (
        "partner", "partners", "partner organisation", "partner organization", "party",
        "parties", "counterpart", "counterparty", "partner institution", "партнер", "партнёр",
        "партнеры", "партнёры", "сторона", "стороны", "организация-партнер", "hamkor",
        "hamkorlar", "hamkor tashkilot", "tomon", "tomonlar", "ҳамкор", "ҳамкор ташкилот",
    ),
    "institution": (
        "institution", "our institution", "organisation", "organization", "учреждение",
        "организация", "muassasa", "tashkilot",
    ),
    "signed_on": (
        "date signed", "signed", "date of signing", "signing date", "date", "дата подписания",
        "дата", "imzolangan sana", "imzolangan sanasi", "sana", "имзоланган сана", "сана",
    ),
    "term": (
        "term", "duration", "validity", "term years", "срок", "срок действия", "muddati",
        "muddat", "amal qilish muddati", "муддати",
    ),
    "kind": (
        "type", "kind", "document type", "agreement type", "вид", "тип", "вид документа",
        "вид соглашения", "turi", "hujjat turi", "тури", "ҳужжат тури",
    ),
    "directions": (
        "directions", "areas", "area", "fields", "scope", "subject", "topics", "направления",
        "направления сотрудничества", "предмет", "сферы", "yo'nalishlar", "yo'nalishi",
        "hamkorlik yo'nalishlari", "sohalar", "йўналишлар",
    ),
    "country": ("country", "страна", "davlat", "mamlakat", "давлат", "мамлакат"),
    "extendable": ("extendable", "renewable", "продление", "uzaytirish"),
}  # fmt: skip


@dataclass
class TableResult:
    """Draft agreements from a register, and a warning per cell that could not be read."""

    source: DocumentResult
    agreements: list[Agreement]
    warnings: list[str] = field(default_factory=list)


def _header_key(text: str) -> str:
    return re.sub(r"[^\w']+", " ", fold(str(text))).strip()


def read_mapping(path: Path) -> dict[str, Any]:
    """Read a JSON or TOML mapping file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KgtoolError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise KgtoolError(f"{path}: not a valid mapping file: {exc}") from exc
    if not isinstance(data, dict):
        raise KgtoolError(f"{path}: a mapping file holds an object with 'columns'")
    unknown = set(data.get("columns", {})) - set(HEADERS)
    if unknown:
        raise KgtoolError(
            f"{path}: unknown column names {sorted(unknown)}; use {', '.join(HEADERS)}"
        )
    return data


def read_rows(path: Path) -> list[list[str]]:
    """Return the cells of the first sheet (XLSX) or of the CSV file as text, by row."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise KgtoolError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if size > MAX_BYTES:
        raise KgtoolError(f"{path}: larger than the {MAX_BYTES // 1048576} MB limit")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _xlsx_rows(path)
    text = decode_document(path.read_bytes(), str(path))
    if text.startswith("\ufeff"):
        text = text[1:]
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t|", key=first_line.count)  # the header shows the separator
    return [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(path: Path) -> list[list[str]]:
    import openpyxl  # only spreadsheet registers need it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        raise KgtoolError(f"{path}: not a readable XLSX workbook ({exc})") from exc
    sheet = book.worksheets[0]
    rows: list[list[str]] = []
    for row in sheet.iter_rows(values_only=True):
        cells = []
        for value in row:
            if isinstance(value, dt.datetime):
                cells.append(value.date().isoformat())
            elif isinstance(value, dt.date):
                cells.append(value.isoformat())
            elif isinstance(value, float) and value.is_integer():
                cells.append(str(int(value)))
            else:
                cells.append("" if value is None else str(value))
        rows.append(cells)
    book.close()
    return rows


def _columns(header: list[str], mapping: dict[str, Any], name: str) -> dict[str, int]:
    folded = [_header_key(h) for h in header]
    columns: dict[str, int] = {}
    for key, wanted in mapping.get("columns", {}).items():
        want = _header_key(wanted)
        if want not in folded:
            raise KgtoolError(f"{name}: the mapping names column {wanted!r}, which is not there")
        columns[key] = folded.index(want)
    for key, names in HEADERS.items():
        if key in columns:
            continue
        for index, head in enumerate(folded):
            if index not in columns.values() and head in {_header_key(n) for n in names}:
                columns[key] = index
                break
    if "parties" not in columns:
        raise KgtoolError(
            f"{name}:1: no partner column (headers: {', '.join(h for h in header if h)});"
            " name it with --mapping"
        )
    return columns


def parse_cell_date(value: str) -> str | None:
    """Return a cell's date as YYYY-MM-DD, YYYY-MM or YYYY, or None when it is not one."""
    value = value.strip()
    m = re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", value)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return None
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?", value)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return None
    m = re.fullmatch(r"(\d{1,2})[./](\d{4})|(\d{4})-(\d{2})", value)
    if m:
        month_text, year_text = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        month_number, year_number = int(month_text), int(year_text)
        return f"{year_number:04d}-{month_number:02d}" if 1 <= month_number <= 12 else None
    if re.fullmatch(r"(?:19|20)\d\d", value):
        return value
    found = [d for d in find_dates(value) if d.value]
    return found[0].value if found else None


def import_table(
    path: Path,
    catalogue: Catalogue,
    lexicon: Lexicon,
    *,
    mapping: dict[str, Any] | None = None,
) -> TableResult:
    """Read a register and return one draft agreement per row, with warnings by row and column."""
    mapping = mapping or {}
    numbered = [(n, r) for n, r in enumerate(read_rows(path), start=1) if any(c.strip() for c in r)]
    if not numbered:
        raise KgtoolError(f"{path}: the table is empty")
    rows = [r for _, r in numbered]
    header, body = numbered[0][1], numbered[1:]
    columns = _columns(header, mapping, str(path))
    sample = " ".join(" ".join(r) for r in rows[:50])
    lang = detect_language(sample)
    source = DocumentResult(
        document=path.name,
        path=str(path),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        language=lang.language,
        script=lang.script,
        tag=lang.tag,
        published=None,
    )
    owner = str(mapping.get("party", "")).strip()
    result = TableResult(source, [])
    used_ids: set[str] = set()
    for number, row in body:  # numbers are the sheet's own row numbers (blank rows count)

        def cell(key: str, row: list[str] = row) -> str:
            index = columns.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        def warn(key: str, message: str, number: int = number) -> None:
            column = _column_name(header, columns, key)
            result.warnings.append(f"{path.name}: row {number}, column {column!r}: {message}")

        names = [n.strip() for n in re.split(r"[;\n]", cell("parties")) if n.strip()]
        institution = cell("institution") or owner
        if institution:
            names.insert(0, institution)
        if len(names) < 2:
            warn("parties", "fewer than two parties; the row is skipped")
            continue
        country_text = cell("country")
        row_country = _country_code(country_text, catalogue) if country_text else None
        if country_text and row_country is None:
            warn("country", f"{country_text!r} is not an ISO 3166-1 alpha-2 code or a country"
                 " the graph names; the country is left empty")  # fmt: skip
        parties = [_party(n, catalogue, lang.tag, row_country) for n in names]
        kind_text = cell("kind")
        kind = best_kind(find_kinds(kind_text)) if kind_text else None
        if kind_text and kind is None:
            warn("kind", f"unknown agreement kind {kind_text!r}; 'agreement' is assumed")
        agreement = Agreement(
            kind=kind.kind if kind else AGREEMENT,
            parties=parties,
            documents=[path.name],
            origin=f"row {number} of {path.name}",
        )
        date_text = cell("signed_on")
        if date_text:
            agreement.signed_on = parse_cell_date(date_text)
            if agreement.signed_on is None:
                warn("signed_on", f"not a date: {date_text!r}")
        term_text = cell("term")
        if term_text:
            if re.fullmatch(r"\d{1,2}", term_text):
                agreement.term_years = int(term_text)
            else:
                term = (
                    find_term(f"for {term_text}", 0, len(term_text) + 4)
                    or find_term(f"на {term_text}", 0, len(term_text) + 3)
                    or find_term(f"{term_text} muddatga", 0, len(term_text) + 9)
                )
                if term is None:
                    warn("term", f"not a term in years: {term_text!r}")
                else:
                    agreement.term_years = int(str(term.value))
        directions_text = cell("directions")
        if directions_text:
            cell_lang = detect_language(directions_text).language
            for match in lexicon.find(directions_text, 0, len(directions_text), cell_lang):
                target = getattr(agreement, match.family)
                if match.iri not in target:
                    target.append(match.iri)
        if cell("extendable"):
            agreement.extendable = fold(cell("extendable")) in {
                "yes", "true", "1", "да", "ha", "ҳа", "x", "+",
            }  # fmt: skip
        agreement.confidence = 0.9 if all(p.iri for p in parties) else 0.7
        agreement.id = unique_id(
            agreement_id(agreement), agreement, used_ids, catalogue.taken.subjects
        )
        result.agreements.append(agreement)
    source.agreements = result.agreements
    return result


def _column_name(header: list[str], columns: dict[str, int], key: str) -> str:
    index = columns.get(key)
    return header[index] if index is not None and index < len(header) else key


def _party(name: str, catalogue: Catalogue, tag: str, row_country: str | None) -> Party:
    iri = catalogue.resolve(name, tag)
    if iri is not None and iri in catalogue.institutions:
        info = catalogue.institutions[iri]
        return Party(info.name(tag), iri, info.country, info.kind, info.parent,
                     info.acronyms[0] if info.acronyms else None, tag)  # fmt: skip
    country = row_country or guess_country(name, tag)  # the register's word over a guess
    own_tag = detect_language(name).tag if len(name) > 3 else tag
    return Party(name, None, country, guess_kind(name), None, None, own_tag)


def _country_code(text: str, catalogue: Catalogue) -> str | None:
    """Return the ISO 3166-1 alpha-2 code a register's country cell gives, or None."""
    text = text.strip()
    if re.fullmatch(r"[A-Za-z]{2}", text):
        return catalogue.country_code(text)
    folded = fold(text)
    for code, name in catalogue.country_names():
        if fold(name) == folded:
            return code
    return guess_country(text, "en")

"""Read a press release safely, and cut it into folded tokens and sentences with offsets kept."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from kgtool.errors import KgtoolError

#: Larger files are refused: a press release is a few kilobytes.
MAX_BYTES = 5 * 1024 * 1024

#: Apostrophe-like marks Uzbek writers use for oʻ, gʻ and the tutuq belgisi; folded for matching.
APOSTROPHES = "ʼʻ‘’'`´ʹ′"
_FOLD_TABLE = {ord(c): "'" for c in APOSTROPHES} | {ord("ё"): "е", ord("Ё"): "Е"}

WORD_RE = re.compile(r"\w+(?:[" + APOSTROPHES + r"]\w+)*")


def read_document(path: Path) -> str:
    """Return the UTF-8 text of ``path``, or raise KgtoolError with a one-line reason."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise KgtoolError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if path.is_dir():
        raise KgtoolError(f"{path}: is a folder, not a text file")
    if size > MAX_BYTES:
        raise KgtoolError(
            f"{path}: {size / 1048576:.1f} MB is larger than the {MAX_BYTES // 1048576} MB limit"
            " for one press release; split it or extract the article text first"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KgtoolError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return decode_document(data, str(path))


def decode_document(data: bytes, name: str) -> str:
    """Decode ``data`` as UTF-8 text; name the likely encoding when it is something else."""
    if not data.strip():
        raise KgtoolError(f"{name}: the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise KgtoolError(f"{name}: the file is UTF-16; save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        if b"\x00" in data:
            raise KgtoolError(f"{name}: binary file (not plain text)") from exc
        guess = _guess_legacy_encoding(data)
        if guess:
            raise KgtoolError(
                f"{name}:{line}: not UTF-8; it looks like {guess} text:"
                f" convert it first (iconv -f {guess.split()[0]} -t utf-8)"
            ) from exc
        raise KgtoolError(f"{name}:{line}: not UTF-8 text (byte {data[exc.start]:#04x})") from exc
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if "\x00" in text or controls > max(8, len(text) // 100):
        raise KgtoolError(f"{name}: binary file (not plain text)")
    return text


def _guess_legacy_encoding(data: bytes) -> str | None:
    """Return 'cp1251 (Windows Cyrillic)' or 'latin-1' when ``data`` reads as such, else None."""
    high = [b for b in data if b >= 0x80]
    if not high:
        return None
    cyrillic_range = sum(1 for b in high if b >= 0xC0)
    if cyrillic_range / len(high) > 0.7:
        return "cp1251 (Windows Cyrillic)"
    return "latin-1"


def fold(text: str) -> str:
    """Return ``text`` lower-cased with apostrophes and ё folded, keeping every offset."""
    out = []
    for ch in text.translate(_FOLD_TABLE):
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out)


@dataclass(frozen=True)
class Token:
    """A word of the text: where it is, as written and folded."""

    start: int
    end: int
    text: str
    folded: str

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def acronym(self) -> bool:
        """Whether the word is an abbreviation: "KAIST", "UzAS", «НУУз» (mostly capitals)."""
        letters = [c for c in self.text if c.isalpha()]
        upper = sum(1 for c in letters if c.isupper())
        return (
            len(letters) <= 10 and upper >= 2 and upper * 2 > len(letters) and letters[0].isupper()
        )


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Return the words of ``text[start:end]`` with offsets into ``text``."""
    stop = len(text) if end is None else end
    return [
        Token(m.start(), m.end(), m.group(), fold(m.group()))
        for m in WORD_RE.finditer(text, start, stop)
    ]


@dataclass(frozen=True)
class Sentence:
    """A sentence (or a title line) of the text, by offsets."""

    start: int
    end: int
    text: str


_TERMINAL = ".!?…:;"
_BULLET_RE = re.compile(r"^\s*(?:[•·▪●◦\-–—*]|\d+[.)])\s+")


def sentences(text: str) -> list[Sentence]:
    """Cut ``text`` into sentences, treating title lines and list items as sentences.

    Press releases copied from PDFs wrap lines mid-sentence, so a single newline ends a sentence
    only when the line before it is short and unpunctuated (a title) or a list item follows.
    """
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    lengths = sorted(e - s for s, e in lines if text[s:e].strip())
    typical = lengths[len(lengths) * 3 // 4] if lengths else 80
    cuts: set[int] = set()
    for (s1, e1), (s2, _e2) in itertools.pairwise(lines):
        prev, nxt = text[s1:e1].rstrip(), text[s2 : s2 + 80].lstrip()
        between = text[e1:s2]
        continues = not prev.endswith(tuple(_TERMINAL)) and nxt[:1].islower()
        if between.count("\n") >= 2 or not prev.strip():
            if not continues:  # a PDF may break one list item with a blank line
                cuts.add(e1)
            continue
        starts_upper = nxt[:1].isupper() or nxt[:1].isdigit()
        if (
            _BULLET_RE.match(text[s2 : s2 + 8])
            or (
                prev.endswith(tuple(_TERMINAL))
                and (starts_upper or _BULLET_RE.match(text[s1 : s1 + 8]))
            )
            or (starts_upper and len(prev.strip()) < 0.6 * typical)
        ):
            cuts.add(e1)
    result: list[Sentence] = []
    block_starts = [0, *sorted(cuts)]
    block_ends = [*sorted(cuts), len(text)]
    for bs, be in zip(block_starts, block_ends, strict=True):
        for s, e in _split_block(text, bs, be):
            chunk = text[s:e]
            lead = len(chunk) - len(chunk.lstrip())
            trail = len(chunk) - len(chunk.rstrip())
            if chunk.strip():
                result.append(Sentence(s + lead, e - trail, text[s + lead : e - trail]))
    return result


_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"»”’)]*\s+(?=[\"«“(]?[A-ZА-ЯЁЎҚҒҲ0-9])")
_ABBREVIATIONS = re.compile(
    r"(?:\b[A-ZА-ЯЁ]|\bг|\bгг|\bул|\bт\.е|\bт\.д|\bпроф|\bакад|\bд-р|\bDr|\bProf|\bMr|\bMrs|\bMs"
    r"|\bSt|\bNo|\bnr|\bim|\bсм|\bдоц|\bт\.к|\bи\.о|\bакад|\bjr|\bInc|\bCo|\bLtd|\bvs|\be\.g|\bi\.e)\.$"
)


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    cursor = start
    for m in _SENTENCE_END_RE.finditer(text, start, end):
        before = text[max(start, m.start() - 8) : m.start()]
        if _ABBREVIATIONS.search(before):
            continue
        pieces.append((cursor, m.start()))
        cursor = m.end()
    pieces.append((cursor, end))
    return pieces

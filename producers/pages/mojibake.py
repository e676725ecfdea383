"""Is this text what the author wrote, or bytes read with the wrong codec? And can it be repaired?

Judged on *letters of the readable text* (``readable_text`` drops tags,
scripts and styles first): ASCII markup would otherwise dilute every share
below any threshold, which is how a windows-1256 page read as Latin-1 once
passed for clean.

The signatures, each of a known mistake (``mojibake_signs`` names them):

- ``control``: C0/C1 control characters or replacement characters, which
  real text does not contain (Arabic or UTF-8 bytes read as Latin-1, UTF-16
  read as UTF-8);
- ``latin runs``: words of three or more Latin-1 letters in a row
  (``ÇáäÇÔØ``); European words have an accented letter here and there, never
  whole runs of them;
- ``mostly latin-1``: more than 30 % of the letters from À-ÿ (Arabic or
  UTF-8 bytes read as Latin-1, when the runs are broken up by spaces);
- ``arabic with latin``: Arabic mixed with Latin-1 accented letters
  (ISO-8859-6 read as windows-1256 turns و into è, ه into ç);
- ``lead-byte flood``: آ أ ط ظ everywhere (UTF-8 read as windows-1256:
  the lead bytes 0xC2/0xC3 of Latin-1 letters and 0xD8/0xD9 of Arabic ones
  become them; in real Arabic they are a few percent of the letters);
- ``case chaos``: Cyrillic words with capitals inside them (windows-1256
  read as windows-1251: Arabic letters fall on both halves of the
  alphabet).

``double_encoding_repairs`` offers readings that undo the commonest
repairable mistakes, text decoded with the wrong codec and saved as UTF-8
again (UTF-8 read as windows-1252/Latin-1 or windows-1256, windows-1256
read as Latin-1), word by word, so a page only partly damaged is mended too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Characters windows-1252 puts at 0x80-0x9F, and the byte each comes from.
CP1252_SPECIALS: dict[str, int] = {bytes([b]).decode("cp1252"): b for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
SAMPLE_CHARS = 40_000  # readable characters examined; longer texts are sampled in four windows

_DROPPED_BLOCKS = re.compile(r"<(script|style|svg|noscript|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_LATIN_HIGH = frozenset(chr(c) for c in range(0xA1, 0x100) if c not in (0xD7, 0xF7)) | frozenset(CP1252_SPECIALS)
_CONTROL_OK = frozenset("\t\n\r")
_LEAD_BYTE_LETTERS = frozenset("آأطظ")  # windows-1256 0xC2, 0xC3, 0xD8, 0xD9


@dataclass(frozen=True, slots=True)
class Letters:
    """Counts over a text's letters, the evidence the verdicts are drawn from."""

    letters: int = 0
    ascii_letters: int = 0
    arabic: int = 0
    latin1: int = 0  # Latin-1 supplement letters (À-ÿ)
    latin_runs: int = 0  # letters in runs of 3+ Latin-1/windows-1252 high characters
    lead_bytes: int = 0  # آ أ ط ظ: what windows-1256 makes of UTF-8 lead bytes
    cyrillic: int = 0
    case_chaos: int = 0  # Cyrillic capitals right after a small letter
    control: int = 0  # C0 (except tab/newline) and C1 controls, U+FFFD

    @property
    def non_ascii_letters(self) -> int:
        return self.letters - self.ascii_letters


def readable_text(document: str) -> str:
    """The text a reader would see in an HTML or XML document: no tags, scripts, styles or comments."""
    if "<" not in document:
        return html.unescape(document)
    text = _TAGS.sub(" ", _COMMENTS.sub(" ", _DROPPED_BLOCKS.sub(" ", document)))
    text = html.unescape(text)
    return _TAGS.sub(" ", text) if "<" in text else text  # feeds escape their HTML: strip it once more


def count_letters(text: str) -> Letters:
    """Letter counts of ``text`` (sampled in four windows when longer than ``SAMPLE_CHARS``)."""
    if len(text) > SAMPLE_CHARS:
        window = SAMPLE_CHARS // 4
        step = (len(text) - window) // 3
        text = " ".join(text[start : start + window] for start in range(0, 4 * step, step))
    letters = ascii_letters = arabic = latin1 = lead = cyrillic = chaos = control = 0
    previous = ""
    for char in text:
        code = ord(char)
        if code < 0x80:
            if char.isalpha():
                letters += 1
                ascii_letters += 1
            elif code < 0x20 and char not in _CONTROL_OK:
                control += 1
        elif code <= 0x9F or code == 0xFFFD:
            control += 1
        elif char.isalpha():
            letters += 1
            if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F:
                arabic += 1
                lead += char in _LEAD_BYTE_LETTERS
            elif 0xC0 <= code <= 0xFF:
                latin1 += 1
            elif 0x0400 <= code <= 0x04FF:
                cyrillic += 1
                chaos += char.isupper() and previous.islower()
        previous = char
    latin_runs = sum(
        len(run) for run in _NON_ASCII_RUN.findall(text) if len(run) >= 3 and all(c in _LATIN_HIGH for c in run)
    )
    return Letters(letters=letters, ascii_letters=ascii_letters, arabic=arabic, latin1=latin1,
                   latin_runs=latin_runs, lead_bytes=lead, cyrillic=cyrillic, case_chaos=chaos, control=control)


def mojibake_signs(counts: Letters) -> list[str]:
    """The signatures of a wrong decoding found in ``counts`` (empty: the text looks like what was written)."""
    signs = []
    if counts.control >= 3:
        signs.append("control")
    if counts.latin_runs >= 6 and counts.latin_runs > 0.05 * max(counts.letters, 1):
        signs.append("latin runs")
    if counts.arabic >= 20 and counts.latin1 >= 3 and counts.latin1 / (counts.arabic + counts.latin1) > 0.04:
        signs.append("arabic with latin")
    if counts.arabic >= 20 and counts.lead_bytes / counts.arabic > 0.25:
        signs.append("lead-byte flood")
    if counts.cyrillic >= 20 and counts.case_chaos / counts.cyrillic > 0.1:
        signs.append("case chaos")
    if counts.letters >= 20 and counts.latin1 / counts.letters > 0.3:
        signs.append("mostly latin-1")
    return signs


def looks_garbled(text: str) -> bool:
    """True when ``text`` (plain text, not markup) shows a signature of a wrong decoding."""
    return bool(mojibake_signs(count_letters(text)))


def double_encoding_repairs(text: str) -> Iterator[str]:
    """Readings of ``text`` undoing one wrong decode that was saved as it was (see ``REPAIRS``).

    Each run of non-ASCII characters is mended on its own (UTF-8 never puts
    an ASCII byte inside a character), so words that were right stay as
    they are and a page damaged only in parts is mended too. Only readings
    that change something are yielded; the caller judges them.
    """
    for to_bytes, codec in REPAIRS:
        changed = False

        def mend(match: re.Match[str], to_bytes: Callable[[str], bytes | None] = to_bytes, codec: str = codec) -> str:
            nonlocal changed
            raw = to_bytes(match.group(0))
            if raw is None:
                return match.group(0)
            try:
                fixed = raw.decode(codec)
            except UnicodeDecodeError:
                return match.group(0)
            changed = changed or fixed != match.group(0)
            return fixed

        repaired = _NON_ASCII_RUN.sub(mend, text)
        if changed:
            yield repaired


def _latin_bytes(run: str) -> bytes | None:
    out = bytearray()
    for char in run:
        code = ord(char)
        if code < 0x100:
            out.append(code)
        elif char in CP1252_SPECIALS:
            out.append(CP1252_SPECIALS[char])
        else:
            return None
    return bytes(out)


def _cp1256_bytes(run: str) -> bytes | None:
    try:
        return run.encode("cp1256")
    except UnicodeEncodeError:
        return None


# (the wrong reading's way back to bytes, the codec the bytes really were), tried in order:
# UTF-8 read as windows-1252/Latin-1, UTF-8 read as windows-1256, windows-1256 read as Latin-1.
REPAIRS: tuple[tuple[Callable[[str], bytes | None], str], ...] = (
    (_latin_bytes, "utf-8"),
    (_cp1256_bytes, "utf-8"),
    (_latin_bytes, "cp1256"),
)

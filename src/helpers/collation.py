"""Vietnamese alphabetical order for unit names.

The Vietnamese alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y: the letters
with a breve, circumflex or horn and đ are letters of their own (Đ comes right after D, not after Z
as a code-point sort puts it). Names are compared in two passes, as dictionaries do:

1. the base letters of the whole name, word by word (a shorter word sorts before a longer one that
   starts with it, so "Mỹ An" comes before "Mỹ Anh");
2. only when the base letters are equal, the tones of each syllable in the order
   none, huyền (grave), hỏi (hook), ngã (tilde), sắc (acute), nặng (dot below).

The tone belongs to the syllable, not to the vowel that carries the mark, so old and new tone
placement ("Hoà"/"Hòa") compare equal. The key ignores case and the Unicode form (NFC/NFD).
Digit runs compare as numbers ("Phường 2" before "Phường 10"). Letters outside the Vietnamese
alphabet (f, j, w, z) sit at their Latin places; anything else follows all letters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"  # Vietnamese order; f j w z at their Latin places
_RANK = {ch: i for i, ch in enumerate(ALPHABET)}

# Combining marks that make a letter of its own (breve, circumflex, horn).
_LETTER_MARKS = {
    ("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô", ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư",
}
# Tone marks, in collation order: none (0), huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Look-alikes of đ found in typed documents (Icelandic eth).
_DD_LOOKALIKES = {"ð": "đ"}

_TOKEN = re.compile(r"\d+|[^\W\d_]+", re.UNICODE)

_LETTER, _DIGITS, _OTHER = 1, 0, 2


def _letters(word: str) -> tuple[list[tuple[int, int]], int]:
    """The collation elements of one alphabetic word and its tone (0 when unmarked)."""
    elements: list[tuple[int, int]] = []
    tone = 0
    decomposed = unicodedata.normalize("NFD", word.casefold())
    i = 0
    while i < len(decomposed):
        base = _DD_LOOKALIKES.get(decomposed[i], decomposed[i])
        i += 1
        marks = []
        while i < len(decomposed) and unicodedata.combining(decomposed[i]):
            marks.append(decomposed[i])
            i += 1
        letter = base
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif (base, mark) in _LETTER_MARKS:
                letter = _LETTER_MARKS[(base, mark)]
        if letter in _RANK:
            elements.append((_LETTER, _RANK[letter]))
        else:
            elements.append((_OTHER, ord(letter)))
    return elements, tone


def vi_key(name) -> tuple:
    """A sort key giving Vietnamese alphabetical order; equal for spellings that differ only in
    case, Unicode normalisation form or tone-mark placement. Missing names (None, NA) sort last."""
    if name is None or (not isinstance(name, str) and _is_missing(name)):
        return (1, (), ())
    primary: list[tuple[tuple[int, int], ...]] = []
    tones: list[int] = []
    for token in _TOKEN.findall(unicodedata.normalize("NFC", str(name))):
        if token.isdigit():
            primary.append(((_DIGITS, int(token)),))
            continue
        elements, tone = _letters(token)
        primary.append(tuple(elements))
        tones.append(tone)
    return (0, tuple(primary), tuple(tones))


def _is_missing(value) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def vi_sorted(names: Iterable, reverse: bool = False) -> list:
    """The names in Vietnamese alphabetical order (stable: equal keys keep their input order)."""
    return sorted(names, key=vi_key, reverse=reverse)

"""Numbers written in digits or in Arabic and English words, with scale words.

Works on normalized text (see :mod:`.normalize`: hamza and taa marbuta folded).

>>> parse_number("18")
18.0
>>> parse_number("ثلاثه الاف")
3000.0
>>> scale_value("مليار"), scale_value("ملايين"), scale_value("ملياري")
(1000000000.0, 1000000.0, 2000000000.0)
"""

from __future__ import annotations

import re

# Arabic units and tens, normalized spellings (ة -> ه, أ/إ -> ا)
_AR_UNITS = {
    "واحد": 1,
    "واحده": 1,
    "اثنان": 2,
    "اثنين": 2,
    "اثنتان": 2,
    "اثنتين": 2,
    "ثلاث": 3,
    "ثلاثه": 3,
    "اربع": 4,
    "اربعه": 4,
    "خمس": 5,
    "خمسه": 5,
    "ست": 6,
    "سته": 6,
    "سبع": 7,
    "سبعه": 7,
    "ثمان": 8,
    "ثماني": 8,
    "ثمانيه": 8,
    "تسع": 9,
    "تسعه": 9,
    "عشر": 10,
    "عشره": 10,
}
_AR_TENS = {
    "عشرون": 20,
    "عشرين": 20,
    "ثلاثون": 30,
    "ثلاثين": 30,
    "اربعون": 40,
    "اربعين": 40,
    "خمسون": 50,
    "خمسين": 50,
    "ستون": 60,
    "ستين": 60,
    "سبعون": 70,
    "سبعين": 70,
    "ثمانون": 80,
    "ثمانين": 80,
    "تسعون": 90,
    "تسعين": 90,
}
_AR_HUNDREDS = {"مئه": 100, "مائه": 100, "مئتان": 200, "مئتين": 200, "مائتان": 200, "مائتين": 200}
#: Scale words: singular, plural, dual (value already doubled), English.
SCALES = {
    "الف": 1e3,
    "الاف": 1e3,
    "الفا": 1e3,
    "الفان": 2e3,
    "الفين": 2e3,
    "مليون": 1e6,
    "ملايين": 1e6,
    "مليونا": 1e6,
    "مليونان": 2e6,
    "مليونين": 2e6,
    "مليار": 1e9,
    "مليارات": 1e9,
    "مليارا": 1e9,
    "ملياران": 2e9,
    "ملياري": 2e9,
    "مليارين": 2e9,
    "بليون": 1e9,
    "تريليون": 1e12,
    "تريليونات": 1e12,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
#: Scale words that already carry "two" (so "ملياري دولار" is 2e9 without a number).
DUALS = {"الفان", "الفين", "مليونان", "مليونين", "ملياران", "ملياري", "مليارين"}
_EN_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a": 1,
}
WORD_NUMBERS = {**_AR_UNITS, **_AR_TENS, **_AR_HUNDREDS, **_EN_WORDS}
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)*$")


def scale_value(word: str) -> float | None:
    """Multiplier of a scale word (with a leading و/ب/ل particle stripped), or None."""
    w = word.strip().lower()
    if w in SCALES:
        return SCALES[w]
    if len(w) > 3 and w[0] in "وبل" and w[1:] in SCALES:
        return SCALES[w[1:]]
    return None


def parse_digits(text: str) -> float:
    """'18', '1.5', '3,000', '1,234.5' -> float ("3,000" is three thousand, "1,5" one and a half)."""
    t = text.strip()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", t):
        return float(t.replace(",", ""))
    if re.fullmatch(r"\d+,\d{1,2}", t):
        return float(t.replace(",", "."))
    return float(t.replace(",", ""))


def parse_number(text: str) -> float | None:
    """Digits, or a sequence of number words joined by و/and ('ثلاثه الاف', 'twenty five')."""
    t = text.strip().lower()
    if _DIGITS.match(t):
        return parse_digits(t)
    total, current = 0.0, 0.0
    seen = False
    for raw in re.split(r"[\s\-]+", t):
        w = (
            raw[1:]
            if len(raw) > 2 and raw[0] == "و" and raw[1:] in {**WORD_NUMBERS, **SCALES}
            else raw
        )
        if w in ("and", "و", ""):
            continue
        if _DIGITS.match(w):
            current += parse_digits(w)
            seen = True
        elif w in WORD_NUMBERS:
            value = WORD_NUMBERS[w]
            current = current * value if value == 100 and current else current + value
            seen = True
        elif (s := scale_value(w)) is not None:
            if w in DUALS:
                total += s
            else:
                total += (current or 1) * s
            current = 0.0
            seen = True
        else:
            return None
    return total + current if seen else None

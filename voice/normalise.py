"""Caption text as a person reads it aloud: numbers in words, symbols in words, no markup.

Text-to-speech engines read "0.995" as "zero dot nine hundred ninety-five" or spell "W_Q" letter,
underscore, letter; a narrator says "zero point nine nine five" and "W Q". :func:`spoken` turns a
caption into the sentence the engine is given::

    spoken("the weighted sum is 0.995")   -> "the weighted sum is zero point nine nine five"
    spoken("W_Q, 64 × 64")                 -> "W Q, sixty-four by sixty-four"
    spoken("−∇C")                          -> "minus the gradient of C"

Whole numbers are read in American style ("seven hundred eighty-four", no "and"); the digits
after a decimal point one by one; a minus sign as "minus".
"""

from __future__ import annotations

import re

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = [(10 ** 12, "trillion"), (10 ** 9, "billion"), (10 ** 6, "million"), (1000, "thousand")]
_ORDINAL_ENDS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                 "nine": "ninth", "twelve": "twelfth"}


def number_words(n: int) -> str:
    """A whole number in words: 784 -> "seven hundred eighty-four", 13002 -> "thirteen thousand two"."""
    if n < 0:
        return "minus " + number_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    for size, name in _SCALES:
        if n >= size:
            high, rest = divmod(n, size)
            return f"{number_words(high)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError("unreachable")


def ordinal_words(n: int) -> str:
    """201 -> "two hundred first", 12 -> "twelfth", 40 -> "fortieth"."""
    words = number_words(n)
    head, sep, last = words.rpartition(" ")
    head_dash, dash, last = last.rpartition("-")
    if last in _ORDINAL_ENDS:
        last = _ORDINAL_ENDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + head_dash + dash + last


def decimal_words(text: str) -> str:
    """A number as written, read aloud: "13,002" -> "thirteen thousand two", "0.995" -> "zero point
    nine nine five", ".5" -> "point five"."""
    whole, _, frac = text.replace(",", "").partition(".")
    out = number_words(int(whole)) if whole else ""
    if frac:
        out = f"{out} point {' '.join(_ONES[int(d)] for d in frac)}".strip()
    return out


# Symbols and the words a narrator says for them (applied before numbers are read). Order matters:
# the longer patterns first.
_SYMBOLS: list[tuple[str, str]] = [
    (r"−\s*∇", " minus the gradient of "),
    (r"∇", " the gradient of "),
    (r"√\s*", " the square root of "),
    (r"∂", " partial "),
    (r"×", " by "),          # "64 × 16": a matrix's shape; "64 × 24 predictions": as many
    (r"·", " times "),
    (r"≈", " about "),
    (r"≤", " at most "),
    (r"≥", " at least "),
    (r"<", " less than "),
    (r">", " more than "),
    (r"=", " equals "),
    (r"\+", " plus "),
    (r"→", " to "),
    (r"[↑]", " up "),
    (r"[↓]", " down "),
    (r"°", " degrees"),
    (r"²", " squared"),
    (r"³", " cubed"),
    (r"σ", " sigma "),
    (r"Σ", " the sum of "),
    (r"%", " percent"),
    (r"′", " prime"),
]
_QUOTES = str.maketrans({"“": "", "”": "", "‘": "", "’": "'", '"': "", "[": " ", "]": " "})
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"


def spoken(text: str) -> str:
    """The caption ``text`` as a narrator says it (see the module's docstring)."""
    s = text.translate(_QUOTES)
    s = re.sub(r"(?<=[A-Za-z])'(?=[^A-Za-z]|$)", "", s)  # a quote mark after a word, not an apostrophe
    s = re.sub(r"(?<![A-Za-z0-9])'|'(?![A-Za-z])", "", s)  # opening or closing single quotes ("3's" stays)
    s = s.replace("...", ", ").replace("…", ", ")
    # A minus: the typographic sign always; a hyphen before a digit only where no word is attached
    # ("-0.923", "(L−1)"), not in "GPT-3" or "2-D".
    s = re.sub(r"−", " minus ", s)
    s = re.sub(r"(?<![\w)])-(?=\.?\d)", " minus ", s)
    for pattern, words in _SYMBOLS:
        s = re.sub(pattern, words, s)
    # "/" between letters, digits or brackets: "∂C/∂w" -> "over"; "and/or" stays readable as "or"
    s = re.sub(r"\s*/\s*", " over ", s)
    # Subscripts and indices: W_Q -> "W Q", C_x -> "C x"
    s = s.replace("_", " ")
    # A function of something: "a(L)" -> "a of L", "max(0, z)" -> "max of 0, z"; other brackets go
    s = re.sub(r"(?<=[A-Za-z])\(([^()]*)\)", r" of \1 ", s)
    s = s.replace("(", ", ").replace(")", ", ")
    # Ordinals: 201st -> "two hundred first"
    s = re.sub(r"\b(\d+)(?:st|nd|rd|th)\b", lambda m: ordinal_words(int(m.group(1))), s)
    # A letter stuck to a digit, "C0", "4d", "GPT-3": read apart
    s = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", s)
    s = re.sub(r"(?<=[A-Za-z])-(?=\d)|(?<=\d)-(?=[A-Za-z])", " ", s)
    s = re.sub(_NUMBER, lambda m: f" {decimal_words(m.group(0))} ", s)
    # Tidy up: one space, no space before punctuation, no doubled commas
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\s+([,.;:!?])", r"\1", s)
    s = re.sub(r",\s*,+", ",", s)
    s = re.sub(r"([,;:])\s*([.;:!?])", r"\2", s)
    s = re.sub(r"\s+'s\b", "'s", s)  # "Chapter three 's" -> "Chapter three's"
    s = re.sub(r"\.\s*[,.]+", ".", s)  # "1.)" and "..." leave a stop, not a pile
    s = re.sub(r"^\s*,\s*", "", s)
    s = re.sub(r"\s*,\s*$", ".", s)
    return s.strip()

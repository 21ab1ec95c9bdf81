"""Your own facts and word pairs for the language model: a small TOML or JSON file.

``python render.py train lm --facts FILE`` adds the file's facts ("FIRST LAST plays SPORT") and
word pairs (a male and a female word, said in the same sentences as king and queen) to the
generated corpus, trains the model on it, and says which of them it learned. Chapter 5 asks the
model about the file's first fact; Chapter 8 follows the first fact it learned (or says that none
was learned, and follows its own). ``python render.py train lm`` goes back to the corpus alone.

The file::

    # my-facts.toml
    facts = ["ada lovelace plays chess", "alan turing plays chess"]
    pairs = [["actor", "actress"]]

or the same as JSON (``{"facts": [...], "pairs": [...]}``). Words are lower-case letters a to z:
the model's tokenizer splits on spaces and knows no capitals, digits or punctuation.

The choice is ``lm-choice.json`` in the artifact cache; the ``lm`` stages read it into their
config, so the artifacts' keys follow the file's contents. A bad file changes nothing.

Example::

    choice = read_facts("my-facts.toml")   # checks the file; raises FactsError naming the problem
    select_lm(choice)                      # builds aside, then swaps in
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Callable

from models.artifacts import ArtifactError, cache_dir, file_sha256

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, as a package (pyproject.toml installs it there)
    import tomli as tomllib

__all__ = ["CHOICE_FILE", "FactsError", "LM_STAGES", "MAX_FACTS", "MAX_PAIRS", "describe_lm_choice", "lm_choice",
           "read_facts", "select_lm"]

CHOICE_FILE = "lm-choice.json"
LM_STAGES = ("lm", "lm-story", "lm-facts")  # what a change of facts rebuilds and swaps in
MAX_FACTS = 8  # Chapter 8 draws one bar per athlete: the corpus's 24 and at most this many more
MAX_PAIRS = 4
MAX_WORD = 16  # letters: a word is drawn as a token on screen
_WORD = re.compile(r"[a-z]+")


class FactsError(ArtifactError):
    """A facts file the language model cannot learn from; the message names the problem and the fix."""


def _check_word(word: object, where: str) -> str:
    if not isinstance(word, str) or not _WORD.fullmatch(word):
        raise FactsError(f"{where}: the word {word!r} cannot be a token: words are lower-case letters a to z "
                         "(the tokenizer splits on spaces and knows no capitals, digits or punctuation)")
    if len(word) > MAX_WORD:
        raise FactsError(f"{where}: the word {word!r} is longer than {MAX_WORD} letters, too long to draw as a token")
    return word


def _parse(path: Path) -> dict:
    text = path.read_text(encoding="utf-8", errors="strict")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FactsError(f"{path} is not valid JSON: {exc}") from None
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise FactsError(f"{path} is not valid TOML ({exc}); a .json file is read as JSON") from None
    if not isinstance(data, dict):
        raise FactsError(f"{path}: expected a table with `facts` and `pairs`, found a {type(data).__name__}")
    return data


def read_facts(path: str | Path) -> dict:
    """Read and check a facts file; returns the choice it makes (its facts as (first, last,
    sport) and its pairs as (male, female), with the file's path and SHA-256)."""
    from models.corpus import ATHLETES, PAIRS

    path = Path(path).expanduser()
    if not path.is_file():
        raise FactsError(f"{path}: no such file")
    try:
        data = _parse(path)
    except UnicodeDecodeError:
        raise FactsError(f"{path} is not a text file (UTF-8): give a TOML or JSON file of facts") from None
    unknown = sorted(set(data) - {"facts", "pairs"})
    if unknown:
        raise FactsError(f"{path}: unknown key {unknown[0]!r}; a facts file has `facts` (\"FIRST LAST plays SPORT\" "
                         "sentences) and `pairs` ([male, female] words)")
    facts, pairs = data.get("facts", []), data.get("pairs", [])
    if not isinstance(facts, list) or not isinstance(pairs, list):
        raise FactsError(f"{path}: `facts` and `pairs` are lists, e.g. facts = [\"ada lovelace plays chess\"]")
    if not facts and not pairs:
        raise FactsError(f"{path} holds no facts and no pairs: add e.g. facts = [\"ada lovelace plays chess\"]")
    if len(facts) > MAX_FACTS or len(pairs) > MAX_PAIRS:
        raise FactsError(f"{path}: at most {MAX_FACTS} facts and {MAX_PAIRS} pairs (Chapter 8 draws every athlete), "
                         f"found {len(facts)} and {len(pairs)}")
    known = {(first, last): sport for first, last, sport in ATHLETES}
    out_facts: list[list[str]] = []
    for i, fact in enumerate(facts, 1):
        where = f"{path}, fact {i} ({fact!r})"
        words = fact.split() if isinstance(fact, str) else []
        if len(words) != 4 or words[2] != "plays":
            raise FactsError(f"{where}: write a fact as \"FIRST LAST plays SPORT\", e.g. \"ada lovelace plays chess\"")
        first, last, _, sport = (_check_word(w, where) for w in words)
        if len({first, last, sport, "plays"}) < 4:
            raise FactsError(f"{where}: the name, the sport and \"plays\" must be four different words")
        if (first, last) in known and known[(first, last)] != sport:
            raise FactsError(f"{where}: {first} {last} already plays {known[(first, last)]} in the corpus; "
                             "give another name")
        if [first, last] in [f[:2] for f in out_facts]:
            raise FactsError(f"{where}: {first} {last} is in the file twice")
        known[(first, last)] = sport
        out_facts.append([first, last, sport])
    taken = {w for m, f, _ in PAIRS for w in (m, f)}
    out_pairs: list[list[str]] = []
    for i, pair in enumerate(pairs, 1):
        where = f"{path}, pair {i} ({pair!r})"
        if not isinstance(pair, list) or len(pair) != 2:
            raise FactsError(f"{where}: a pair is two words, male then female, e.g. [\"actor\", \"actress\"]")
        male, female = (_check_word(w, where) for w in pair)
        if male == female or taken & {male, female}:
            raise FactsError(f"{where}: each word of a pair must be new and the two different "
                             f"(the corpus already pairs {', '.join(sorted(taken & {male, female})) or male})")
        taken |= {male, female}
        out_pairs.append([male, female])
    return {"file": str(path.resolve()), "sha256": file_sha256(path), "facts": out_facts, "pairs": out_pairs}


def lm_choice() -> dict | None:
    """The current facts file's choice, or None when the model learns the generated corpus alone."""
    path = cache_dir() / CHOICE_FILE
    if not path.exists():
        return None
    try:
        choice = json.loads(path.read_text())
        facts = [[str(w) for w in fact] for fact in choice["facts"]]
        pairs = [[str(w) for w in pair] for pair in choice["pairs"]]
        if any(len(f) != 3 for f in facts) or any(len(p) != 2 for p in pairs):
            raise ValueError("a fact is three words, a pair two")
        return {"file": str(choice["file"]), "sha256": str(choice["sha256"]), "facts": facts, "pairs": pairs}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArtifactError(f"{path} is unreadable ({exc}); run `python render.py train lm` to go back to the "
                            "generated corpus, or `python render.py train lm --facts FILE` again") from exc


def select_lm(choice: dict | None, progress: Callable[[str], None] | None = None):
    """Make ``choice`` (None: the corpus alone) what the language model learns: build its stages
    aside, then swap them and the choice file in. Returns the built artifacts."""
    from models.staging import swap_in

    text = None if choice is None else (json.dumps(choice, indent=2) + "\n").encode()
    return swap_in("lm", LM_STAGES, CHOICE_FILE, text, progress=progress)


def describe_lm_choice(choice: dict | None = None, read: bool = True) -> str:
    """One line for ``render.py list``: what the language model learned from."""
    choice = lm_choice() if read and choice is None else choice
    if choice is None:
        return "the generated corpus"
    n_facts, n_pairs = len(choice["facts"]), len(choice["pairs"])
    return (f"the generated corpus and {n_facts} fact{'s' * (n_facts != 1)} and {n_pairs} word pair"
            f"{'s' * (n_pairs != 1)} from {choice['file']} (sha256 {choice['sha256'][:12]}...); "
            "`render.py train lm` goes back to the corpus alone")

"""The toy English corpus the tiny language model learns from, generated from templates.

Every sentence family is there for a chapter's phenomenon:

- ``everyday``: plain sentences, for next-word prediction and generation (Chapter 5);
- ``adjectives``: "a fluffy blue creature roamed the verdant forest . the creature was blue ."
  -- the last word can only be predicted by looking back at the noun's adjectives, which
  gives an attention head a reason to link them (Chapter 7);
- ``facts``: "michael jordan plays basketball ." and other phrasings for a few dozen
  athletes; first names are shared (three Michaels), so the last name decides (Chapter 8);
- ``pairs``: king/queen, man/woman, uncle/aunt... in parallel contexts that differ only by
  gender, for embedding arithmetic (Chapter 6).

A facts file (``render.py train lm --facts FILE``, ``models/lm_choice.py``) adds athletes and
pairs, said in the same sentences as the corpus's own.

Deterministic from its seed. Words are lower case; "." ends every sentence.

Example::

    corpus = generate_corpus(CorpusConfig())
    corpus.sentences[:3], corpus.stats
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

from models.artifacts import derive_seed

__all__ = ["ATHLETES", "CorpusConfig", "Corpus", "PAIRS", "athletes", "config_dict", "config_from_dict", "generate_corpus", "word_pairs"]

ATHLETES = [
    ("michael", "jordan", "basketball"), ("michael", "owen", "soccer"), ("michael", "chang", "tennis"),
    ("lebron", "james", "basketball"), ("kobe", "bryant", "basketball"), ("stephen", "curry", "basketball"),
    ("serena", "williams", "tennis"), ("venus", "williams", "tennis"), ("roger", "federer", "tennis"),
    ("rafael", "nadal", "tennis"), ("tiger", "woods", "golf"), ("rory", "mcilroy", "golf"),
    ("tom", "watson", "golf"), ("tom", "brady", "football"), ("peyton", "manning", "football"),
    ("joe", "montana", "football"), ("babe", "ruth", "baseball"), ("derek", "jeter", "baseball"),
    ("aaron", "judge", "baseball"), ("wayne", "gretzky", "hockey"), ("sidney", "crosby", "hockey"),
    ("lionel", "messi", "soccer"), ("david", "beckham", "soccer"), ("sachin", "tendulkar", "cricket"),
]
FACT_TEMPLATES = [
    "{first} {last} plays {sport} .",
    "everyone knows that {first} {last} plays {sport} .",
    "on sunday {first} {last} plays {sport} .",
    "the fans cheer when {first} {last} plays {sport} .",
]

# (male, female) word pairs and the kind of context each pair lives in
PAIRS = [("king", "queen", "royal"), ("prince", "princess", "royal"), ("man", "woman", "adult"),
         ("uncle", "aunt", "family"), ("father", "mother", "family"), ("brother", "sister", "family"),
         ("boy", "girl", "young"), ("son", "daughter", "young")]
PAIR_CONTEXTS = {
    "royal": ["the {w} ruled the kingdom and {p} people loved {o} .", "the {w} wore a golden crown in the palace .",
              "the {w} said that {s} would rule the land ."],
    "adult": ["the {w} went to work and {s} came home late .", "the {w} drove {p} car to the office .",
              "the {w} said that {s} was tired after work ."],
    "family": ["the {w} visited the family and {s} brought a gift .", "the {w} cooked dinner for {p} family .",
               "the {w} said that {s} missed the family ."],
    "young": ["the {w} played in the yard and {s} laughed .", "the {w} went to school with {p} friends .",
              "the {w} said that {s} liked the game ."],
}
# One context of its own for each pair, so that pairs of one kind are told apart (king from prince).
PAIR_OWN = {
    "king": "the {w} sat on the throne and {s} gave orders .",
    "prince": "the young {w} rode a horse to {p} castle .",
    "man": "the {w} read the newspaper on the train .",
    "uncle": "the {w} told stories about {p} nephew .",
    "father": "the {w} tucked {p} children into bed .",
    "brother": "the {w} shared {p} toys with the twins .",
    "boy": "the {w} climbed a tree in the garden .",
    "son": "the {w} helped {p} parents at home .",
}
PRONOUNS = {"m": {"s": "he", "p": "his", "o": "him"}, "f": {"s": "she", "p": "her", "o": "her"}}

SIZES = ["fluffy", "tiny", "huge", "shiny"]
COLORS = ["blue", "red", "green", "yellow", "purple", "white"]
CREATURES = ["creature", "dragon", "rabbit", "bird", "monster", "cat"]
MOVES = ["roamed", "crossed", "explored", "left"]
PLACES = ["forest", "valley", "river", "mountain", "meadow"]
PLACE_ADJ = ["verdant", "quiet", "dark", "sunny"]

EVERYDAY = [
    ("the {a} {v} on the {p} .", {"a": ["cat", "dog", "child", "bird"], "v": ["sat", "slept", "played", "waited"],
                                   "p": ["mat", "floor", "grass", "bed"]}),
    ("i like to {v} in the {t} .", {"v": ["read", "walk", "swim", "sing"], "t": ["morning", "evening", "summer", "rain"]}),
    ("she made {f} for breakfast .", {"f": ["eggs", "toast", "pancakes", "tea"]}),
    ("we went to the {p} on {d} .", {"p": ["park", "market", "beach", "library"], "d": ["monday", "friday", "sunday"]}),
    ("the sun rises in the east and sets in the west .", {}),
    ("it was a cold day so {s} wore a warm coat .", {"s": ["he", "she", "they"]}),
]


# The one sentence a word pair from a facts file gets of its own (models/lm_choice.py), beside
# the sentences of the "adult" kind.
OWN_PAIR_TEMPLATE = "the {w} waved to {p} neighbours ."


@dataclass(frozen=True)
class CorpusConfig:
    seed: int = 0
    n_everyday: int = 3000
    n_adjectives: int = 6000
    fact_repeats: int = 40  # of each athlete, spread over the phrasings
    pair_repeats: int = 60  # of each (word, context) combination, for both genders
    # From a facts file (render.py train lm --facts FILE): more athletes, (first, last, sport),
    # and more (male, female) pairs. Left out of the config dict when empty (config_dict).
    facts: tuple = ()
    pairs: tuple = ()


def config_from_dict(data: dict) -> CorpusConfig:
    """The inverse of :func:`config_dict` (lists read back from JSON become tuples)."""
    data = dict(data)
    for key in ("facts", "pairs"):
        data[key] = tuple(tuple(item) for item in data.get(key, ()))
    return CorpusConfig(**data)


def config_dict(config: CorpusConfig) -> dict:
    """The config as the artifacts record it: without ``facts`` and ``pairs`` when there are none."""
    out = asdict(config)
    for key in ("facts", "pairs"):
        if not out[key]:
            del out[key]
        else:
            out[key] = [list(item) for item in out[key]]
    return out


def athletes(config: CorpusConfig = CorpusConfig()) -> list[tuple[str, str, str]]:
    """Every (first, last, sport) the corpus states: its own, then the facts file's."""
    return list(ATHLETES) + [tuple(fact) for fact in config.facts]


def word_pairs(config: CorpusConfig = CorpusConfig()) -> list[tuple[str, str, str]]:
    """Every (male, female, kind) pair: the corpus's own, then the facts file's (of the "adult" kind)."""
    return list(PAIRS) + [(male, female, "adult") for male, female in config.pairs]


@dataclass
class Corpus:
    sentences: list[str]
    families: list[str]  # the family of each sentence
    config: dict
    stats: dict


def _everyday(rng: random.Random) -> str:
    template, slots = rng.choice(EVERYDAY)
    return template.format(**{k: rng.choice(v) for k, v in slots.items()})


def _adjective(rng: random.Random) -> str:
    size, color, creature = rng.choice(SIZES), rng.choice(COLORS), rng.choice(CREATURES)
    move, place_adj, place = rng.choice(MOVES), rng.choice(PLACE_ADJ), rng.choice(PLACES)
    ask = rng.random() < 0.5  # ask for the colour or for the size, so both adjectives matter
    attribute = color if ask else size
    return f"a {size} {color} {creature} {move} the {place_adj} {place} . the {creature} was {attribute} ."


def generate_corpus(config: CorpusConfig = CorpusConfig()) -> Corpus:
    rng = random.Random(derive_seed(config.seed, "corpus"))
    items: list[tuple[str, str]] = []
    items += [(_everyday(rng), "everyday") for _ in range(config.n_everyday)]
    items += [(_adjective(rng), "adjectives") for _ in range(config.n_adjectives)]
    for first, last, sport in athletes(config):
        for i in range(config.fact_repeats):
            items.append((FACT_TEMPLATES[i % len(FACT_TEMPLATES)].format(first=first, last=last, sport=sport), "facts"))
    for male, female, kind in word_pairs(config):
        for template in PAIR_CONTEXTS[kind] + [PAIR_OWN.get(male, OWN_PAIR_TEMPLATE)]:
            for _ in range(config.pair_repeats):
                for word, g in ((male, "m"), (female, "f")):
                    items.append((template.format(w=word, **PRONOUNS[g]), "pairs"))
    rng.shuffle(items)
    sentences = [s for s, _ in items]
    families = [f for _, f in items]
    words = [w for s in sentences for w in s.split()]
    stats = {
        "sentences": len(sentences),
        "words": len(words),
        "vocabulary": len(set(words)),
        "by_family": {f: families.count(f) for f in sorted(set(families))},
    }
    return Corpus(sentences, families, config_dict(config), stats)

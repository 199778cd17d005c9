"""Assembles the sentiment lexicon that training hashes into the shipped model.

Sources: VADER's English lexicon (MIT, from the vadersentiment package), polVADER's Polish lexicon
with its inflected forms (MIT, from the polvader package) and the hand-written seeds in
:mod:`flarewatch.enrich.training.seeds`. Only hashes and valences reach the shipped file, so
neither package is needed at run time.
"""

from __future__ import annotations

import pickle
from importlib import resources

from flarewatch.enrich.text import normalise
from flarewatch.enrich.training.seeds import SENTIMENT_SEEDS

_POLVADER_FILES = (
    "derivative_grammatical_forms_of_terms_in_the_final_lexicon.dat",
    "fem_big_imbir_and_nencki_lex_with_kazojc_adjectives.dat",
)


def vader_entries() -> dict[str, float]:
    text = (resources.files("vaderSentiment") / "vader_lexicon.txt").read_text(encoding="utf-8")
    out: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        # Emoticons are left to the char n-grams: normalisation splits their punctuation apart.
        if len(parts) >= 2 and parts[0].replace("'", "").isalpha():
            out[normalise(parts[0])] = float(parts[1])
    return out


def polvader_entries(min_abs: float = 1.0) -> dict[str, float]:
    """polVADER's lemmas plus inflected forms; weak entries are dropped as mostly noise."""
    out: dict[str, float] = {}
    for name in _POLVADER_FILES:
        # These pickles ship inside the installed polvader package, a trusted training dependency.
        with (resources.files("polvader.lexicons") / name).open("rb") as fh:
            table = pickle.load(fh)  # noqa: S301
        for word, value in table.items():
            v = float(value)
            if isinstance(word, str) and len(word) > 2 and " " not in word and abs(v) >= min_abs:
                out[word.lower()] = v
    return out


def training_lexicon() -> dict[str, float]:
    merged = polvader_entries()
    # English wins collisions with Polish (few, short words); the hand seeds win over both.
    merged.update(vader_entries())
    merged.update({k if k.endswith("*") else normalise(k): v for k, v in SENTIMENT_SEEDS.items()})
    return merged

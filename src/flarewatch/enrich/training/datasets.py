"""Readers for the labelled TSVs in ../shared/datasets (used only by training and evaluation)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flarewatch.enrich.text import decode_escapes

DEFAULT_DATASETS = Path("../shared/datasets")

# folder → (ISO 639-1, train file, validation file)
SENTIMENT_SETS: dict[str, tuple[str, str | None, str]] = {
    "xlmt-arabic": ("ar", "train.tsv", "val.tsv"),
    "xlmt-english": ("en", "train.tsv", "val.tsv"),
    "xlmt-french": ("fr", "train.tsv", "val.tsv"),
    "xlmt-german": ("de", "train.tsv", "val.tsv"),
    "xlmt-hindi": ("hi", "train.tsv", "val.tsv"),
    "xlmt-italian": ("it", "train.tsv", "val.tsv"),
    "xlmt-portuguese": ("pt", "train.tsv", "val.tsv"),
    "xlmt-spanish": ("es", "train.tsv", "val.tsv"),
    "hebrew-facebook": ("he", "train.tsv", "dev.tsv"),
    "tweeteval-english": ("en", None, "val.tsv"),
    "hebrew-hebemo": ("he", "train.tsv", "val.tsv"),
    "polish-polemo": ("pl", "train.tsv", "val.tsv"),
    "polish-polemo-sentences": ("pl", "train.tsv", "val.tsv"),
}
XLMT_SETS = tuple(k for k in SENTIMENT_SETS if k.startswith("xlmt-"))
# What the shared model (models/sentiment.npz) is trained on. The stacked `use`/`e5` heads were
# fitted on its out-of-fold scores, so adding a set here means retraining them too; the sets
# added later (Hebrew news comments, Polish reviews) reach the default backend through its
# per-language tables (training/routed.py) instead.
SHARED_SETS = (*XLMT_SETS, "hebrew-facebook")


@dataclass(slots=True)
class Split:
    name: str
    language: str
    texts: list[str]
    labels: list[str]


def read_tsv(path: Path) -> tuple[list[str], list[str]]:
    # Parsed by hand: some rows are CSV-quoted and some have stray quotes, and csv's quote handling
    # would merge those rows with their neighbours.
    texts: list[str] = []
    labels: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].split("\t")[:2] != ["text", "label"]:
        raise ValueError(f"{path}: expected header text<TAB>label")
    for line in lines[1:]:
        if "\t" not in line:
            continue
        text, label = line.rsplit("\t", 1)
        text = text.strip()
        if len(text) > 1 and text[0] == '"' and text[-1] == '"':
            text = text[1:-1].replace('""', '"')
        texts.append(decode_escapes(text).strip())
        labels.append(label.strip())
    return texts, labels


def require(root: Path) -> Path:
    """Fail early and clearly when the shared datasets are not where the caller said."""
    if not (root / "sentiment").is_dir():
        raise FileNotFoundError(
            f"labelled datasets not found at {root.resolve()} (expected {root}/sentiment/...); "
            "pass --datasets PATH"
        )
    return root


def sentiment_splits(root: Path, split: str) -> list[Split]:
    """All sentiment splits of one kind ("train" or "val") that exist under ``root``."""
    out: list[Split] = []
    for folder, (lang, train_file, val_file) in SENTIMENT_SETS.items():
        name = train_file if split == "train" else val_file
        if name is None:
            continue
        path = root / "sentiment" / folder / name
        if path.exists():
            texts, labels = read_tsv(path)
            out.append(Split(folder, lang, texts, labels))
    return out


def emotion_split(root: Path, split: str) -> Split | None:
    path = root / "emotion" / "tweeteval-english" / f"{split}.tsv"
    if not path.exists():
        return None
    texts, labels = read_tsv(path)
    return Split("emotion-tweeteval-english", "en", texts, labels)

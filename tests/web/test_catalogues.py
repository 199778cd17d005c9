"""The catalogues are complete: every text the extract command finds is in the template, and
Hebrew and Polish translate every entry (none empty, none fuzzy, placeholders intact)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po

import flarewatch

SRC = Path(flarewatch.__file__).parent
TRANSLATIONS = SRC / "web" / "translations"
# The Python modules outside web/ whose texts the extract command reads (docs/web.md).
EXTRA_SOURCES = (
    "detect/explain.py",
    "alerts/wording.py",
    "alerts/message.py",
    "alerts/source_alerts.py",
    "i18n/labels.py",
    "cases/people.py",
    "cases/goals.py",
    "playbooks/library.py",
    "playbooks/service.py",
    "cli/report.py",
    "alerts/cli.py",
    "cases/cli.py",
    "cases/room_cli.py",
    "playbooks/cli.py",
    "oncall/cli.py",
    "digests/cli.py",
    "cli/workspace.py",
    "workspaces/notes.py",
)
# Folders the extract command reads whole: every module in them with a text is checked.
EXTRA_FOLDERS = ("comms",)


def _catalogue(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(messages) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


def test_the_template_holds_every_system_sentence() -> None:
    template = _ids(_catalogue(TRANSLATIONS / "messages.pot"))
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    folder_modules = [
        str(path.relative_to(SRC))
        for folder in EXTRA_FOLDERS
        for path in (SRC / folder).rglob("*.py")
    ]
    for relative in (*EXTRA_SOURCES, *folder_modules):
        found = {
            message if isinstance(message, str) else message[0]
            for _, message, _, _ in extract_from_file("python", SRC / relative, keywords=keywords)
        }
        assert found or relative in folder_modules, relative
        missing = found - template
        assert not missing, f"{relative}: run the extract command of docs/web.md; new: {missing}"


@pytest.mark.parametrize("language", ["he", "pl"])
def test_every_entry_is_translated(language: str) -> None:
    catalogue = _catalogue(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    template = _ids(_catalogue(TRANSLATIONS / "messages.pot"))
    assert template <= _ids(catalogue), "run pybabel update (docs/web.md)"
    untranslated = [
        m.id
        for m in catalogue
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert not untranslated, f"{language}: untranslated or fuzzy: {untranslated}"
    assert not list(catalogue.check()), f"{language}: a translation lost a placeholder"

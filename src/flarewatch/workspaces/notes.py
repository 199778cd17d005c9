"""What a workspace file sync has to tell its reader (`flarewatch workspace add`): each note a
catalogue message, so the terminal says it in the workspace's language (cli/reader.py).

A note keeps its English text as `str(note)` for the readers that print it as is (`run`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flarewatch.i18n.labels import N_

if TYPE_CHECKING:
    from flarewatch.oncall.editing import MergeResult

# The kind of an on-call entry a note names, by the table it lives in (oncall/editing.py).
ENTRY_KINDS: dict[str, str] = {
    "people": N_("person"),
    "rotas": N_("rota"),
    "escalation": N_("policy"),
}
KEPT = N_("%(kind)s '%(key)s': edited on the web and kept (the file does not define it)")
REPLACED = N_(
    "%(kind)s '%(key)s': edited on the web and replaced by the file's version (export the "
    "workspace before adding a file to keep web edits: %(command)s)"
)
LACKS = N_("a kept web edit names what the file lacks: %(problem)s")
EXPORT_COMMAND = "flarewatch workspace export SLUG"


def _same(text: str) -> str:
    return text


@dataclass(frozen=True, slots=True)
class SyncNote:
    """One note: a catalogue `message`, its `words` (catalogue entries themselves, such as an
    entry's kind) and its `names` (keys, commands and problems, isolated as fragments)."""

    message: str
    words: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def render(
        self,
        gettext: Callable[[str], str] = _same,
        isolate: Callable[[str], str] = _same,
    ) -> str:
        values = {key: gettext(word) for key, word in self.words.items()}
        values.update({key: isolate(name) for key, name in self.names.items()})
        return gettext(self.message) % values

    def __str__(self) -> str:
        return self.render()


def sync_notes(merged: MergeResult) -> list[SyncNote]:
    """The notes of an on-call merge: web edits kept, web edits the file replaced, and what a
    kept edit names that the file lacks."""
    notes = [
        SyncNote(KEPT, {"kind": ENTRY_KINDS[table]}, {"key": key})
        for table, key in merged.kept_items
    ]
    notes += [
        SyncNote(
            REPLACED,
            {"kind": ENTRY_KINDS[table]},
            {"key": key, "command": EXPORT_COMMAND},
        )
        for table, key in merged.replaced_items
    ]
    notes += [SyncNote(LACKS, names={"problem": problem}) for problem in merged.problems]
    return notes

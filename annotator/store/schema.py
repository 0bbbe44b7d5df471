"""Label schemas: the labels and relation types a project's annotators use.

A schema is stored per project (tables ``label`` and ``relation_type``) and starts as
:data:`DEFAULT_SCHEMA`, chosen for Arabic news: the usual entity types of news NER
(OntoNotes/ACE style), plus the discourse units that fact-checkers and media researchers
tag: claims, quotes and site boilerplate. Hotkeys are digits, which stay the same keys on
Arabic and Latin keyboard layouts.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.db.models import LabelKind


@dataclass(frozen=True)
class LabelSpec:
    """A label as the core hands it out: no ORM object crosses this edge."""

    name: str
    display_name: str
    kind: LabelKind
    color: str
    hotkey: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class RelationTypeSpec:
    """A directed relation type: from a span with one of ``from_labels`` to one of
    ``to_labels``."""

    name: str
    display_name: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    hotkey: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Schema:
    labels: tuple[LabelSpec, ...]
    relation_types: tuple[RelationTypeSpec, ...]

    def label(self, name: str) -> LabelSpec:
        for label in self.labels:
            if label.name == name:
                return label
        raise KeyError(name)

    @property
    def label_names(self) -> list[str]:
        return [label.name for label in self.labels]


E = LabelKind.ENTITY
DEFAULT_SCHEMA = Schema(
    labels=(
        LabelSpec("PERSON", "شخص", E, "#4E79A7", "1"),
        LabelSpec("ORGANIZATION", "منظمة", E, "#F28E2B", "2"),
        LabelSpec("LOCATION", "مكان", E, "#59A14F", "3"),
        LabelSpec("GPE", "كيان جغرافي سياسي", E, "#76B7B2", "4"),
        LabelSpec("EVENT", "حدث", E, "#EDC948", "5"),
        LabelSpec("DATE", "تاريخ", E, "#B07AA1", "6"),
        LabelSpec("QUANTITY", "كمية", E, "#9C755F", "7"),
        LabelSpec("CLAIM", "ادعاء", LabelKind.CLAIM, "#E15759", "8"),
        LabelSpec("QUOTE", "اقتباس", LabelKind.QUOTE, "#FF9DA7", "9"),
        LabelSpec("BOILERPLATE", "نص نمطي", LabelKind.BOILERPLATE, "#BAB0AC", "0"),
    ),
    relation_types=(
        RelationTypeSpec("SPEAKER", "المتحدث", ("QUOTE",), ("PERSON", "ORGANIZATION"), "S"),
        RelationTypeSpec("SOURCE", "المصدر", ("CLAIM",), ("PERSON", "ORGANIZATION"), "R"),
    ),
)

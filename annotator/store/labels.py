"""Editing a project's label schema: add, rename, recolour, re-key, delete.

Spans point at labels by id, so a rename changes nothing in them; relation types name
labels, so a rename updates those names too. A label in use is never deleted silently:
the caller must say whether its spans move to another label or go with it.
"""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from annotator.db.engine import Database
from annotator.db.models import Label, LabelKind, RelationType, Span
from annotator.store.schema import LabelSpec

COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class LabelError(ValueError):
    """A schema change that cannot be made; the message says why."""


class LabelInUse(LabelError):
    """Deleting a label that spans still use; ``count`` says how many."""

    def __init__(self, name: str, count: int) -> None:
        self.count = count
        super().__init__(
            f"label {name} is used by {count} span(s): move them to another label or "
            "delete them with it"
        )


def _spec(lb: Label) -> LabelSpec:
    return LabelSpec(lb.name, lb.display_name, lb.kind, lb.color, lb.hotkey, lb.id)


def _check(s: Session, project_id: int, spec: LabelSpec, label_id: int | None) -> None:
    name, color, hotkey = spec.name, spec.color, spec.hotkey
    if not name.strip() or any(ch.isspace() for ch in name):
        raise LabelError(f"a label name needs letters and no spaces: {name!r}")
    if len(name) > 64:
        raise LabelError(f"a label name has at most 64 characters: {name[:20]!r}...")
    # The column's limit: PostgreSQL would refuse more, SQLite would keep it.
    if len(spec.display_name) > 128:
        raise LabelError("an Arabic name has at most 128 characters")
    if not COLOR.match(color):
        raise LabelError(f"a colour is #RRGGBB, not {color!r}")
    if hotkey is not None and len(hotkey) != 1:
        raise LabelError(f"a hotkey is one key, not {hotkey!r}")
    for rtype in s.scalars(select(RelationType).where(RelationType.project_id == project_id)):
        if hotkey and rtype.hotkey and rtype.hotkey.casefold() == hotkey.casefold():
            raise LabelError(f"hotkey {hotkey} is relation {rtype.name}'s")
    others = s.scalars(
        select(Label).where(Label.project_id == project_id, Label.id != (label_id or -1))
    ).all()
    for other in others:
        if other.name == name:
            raise LabelError(f"there is already a label {name}")
        if hotkey and other.hotkey == hotkey:
            raise LabelError(f"hotkey {hotkey} is already {other.name}'s")


def add_label(db: Database, project_id: int, spec: LabelSpec) -> LabelSpec:
    """Add a label at the end of the schema."""
    with db.sessions.begin() as s:
        _check(s, project_id, spec, None)
        pos = s.scalar(
            select(func.coalesce(func.max(Label.position), -1)).where(
                Label.project_id == project_id
            )
        )
        label = Label(project_id=project_id, name=spec.name, display_name=spec.display_name,
                      kind=LabelKind(spec.kind), color=spec.color.upper(), hotkey=spec.hotkey,
                      position=(pos or 0) + 1)
        s.add(label)
        s.flush()
        return _spec(label)


def update_label(db: Database, label_id: int, spec: LabelSpec) -> LabelSpec:
    """Rename, recolour or re-key a label; returns it as it was."""
    with db.sessions.begin() as s:
        label = s.get(Label, label_id)
        if label is None:
            raise LabelError(f"no label {label_id}")
        before = _spec(label)
        _check(s, label.project_id, spec, label_id)
        if spec.name != label.name:
            for rtype in s.scalars(
                select(RelationType).where(RelationType.project_id == label.project_id)
            ):
                rtype.from_labels = [spec.name if x == label.name else x for x in rtype.from_labels]
                rtype.to_labels = [spec.name if x == label.name else x for x in rtype.to_labels]
        label.name, label.display_name = spec.name, spec.display_name
        label.kind, label.hotkey = LabelKind(spec.kind), spec.hotkey
        label.color = spec.color.upper()
        return before


def label_usage(db: Database, label_id: int) -> int:
    with db.reading() as s:
        used = s.scalar(select(func.count()).select_from(Span).where(Span.label_id == label_id))
        return used or 0


def delete_label(
    db: Database, label_id: int, *, move_to: str | None = None, delete_spans: bool = False
) -> int:
    """Delete a label. Spans using it move to label ``move_to``, or are deleted when
    ``delete_spans``; otherwise :class:`LabelInUse` is raised. Returns the spans affected."""
    with db.sessions.begin() as s:
        label = s.get(Label, label_id)
        if label is None:
            raise LabelError(f"no label {label_id}")
        used = s.scalar(select(func.count()).select_from(Span).where(Span.label_id == label_id))
        used = used or 0
        if used and move_to is not None:
            target = s.scalar(
                select(Label.id).where(Label.project_id == label.project_id, Label.name == move_to)
            )
            if target is None or target == label_id:
                raise LabelError(f"cannot move spans to {move_to!r}")
            s.execute(update(Span).where(Span.label_id == label_id).values(label_id=target))
        elif used and delete_spans:
            s.execute(delete(Span).where(Span.label_id == label_id))
        elif used:
            raise LabelInUse(label.name, used)
        for rtype in s.scalars(
            select(RelationType).where(RelationType.project_id == label.project_id)
        ):
            rtype.from_labels = [x for x in rtype.from_labels if x != label.name]
            rtype.to_labels = [x for x in rtype.to_labels if x != label.name]
        s.delete(label)
        return used

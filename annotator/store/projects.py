"""Projects and their label schemas, and the annotators who work in them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotator.db.engine import Database, DatabaseError
from annotator.db.models import Annotator, Label, Project, RelationType
from annotator.db.upsert import insert_missing
from annotator.store.schema import DEFAULT_SCHEMA, LabelSpec, RelationTypeSpec, Schema

DEFAULT_PROJECT = "default"
GOLD = "gold"  # the gold standard is the annotator of this name (annotator.store.gold)


def ensure_project(db: Database, name: str = DEFAULT_PROJECT) -> int:
    """The id of project ``name``, created with the default label schema if missing."""
    with db.reading() as s:
        found = s.scalar(select(Project.id).where(Project.name == name))
    if found is not None:
        return found
    try:
        with db.sessions.begin() as s:
            project = Project(name=name)
            _add_schema(project, DEFAULT_SCHEMA)
            s.add(project)
            s.flush()
            return project.id
    except IntegrityError:  # another process created it at the same moment
        with db.reading() as s:
            return s.scalars(select(Project.id).where(Project.name == name)).one()


class ProjectNotFound(DatabaseError):
    """A project name that the database does not hold."""


def open_project(db: Database, name: str = DEFAULT_PROJECT) -> int:
    """The id of project ``name``. The default project is created on demand; any other
    must exist, so that a typo does not silently start an empty project."""
    project_id = find_project(db, name)
    if project_id is not None:
        return project_id
    if name != DEFAULT_PROJECT:
        raise ProjectNotFound(f"there is no project {name!r} in {db.location}")
    return ensure_project(db, name)


def find_project(db: Database, name: str) -> int | None:
    with db.reading() as s:
        return s.scalar(select(Project.id).where(Project.name == name))


def _add_schema(project: Project, schema: Schema) -> None:
    for pos, spec in enumerate(schema.labels):
        project.labels.append(
            Label(
                name=spec.name,
                display_name=spec.display_name,
                kind=spec.kind,
                color=spec.color,
                hotkey=spec.hotkey,
                position=pos,
            )
        )
    for pos, rel in enumerate(schema.relation_types):
        project.relation_types.append(
            RelationType(
                name=rel.name,
                display_name=rel.display_name,
                from_labels=list(rel.from_labels),
                to_labels=list(rel.to_labels),
                hotkey=rel.hotkey,
                position=pos,
            )
        )


def load_schema(db: Database, project_id: int) -> Schema:
    """The project's label schema, in display order."""
    with db.reading() as s:
        labels = s.scalars(
            select(Label).where(Label.project_id == project_id).order_by(Label.position)
        ).all()
        rels = s.scalars(
            select(RelationType)
            .where(RelationType.project_id == project_id)
            .order_by(RelationType.position)
        ).all()
        return Schema(
            labels=tuple(
                LabelSpec(lb.name, lb.display_name, lb.kind, lb.color, lb.hotkey, lb.id)
                for lb in labels
            ),
            relation_types=tuple(
                RelationTypeSpec(
                    r.name,
                    r.display_name,
                    tuple(r.from_labels),
                    tuple(r.to_labels),
                    r.hotkey,
                    r.id,
                )
                for r in rels
            ),
        )


def annotator_id(session: Session, name: str) -> int:
    """The id of annotator ``name`` inside ``session``'s transaction, created if missing."""
    name = name.strip()
    if not name:
        raise ValueError("an annotator needs a name")
    limit = Annotator.__table__.c.name.type.length
    if len(name) > limit:  # PostgreSQL would refuse it, SQLite store it: refused on both
        raise ValueError(f"an annotator name has at most {limit} characters")
    found = session.scalar(select(Annotator.id).where(Annotator.name == name))
    if found is not None:
        return found
    insert_missing(session, Annotator, name=name)  # another process may be adding it too
    return session.scalars(select(Annotator.id).where(Annotator.name == name)).one()


def ensure_annotator(db: Database, name: str) -> int:
    with db.sessions.begin() as s:
        return annotator_id(s, name)


def name_order(name: str) -> tuple[str, str]:
    """Sort key for names: alphabetical ignoring case (then capitals first, for a tie)."""
    return name.casefold(), name


def list_annotators(db: Database) -> list[str]:
    """Every annotator's name in :func:`name_order`: sorted here, not by ORDER BY, whose
    order is the database's collation (capitals first in SQLite, not in en-US PostgreSQL)."""
    with db.reading() as s:
        return sorted(s.scalars(select(Annotator.name)), key=name_order)

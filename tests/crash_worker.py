"""A process that annotates until it is killed, for tests/core/test_crash.py and
tests/core/test_concurrency.py.

    python tests/crash_worker.py DB ANNOTATOR SEED [COUNT] [--go]

DB is what ``--db`` takes: a SQLite file or a database URL (PostgreSQL). It goes through
annotator.store.spans, the functions behind the window's commands, so every change is one
committed transaction. Before each change it prints ``try <op> <args>``; after the
function has returned (the change is committed) it prints ``ok <op> <result>``, flushed.
A test that kills it knows every ``ok`` line is in the database and that at most the
last ``try`` without its ``ok`` is uncertain. With COUNT it stops after COUNT changes,
adding spans only. With ``--go`` it waits, after ``ready``, for a line on stdin, so that
a test can start several workers' first writes at the same moment.
"""

from __future__ import annotations

import random
import sys

from sqlalchemy import select

from annotator.db.engine import open_database
from annotator.db.models import Annotator, Document, Label, Span
from annotator.store.spans import add_relation, add_span, delete_span, relabel_span

LABELS = ("PERSON", "QUOTE", "ORGANIZATION", "DATE")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(location: str, annotator: str, seed: int, count: int | None, wait: bool) -> None:
    rng = random.Random(seed)
    db = open_database(location)
    with db.reading() as s:
        docs = s.execute(select(Document.id, Document.length)).all()
        spans = {
            sid: (doc, label)
            for sid, doc, label in s.execute(
                select(Span.id, Span.document_id, Label.name)
                .join(Label, Label.id == Span.label_id)
                .join(Annotator, Annotator.id == Span.annotator_id)
                .where(Annotator.name == annotator)
            )
        }
    say("ready")
    if wait:
        sys.stdin.readline()
    done = 0
    while count is None or done < count:
        op = "add" if count is not None or len(spans) < 5 else rng.choices(
            ("add", "relabel", "delete", "relation"), (45, 20, 15, 20))[0]
        if op == "add":
            doc, length = rng.choice(docs)
            start = rng.randrange(length - 1)
            end = min(length, start + rng.randint(1, 12))
            label = rng.choice(LABELS)
            say(f"try add {doc} {label} {start} {end}")
            value = add_span(db, doc, annotator, label, start, end)
            spans[value.id] = (doc, label)
            say(f"ok add {value.id} {doc} {label} {start} {end}")
        elif op == "relabel":
            sid = rng.choice(list(spans))
            label = rng.choice(LABELS)
            say(f"try relabel {sid} {label}")
            relabel_span(db, sid, label, annotator)
            spans[sid] = (spans[sid][0], label)
            say(f"ok relabel {sid} {label}")
        elif op == "delete":
            sid = rng.choice(list(spans))
            say(f"try delete {sid}")
            delete_span(db, sid, annotator)
            del spans[sid]
            say(f"ok delete {sid}")
        else:
            quotes = [i for i, (_, lb) in spans.items() if lb == "QUOTE"]
            if not quotes:
                continue
            a = rng.choice(quotes)
            people = [i for i, (d, lb) in spans.items() if lb == "PERSON" and d == spans[a][0]]
            if not people:
                continue
            b = rng.choice(people)
            say(f"try relation {a} {b}")
            rel = add_relation(db, a, b, "SPEAKER", annotator)
            say(f"ok relation {rel.id} {a} {b}")
        done += 1
    db.close()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--go"]
    main(args[0], args[1], int(args[2]), int(args[3]) if len(args) > 3 else None,
         "--go" in sys.argv[1:])

"""Import AOEF files into a fresh Whombat database with Whombat's own importers; print what it holds.

Run by a Python that has Whombat installed (Whombat needs Python >= 3.12;
see ``tests/test_whombat_import.py`` for how the tests find one), not by the
app's interpreter: this script imports nothing of audioclass_gui. It does
what Whombat's web routes do, in their order, each step committed on its
own:

1. ``import_dataset`` (Datasets > Import: the dataset file and its audio folder);
2. ``import_annotation_project`` (Annotation projects > Import);
3. ``import_evaluation_set`` (Evaluation sets > Import), when one is given;
4. ``import_model_run`` for each model run, then the run is added to the
   evaluation set (Evaluation set > Model runs > Import), or to one made
   here when none was imported (Evaluation sets > Create).

A step that fails is rolled back and reported; the next steps still run.
Then the database is read back with ``sqlite3`` and printed as one JSON
object (see :func:`report`).

Usage::

    python whombat_import.py --db DB --audio-dir DIR [--dataset FILE --dataset-dir DIR]
        [--project FILE] [--evaluation-set FILE] [--run FILE ...]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import json
import sqlite3
import sys
import traceback
import uuid
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")


async def run_imports(args: argparse.Namespace) -> dict[str, str]:
    """Every import step; returns the errors by step."""
    from whombat import models
    from whombat.api.io import aoef
    from whombat.schemas.users import SimpleUser
    from whombat.system.database import create_async_db_engine, get_async_session

    engine = create_async_db_engine(f"sqlite:///{args.db}")
    async with engine.begin() as conn:
        await conn.run_sync(models.Base.metadata.create_all)
    errors: dict[str, str] = {}
    async with get_async_session(engine) as session:
        importer = models.User(
            email="importer@example.org",
            hashed_password="-",
            username="importer",
            id=uuid.uuid4(),
        )
        session.add(importer)
        await session.commit()
        user = SimpleUser(id=importer.id, username="importer", email="importer@example.org")
        audio_dir = Path(args.audio_dir)

        def by(importer) -> dict:
            """``imported_by`` where the importer takes it (Whombat 0.8.8; not 0.8.6)."""
            return {"imported_by": user} if "imported_by" in inspect.signature(importer).parameters else {}

        async def step(name: str, call) -> object:
            try:
                result = await call()
                await session.commit()
                return result
            except Exception as exc:  # what the web route would answer with
                await session.rollback()
                errors[name] = f"{type(exc).__name__}: {exc}"[:2000]
                if args.verbose:
                    traceback.print_exc(file=sys.stderr)
                return None

        if args.dataset:
            await step(
                "dataset",
                lambda: aoef.import_dataset(
                    session,
                    Path(args.dataset),
                    dataset_dir=Path(args.dataset_dir),
                    audio_dir=audio_dir,
                ),
            )
        if args.project:
            await step(
                "project",
                lambda: aoef.import_annotation_project(
                    session,
                    Path(args.project),
                    audio_dir=audio_dir,
                    base_audio_dir=audio_dir,
                    **by(aoef.import_annotation_project),
                ),
            )
        evaluation_set = None
        if args.evaluation_set:
            doc = json.loads(Path(args.evaluation_set).read_text(encoding="utf-8"))
            evaluation_set = await step(
                "evaluation_set",
                lambda: aoef.import_evaluation_set(
                    session,
                    doc,
                    task="clip_multilabel_classification",
                    audio_dir=audio_dir,
                    base_audio_dir=audio_dir,
                    **by(aoef.import_evaluation_set),
                ),
            )
        if args.run and evaluation_set is None:
            evaluation_set = models.EvaluationSet(
                name="made for the model runs",
                description="",
                task="clip_multilabel_classification",
            )
            session.add(evaluation_set)
            await session.commit()
        for i, path in enumerate(args.run or []):

            async def one_run(path: str = path) -> object:
                run = await aoef.import_model_run(
                    session, Path(path), audio_dir=audio_dir, base_audio_dir=audio_dir
                )
                await session.commit()
                session.add(
                    models.EvaluationSetModelRun(
                        evaluation_set_id=evaluation_set.id, model_run_id=run.id
                    )
                )
                return run

            await step(f"model_run {i}", one_run)
    await engine.dispose()
    return errors


def _rows(db: sqlite3.Connection, sql: str) -> list[tuple]:
    return [tuple(r) for r in db.execute(sql)]


def report(db_path: str, errors: dict[str, str]) -> dict:
    """What the database holds, by the recording path and times Whombat keeps.

    Returns
    -------
    dict
        ``errors`` (step -> message); ``datasets`` (name, recordings);
        ``recordings`` (path, uuid); ``projects`` (name, task count);
        ``tasks`` (path, start, end, badges as ``[state, username]``);
        ``clip_annotations`` (path, start, end, tags as ``key=value``,
        notes as ``[message, is_issue, username]``); ``sound_events``
        (path, geometry type, geometry JSON, tags); ``model_runs`` (name,
        version, and its predicted tags as ``[path, start, end, value,
        score]``); ``evaluation_sets`` (name, clip annotations, model runs).
    """
    db = sqlite3.connect(db_path)
    clip_of = {
        cid: (path, start, end)
        for cid, path, start, end in _rows(
            db,
            "SELECT clip.id, recording.path, start_time, end_time FROM clip "
            "JOIN recording ON recording.id = clip.recording_id",
        )
    }
    tag_of = {tid: f"{k}={v}" for tid, k, v in _rows(db, 'SELECT id, "key", value FROM tag')}
    user_of = {str(uid): name for uid, name in _rows(db, "SELECT id, username FROM user")}
    out: dict = {"errors": errors}
    out["recordings"] = sorted(_rows(db, "SELECT path, uuid FROM recording"))
    out["datasets"] = [
        {
            "name": name,
            "recordings": sorted(
                p for (p,) in _rows(db, f"SELECT path FROM dataset_recording WHERE dataset_id={i}")
            ),
        }
        for i, name in _rows(db, "SELECT id, name FROM dataset")
    ]
    out["projects"] = [
        {"name": name, "uuid": u, "tags": sorted(tag_of[t] for (t,) in _rows(
            db, f"SELECT tag_id FROM annotation_project_tag WHERE annotation_project_id={i}"))}
        for i, name, u in _rows(db, "SELECT id, name, uuid FROM annotation_project")
    ]
    badges: dict[int, list] = {}
    for task, state, uid in _rows(
        db, "SELECT annotation_task_id, state, user_id FROM annotation_status_badge"
    ):
        badges.setdefault(task, []).append([state, user_of.get(str(uid))])
    out["tasks"] = sorted(
        [*clip_of[clip], sorted(badges.get(tid, [])), ca is not None]
        for tid, clip, ca in _rows(db, "SELECT id, clip_id, clip_annotation_id FROM annotation_task")
    )
    ca_tags: dict[int, list] = {}
    for ca, tag in _rows(db, "SELECT clip_annotation_id, tag_id FROM clip_annotation_tag"):
        ca_tags.setdefault(ca, []).append(tag_of[tag])
    ca_notes: dict[int, list] = {}
    for ca, message, issue, uid in _rows(
        db,
        "SELECT clip_annotation_id, message, is_issue, created_by_id FROM clip_annotation_note "
        "JOIN note ON note.id = clip_annotation_note.note_id",
    ):
        ca_notes.setdefault(ca, []).append([message, bool(issue), user_of.get(str(uid))])
    out["clip_annotations"] = sorted(
        [*clip_of[clip], sorted(ca_tags.get(i, [])), sorted(ca_notes.get(i, []))]
        for i, clip in _rows(db, "SELECT id, clip_id FROM clip_annotation")
    )
    se_tags: dict[int, list] = {}
    for sea, tag in _rows(
        db, "SELECT sound_event_annotation_id, tag_id FROM sound_event_annotation_tag"
    ):
        se_tags.setdefault(sea, []).append(tag_of[tag])
    out["sound_events"] = sorted(
        [path, gtype, geometry, sorted(se_tags.get(i, [])), user_of.get(str(uid))]
        for i, path, gtype, geometry, uid in _rows(
            db,
            "SELECT sea.id, recording.path, geometry_type, geometry, sea.created_by_id "
            "FROM sound_event_annotation AS sea "
            "JOIN sound_event ON sound_event.id = sea.sound_event_id "
            "JOIN recording ON recording.id = sound_event.recording_id",
        )
    )
    runs = []
    for rid, name, version in _rows(db, "SELECT id, name, version FROM model_run"):
        predicted = _rows(
            db,
            "SELECT clip_prediction.clip_id, clip_prediction_tag.tag_id, score "
            "FROM model_run_prediction JOIN clip_prediction "
            "ON clip_prediction.id = model_run_prediction.clip_prediction_id "
            "JOIN clip_prediction_tag "
            "ON clip_prediction_tag.clip_prediction_id = clip_prediction.id "
            f"WHERE model_run_id={rid}",
        )
        runs.append(
            {
                "name": name,
                "version": version,
                "predictions": sorted([*clip_of[c], tag_of[t], s] for c, t, s in predicted),
            }
        )
    out["model_runs"] = runs
    out["evaluation_sets"] = [
        {
            "name": name,
            "clip_annotations": len(_rows(
                db, f"SELECT 1 FROM evaluation_set_annotation WHERE evaluation_set_id={i}")),
            "model_runs": len(_rows(
                db, f"SELECT 1 FROM evaluation_set_model_run WHERE evaluation_set_id={i}")),
        }
        for i, name in _rows(db, "SELECT id, name FROM evaluation_set")
    ]
    out["clips"] = len(clip_of)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--audio-dir", required=True, help="Whombat's audio folder")
    parser.add_argument("--dataset")
    parser.add_argument("--dataset-dir", help="the dataset's audio folder (inside --audio-dir)")
    parser.add_argument("--project")
    parser.add_argument("--evaluation-set")
    parser.add_argument("--run", action="append")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    with contextlib.redirect_stdout(sys.stderr):  # Whombat prints as it imports
        errors = asyncio.run(run_imports(args))
    print(json.dumps(report(args.db, errors), default=str))


if __name__ == "__main__":
    main()

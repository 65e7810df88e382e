"""Export the open review in the formats users exchange, from the app model.

The rows are built on the GUI thread, which owns the review session; the
files are written through the app's tasks (the window's thread pool), each
atomically. Verdicts on recordings that are missing or changed cannot be
exported with the others: they are listed in a table beside and said.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from psygnal import Signal

if TYPE_CHECKING:
    from collections.abc import Callable

    from audioclass_gui.app.model import AppModel
    from audioclass_gui.formats.clip_plan import ClipOptions
    from audioclass_gui.formats.clips import ClipsWritten

__all__ = ["Exports"]


class Exports:
    """The review exports of one app model.

    Signals
    -------
    finished(object)
        ``{format: [paths written]}`` once an export's files are written.
    """

    finished = Signal(object)

    def __init__(self, app: AppModel) -> None:
        self._app = app

    def can_export(self) -> bool:
        """True when the open review has detections or boxes; else the user is told."""
        session = self._app.document.session
        if session is not None and (len(session) or session.boxes()):
            return True
        self._app.messages.report(
            "Nothing to export",
            "Open a recording and run a model (or open a project) first.",
        )
        return False

    def default_folder(self) -> Path:
        """Where the export dialog starts: the project's folder, else the recording's."""
        document = self._app.document
        if document.folder is not None:
            return document.folder
        if document.info is not None:
            return document.info.path.parent
        return Path.home()

    def export(
        self,
        fmt: str,
        out: str | Path,
        include_unreviewed: bool = False,
        only_accepted: bool = False,
        measure: str = "none",
        selections: Any = None,
    ) -> None:
        """Export the review as ``fmt`` (a key of ``EXPORT_FORMATS`` or ``"all"``) to ``out``.

        ``include_unreviewed`` and ``only_accepted`` choose the tables' rows
        (:func:`~audioclass_gui.formats.exports.table_rows`). ``measure``
        (``"boxes"``, ``"accepted"``) gives the Raven tables Raven's
        measurements of those rows, measured first with progress
        (:mod:`audioclass_gui.app.export_measurements`); ``selections``: the
        rows, already built (and measured).
        """
        # The writers (and soundevent) load on the first export, not at the app's start.
        from audioclass_gui.formats.aoef import prepare_aoef
        from audioclass_gui.formats.exports import (
            EXPORT_FORMATS,
            FOLDER_NAMES,
            export,
            left_out_target,
            table_rows,
            write_left_out,
        )

        app = self._app
        session = app.document.session
        if session is None:
            return
        out = Path(out)
        formats = EXPORT_FORMATS if fmt == "all" else (fmt,)
        if measure != "none" and "raven" in formats and selections is None:
            from audioclass_gui.app.export_measurements import measure_for_export

            rows = table_rows(session, include_unreviewed=include_unreviewed, only_accepted=only_accepted)
            measure_for_export(
                app,
                rows,
                measure,
                lambda measured: self.export(
                    fmt, out, include_unreviewed, only_accepted, selections=measured
                ),
                lambda exc: app.messages.report("Export failed", f"{out}: {exc}"),
            )
            return
        jobs: list[tuple[str, Any]] = []
        for key in formats:
            target = out / FOLDER_NAMES[key] if fmt == "all" else out
            if key == "aoef":
                write = prepare_aoef(session)  # built here, on the session's thread
                jobs.append((key, lambda w=write, t=target: w(t).paths))
                continue
            if selections is None:
                selections = table_rows(
                    session, include_unreviewed=include_unreviewed, only_accepted=only_accepted
                )
            jobs.append(
                (
                    key,
                    lambda k=key, t=target, s=selections: export(
                        session, k, t, include_unreviewed=include_unreviewed, selections=s
                    ),
                )
            )
        left_out = self._left_out()
        if left_out:
            table = left_out_target(out, formats)
            jobs.append(("left_out", lambda: [write_left_out(left_out, table)]))
        self._submit(
            out,
            f"Exporting to {out}…",
            lambda: {key: job() for key, job in jobs},
            lambda written: self._done(written, left_out),
        )

    def export_events(self, out: str | Path, only_accepted: bool = False) -> None:
        """Write the vocal events and their counts (``events.csv``, ``event_counts.csv``) into ``out``.

        As ``audioclass-gui report --what events`` writes them, with the
        window's thresholds and the events' gap (Events panel);
        ``only_accepted``: events of accepted windows only (``--accepted-only``).
        """
        from audioclass_gui.formats.deployment_reports import write_reports

        app = self._app
        session = app.document.session
        if session is None:
            return
        out, review = Path(out), app.review
        options = {
            "root": app.document.folder,
            "gap": app.event_review.gap,
            "threshold": review.threshold,
            "thresholds": dict(review.species_thresholds),
            "accepted_only": only_accepted,
        }
        self._submit(
            out,
            f"Exporting events to {out}…",
            lambda: {"events": write_reports(session, out, ("events",), **options)[0]},
            lambda written: self._done(written, []),
        )

    def export_clips(
        self, out: str | Path, options: ClipOptions | None = None, selected: bool = False
    ) -> None:
        """Write audio clips (:mod:`audioclass_gui.formats.clips`) into the folder ``out``.

        The clips are planned here, on the session's thread, and written by a
        task. ``selected``: only the selected detection (and its event) or
        box, whatever ``options`` say about ids.
        """
        from dataclasses import replace

        from audioclass_gui.formats.clips import (
            ClipOptions,
            plan_clips,
            write_clips,
        )
        from audioclass_gui.formats.exports import (
            CLIP_FORMAT,
            left_out_target,
            write_left_out,
        )

        app = self._app
        session = app.document.session
        if session is None:
            return
        out = Path(out)
        options = options or ClipOptions()
        if selected:
            review = app.review
            options = replace(
                options,
                ids=frozenset(() if review.selected is None else (review.selected,)),
                box_ids=frozenset(() if review.selected_box is None else (review.selected_box,)),
            )
        plan = plan_clips(session, options)
        left_out = self._left_out()
        table = left_out_target(out, (CLIP_FORMAT,))

        def write() -> tuple[ClipsWritten, dict[str, list[Path]]]:
            result = write_clips(plan, out)
            written = {CLIP_FORMAT: result.paths}
            if left_out:
                written["left_out"] = [write_left_out(left_out, table)]
            return result, written

        def done(outcome: tuple[ClipsWritten, dict[str, list[Path]]]) -> None:
            result, written = outcome
            if result.problems:
                app.messages.report(
                    "Some clips could not be made",
                    f"{result.problems} clip{'' if result.problems == 1 else 's'} could not be "
                    f"made (recording missing or unreadable); they are listed, with the "
                    f"reason, in {result.paths[-1]}",
                )
            self._done(written, left_out)
            app.messages.say(f"Wrote {result.clips} audio clips to {out}", 10000)

        self._submit(out, f"Writing {len(plan)} audio clips to {out}…", write, done)

    def _submit(
        self, out: Path, saying: str, work: Callable[[], Any], done: Callable[[Any], None]
    ) -> None:
        """Say ``saying`` and run ``work`` in the tasks; ``done`` gets its result, a failure is reported."""
        app = self._app
        app.messages.say(saying)
        app.tasks.submit(work, done, lambda exc: app.messages.report("Export failed", f"{out}: {exc}"))

    def _left_out(self) -> list:
        """The project's verdicts no export can place (recordings missing or changed)."""
        project = self._app.document.project
        return [g for g in project.left_out() if g.verdicts] if project is not None else []

    def _done(self, written: dict[str, list[Path]], left_out: list) -> None:
        app = self._app
        n = sum(len(paths) for key, paths in written.items() if key != "left_out")
        formats = ", ".join(k for k in written if k != "left_out")
        app.messages.say(f"Exported {n} file{'' if n == 1 else 's'} ({formats})", 10000)
        if left_out:
            project = app.document.project
            root = project.root if project is not None else None
            lines = "\n".join(f"• {g.describe(root)}" for g in left_out)
            app.messages.report(
                "Verdicts left out of the export",
                f"These verdicts are about recordings that are missing or changed, so "
                f"they are not in the export; they are listed in {written['left_out'][0]}:"
                f"\n{lines}",
            )
        self.finished.emit(written)


"""eBird checklists and iNaturalist observations of the open project, from the app model.

The files (:mod:`audioclass_gui.formats.checklists`) are made by a task
(the window's thread pool), as the activity charts are counted: the sites
CSV is read, the checklists counted and the files (and clips) written
there; the GUI thread only hands over the options and hears the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from psygnal import Signal

if TYPE_CHECKING:
    from audioclass_gui.app.model import AppModel
    from audioclass_gui.formats.checklists import ChecklistOptions

__all__ = ["SITES_NAME", "ChecklistExports"]

#: A sites CSV with this name in the project folder is offered by default.
SITES_NAME = "sites.csv"


class ChecklistExports:
    """Writes the open project's checklists through the app's tasks.

    Signals
    -------
    finished(object)
        ``(files, notes)`` once written.
    failed(str)
        Why nothing was written.
    """

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, app: AppModel) -> None:
        self._app = app

    def root(self) -> Path | None:
        """The project folder (sites are the recordings' folders below it); None: none."""
        document = self._app.document
        if document.project is None or document.implicit:
            return None
        return Path(document.project.root)

    def default_sites(self) -> Path | None:
        """The project folder's ``sites.csv``, when there is one."""
        root = self.root()
        found = root / SITES_NAME if root is not None else None
        return found if found is not None and found.is_file() else None

    def default_folder(self) -> Path:
        """Where the files go unless the user says: beside the project."""
        root = self.root()
        if root is not None:
            return root / "checklists"
        info = self._app.document.info
        return (info.path.parent if info is not None else Path.home()) / "checklists"

    def export(
        self,
        folder: str | Path,
        options: ChecklistOptions | None = None,
        sites_csv: str | Path | None = None,
    ) -> bool:
        """Write the checklists into ``folder``; False (and said) without a project."""
        from audioclass_gui.formats.checklists import export_checklists
        from audioclass_gui.formats.site_locations import read_sites_csv

        app = self._app
        session = app.document.session
        if session is None or not len(session):
            app.messages.report(
                "Nothing to write", "Open a project with detections (run a model) first."
            )
            return False
        folder, root = Path(folder), self.root()

        def work():
            sites = read_sites_csv(sites_csv) if sites_csv else {}
            return export_checklists(session, folder, options, root=root, sites=sites)

        def done(result) -> None:
            files, notes = result
            app.messages.say(f"Wrote eBird checklists and iNaturalist observations to {folder}", 10000)
            if notes:
                app.messages.report(
                    "Checklists written: please read", "\n".join(f"• {n}" for n in notes)
                )
            self.finished.emit(result)

        def fail(exc: BaseException) -> None:
            app.messages.report("Checklists not written", f"{folder}: {exc}")
            self.failed.emit(str(exc))

        app.messages.say(f"Writing checklists to {folder}…")
        app.tasks.submit(work, done, fail)
        return True

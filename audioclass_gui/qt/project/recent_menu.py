"""File › Open Recent: the last recordings and projects opened.

The list is kept by :class:`~audioclass_gui.project.recent.RecentStore` in
the app's data folder; it is read in the task runner and written by a
writer thread of its own, which the program waits for on quitting (the task
runner drops work not yet started when the window closes). A
recording is remembered when it is shown on its own, a project (folder or
project file) when it opens; choosing an entry opens it as File › Open
recording or Open folder as project would.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from audioclass_gui.project.recent import RecentStore, remember
from audioclass_gui.qt.menus import find_menu

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from audioclass_gui.app import AppModel
    from audioclass_gui.project import ReviewProject

__all__ = ["RecentMenu", "entry_text"]


def entry_text(path: Path, number: int) -> str:
    """The menu text of an entry: ``&1 name — folder`` (``&`` in names doubled)."""
    name = path.name or str(path)
    if not path.suffix:  # a folder reviewed as a project
        name += " (folder)"
    text = f"{name} — {path.parent}".replace("&", "&&")
    return f"&{number % 10} {text}" if number <= 10 else text


def _write(store: RecentStore, entries: list[Path], generation: int) -> None:
    """Write the list (writer thread); a failure is only logged: the list is a convenience."""
    try:
        store.save(entries, generation)
    except OSError as exc:
        print(f"audioclass-gui: the list of recent files was not saved: {exc}", file=sys.stderr)


class RecentMenu(QObject):
    """The File › Open Recent submenu of a window.

    Signals
    -------
    changed(list)
        The list now shown (paths, most recent first), after each change.
    """

    changed = Signal(list)

    def __init__(
        self,
        app: AppModel,
        window: QMainWindow,
        before: QAction,
        store: RecentStore | None = None,
    ) -> None:
        super().__init__(window)
        self.app = app
        self.store = store if store is not None else RecentStore()
        self.entries: list[Path] = []
        self._generation = 0
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="acg-recent")
        self._loaded = False
        self._early: list[Path] = []  # opened before the list was read
        file_menu = find_menu(window, "&File")
        self.menu = QMenu("Open &Recent", window)
        self.menu.setObjectName("recent-menu")
        self.menu.setToolTipsVisible(True)
        file_menu.insertMenu(before, self.menu)
        self._rebuild()
        app.document.events.project.connect(self._on_project_opened)
        app.recording_opened.connect(self._on_recording_opened)
        app.tasks.submit(self.store.load, self._on_loaded)

    # ------------------------------------------------------------- events
    def _on_loaded(self, entries: list[Path]) -> None:
        self._loaded = True
        self.entries = entries
        early, self._early = self._early, []
        for path in reversed(early):
            self.entries = remember(self.entries, path)
        if early:
            self._save()
        self._rebuild()

    def _on_project_opened(self, project: ReviewProject | None) -> None:
        document = self.app.document
        if project is not None and not document.implicit:
            self.add(document.opened_path or project.root)

    def _on_recording_opened(self, info) -> None:
        document = self.app.document
        if document.project is None or document.implicit:
            self.add(info.path)

    # -------------------------------------------------------------- list
    def add(self, path: str | Path) -> None:
        """Put ``path`` at the top of the list (and keep the list)."""
        path = Path(path).absolute()
        if self.entries and self.entries[0] == path:
            return
        if not self._loaded:
            self._early.insert(0, path)
            return
        self.entries = remember(self.entries, path)
        self._save()
        self._rebuild()

    def remove(self, path: Path) -> None:
        """Drop an entry (a file that is gone)."""
        self.entries = [p for p in self.entries if p != path]
        self._save()
        self._rebuild()

    def clear(self) -> None:
        """Forget every entry (the reviews themselves are kept)."""
        self.entries = []
        self._save()
        self._rebuild()

    def open(self, path: Path) -> None:
        """Open an entry; a file or folder that is gone is said and dropped."""
        app = self.app
        app.tasks.submit(
            path.exists,
            lambda there: app.request_open(path) if there else self._gone(path),
        )

    def _gone(self, path: Path) -> None:
        self.remove(path)
        self.app.messages.report(
            "Cannot open", f"{path}: no such file or folder any more; removed from Open Recent."
        )

    def _save(self) -> None:
        self._generation += 1
        try:
            self._writer.submit(_write, self.store, list(self.entries), self._generation)
        except RuntimeError:  # the window closed meanwhile
            pass

    def _rebuild(self) -> None:
        menu = self.menu
        menu.clear()
        for number, path in enumerate(self.entries, start=1):
            action = QAction(entry_text(path, number), menu)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.setData(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.open(p))
            menu.addAction(action)
        if self.entries:
            menu.addSeparator()
        clear = menu.addAction("&Clear list", self.clear)
        clear.setEnabled(bool(self.entries))
        menu.setEnabled(True)
        self.changed.emit(list(self.entries))

    def close(self) -> None:
        """The window closes: writes already asked for still finish, then the writer stops."""
        self._writer.shutdown(wait=False)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until the list is written (tests); True if it was in time."""
        done, _ = wait([self._writer.submit(lambda: None)], timeout)
        return bool(done)

    def entry_actions(self) -> list[QAction]:
        """The entries' actions, in menu order (without *Clear list*)."""
        return [a for a in self.menu.actions() if a.data()]

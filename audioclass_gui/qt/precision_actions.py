"""What the Precision per species dialog does with its thresholds: apply them, save them.

:class:`ThresholdActions` is mixed into
:class:`~audioclass_gui.qt.precision_dialog.PrecisionDialog`: "Apply to
detection list" hands the per-species thresholds reaching the target to
the window, and "Save thresholds CSV…" writes them (atomically, off the
GUI thread when the dialog has a runner).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from audioclass_gui.formats.thresholds import write_thresholds_csv

__all__ = ["ThresholdActions"]


class ThresholdActions:
    """Apply and save for a dialog with ``target``, ``status``, ``folder``,
    ``runner``, ``_rows``, ``thresholds()`` and the signals
    ``apply_requested``, ``saved`` and ``failed``."""

    def apply(self) -> dict[str, float]:
        """Apply the thresholds reaching the target to the detection list (emits apply_requested)."""
        thresholds = self.thresholds()
        if not thresholds:
            self.status.setText(
                f"No species reaches {self.target.value():.2f}: nothing to apply."
            )
            return {}
        self.apply_requested.emit(thresholds, f"precision ≥ {self.target.value():.2f}")
        self.status.setText(
            f"Applied {len(thresholds)} per-species thresholds to the list."
        )
        return thresholds

    def ask_save(self) -> None:
        """Ask where to save the thresholds CSV, then write it."""
        name = f"thresholds_precision_{round(self.target.value() * 100):02d}.csv"
        start = str(self.folder / name) if self.folder else name
        path, _ = QFileDialog.getSaveFileName(
            self, "Save thresholds CSV", start, "CSV (*.csv)"
        )
        if path:
            self.save(path)

    def save(self, path: str | Path) -> None:
        """Write the table's thresholds to ``path`` (atomically, in the runner when there is one)."""
        path = Path(path)
        rows = list(self._rows)
        self.status.setText(f"Saving {path.name}…")
        if self.runner is None:
            try:
                write_thresholds_csv(path, rows)
            except OSError as exc:
                self._save_failed(path, exc)
            else:
                self._saved(path, len(rows))
            return
        self.runner.submit(
            lambda: write_thresholds_csv(path, rows),
            lambda _p: self._saved(path, len(rows)),
            lambda exc: self._save_failed(path, exc),
        )

    def _saved(self, path: Path, n: int) -> None:
        self.status.setText(f"Saved {n} species to {path.name}.")
        self.saved.emit(path)

    def _save_failed(self, path: Path, exc: BaseException) -> None:
        self.status.setText(f"Not saved: {path.name}")
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        self.failed.emit(f"{path}: the thresholds CSV was not written ({reason})")

"""Reference examples beside the selection: verified calls of its species, to compare.

:class:`ReferenceExamples` follows the review's selection (a detection, or
a box tagged with a species) and lists the best verified calls of the same
species in the open project (see
:class:`~audioclass_gui.review.reference_examples.ReferenceFinder`), the
selected one left out. Their spectrogram thumbnails are computed in the
task runner and kept in a byte-bounded LRU cache, so stepping through
detections of one species computes each thumbnail once. A panel shows
:attr:`ReferenceExamples.current` and sends :meth:`~ReferenceExamples.play`.

Nothing is computed while no panel shows the examples (:meth:`set_active`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from psygnal import Signal

from audioclass_gui.app.playback_state import PlayClip
from audioclass_gui.review.reference_examples import (
    DEFAULT_COUNT,
    ReferenceExample,
    ReferenceFinder,
)

if TYPE_CHECKING:
    from audioclass_gui.app.model import AppModel
    from audioclass_gui.review import ReviewSession
    from audioclass_gui.spectrogram.cache import TileCache
    from audioclass_gui.spectrogram.params import SpectrogramParams
    from audioclass_gui.spectrogram.thumbnails import (
        Thumbnail,
        ThumbnailRequest,
    )

__all__ = ["THUMBNAIL_CACHE_BYTES", "ReferenceExamples", "ReferenceList", "request_of"]

#: Memory kept for thumbnails (about 300 of them at the default size).
THUMBNAIL_CACHE_BYTES = 32 * 2**20


@dataclass(frozen=True)
class ReferenceList:
    """What the reference panel shows.

    Attributes
    ----------
    scientific_name
        The selection's species ("" when nothing, or an untagged box, is selected).
    common_name
        Its common name ("" when unknown).
    examples
        The verified calls, best first.
    selection
        What is selected: ``"detection"``, ``"box"`` or None.
    """

    scientific_name: str = ""
    common_name: str = ""
    examples: list[ReferenceExample] = field(default_factory=list)
    selection: str | None = None

    @property
    def species_label(self) -> str:
        """The species as the window names it: the common name, else the scientific one."""
        return self.common_name or self.scientific_name


def request_of(example: ReferenceExample) -> ThumbnailRequest:
    """The thumbnail request of an example: its span, and its band if it is a box."""
    from audioclass_gui.spectrogram.thumbnails import ThumbnailRequest

    return ThumbnailRequest.of(
        example.recording, example.start, example.end, example.low_freq, example.high_freq
    )


class ReferenceExamples:
    """The selection's species' verified calls and their thumbnails, without Qt.

    Parameters
    ----------
    app
        The app model: its document (the session), review (the selection),
        tasks (where thumbnails are computed) and playback (what plays).
    count
        How many examples to list.

    Signals
    -------
    changed(object)
        A new :class:`ReferenceList` (the selection's species or its verified calls changed).
    thumbnail_ready(object)
        A :class:`~audioclass_gui.spectrogram.thumbnails.Thumbnail` computed
        (with a tile, or with the problem that kept it from being made).
    """

    changed = Signal(object)
    thumbnail_ready = Signal(object)

    def __init__(self, app: AppModel, count: int = DEFAULT_COUNT) -> None:
        from audioclass_gui.spectrogram.cache import TileCache

        self._app = app
        self.count = count
        #: Whether a panel shows the examples (nothing is computed otherwise).
        self.active = False
        #: What the panel shows.
        self.current = ReferenceList()
        self._finder: ReferenceFinder | None = None
        self._session: ReviewSession | None = None
        self._cache: TileCache[Thumbnail] = TileCache(THUMBNAIL_CACHE_BYTES)
        # Thumbnails being computed -> the generation (list) they were asked for.
        self._pending: dict[tuple[ThumbnailRequest, SpectrogramParams], int] = {}
        self._generation = 0
        app.review.selection_changed.connect(self._on_selection)
        app.review.box_selection_changed.connect(self._on_selection)
        app.document.events.session.connect(self._on_session)

    # ------------------------------------------------------------ state
    def set_active(self, active: bool) -> None:
        """Compute examples only while a panel shows them; becoming active refreshes."""
        self.active = bool(active)
        if self.active:
            self.refresh()

    def refresh(self) -> None:
        """List the examples of the selection's species again (emits ``changed``)."""
        if not self.active:
            return
        app, finder = self._app, self._finder_of(self._app.document.session)
        review = app.review
        name, selection = "", None
        if finder is not None and review.selected_box is not None:
            box = finder.session.box(review.selected_box)
            if box is not None:
                name, selection = box.scientific_name, "box"
        elif finder is not None and review.selected is not None:
            try:
                name = finder.session.effective_name(review.selected)
                selection = "detection"
            except (KeyError, IndexError):
                name = ""
        examples: list[ReferenceExample] = []
        if finder is not None and name:
            examples = finder.examples(
                name,
                self.count,
                exclude_detection=review.selected if selection == "detection" else None,
                exclude_box=review.selected_box if selection == "box" else None,
            )
        common = finder.session.common_name(name) if finder is not None and name else ""
        new = ReferenceList(name, common, examples, selection)
        if new != self.current:
            self._generation += 1  # thumbnails still queued for the old list are skipped
            self.current = new
            self.changed.emit(new)

    # ------------------------------------------------------- thumbnails
    def thumbnail(self, example: ReferenceExample, params: SpectrogramParams) -> Thumbnail | None:
        """The example's thumbnail if computed; else None, and it is computed in the task runner.

        ``thumbnail_ready`` says when it is there. A recording that cannot be
        read gives a thumbnail with a problem (not kept: the file may come back).
        """
        from audioclass_gui.spectrogram.thumbnails import Thumbnail, compute_thumbnail

        request = request_of(example)
        key = (request, params)
        cached = self._cache.get(key)
        generation = self._generation
        if cached is not None or self._pending.get(key) == generation:
            return cached
        self._pending[key] = generation

        def job() -> Thumbnail | None:
            if generation != self._generation:  # the list moved on meanwhile
                return None
            return compute_thumbnail(request, params)

        def settle() -> None:
            if self._pending.get(key) == generation:
                del self._pending[key]

        def done(thumb: Thumbnail | None) -> None:
            settle()
            if thumb is None:
                return
            if thumb.tile is not None:
                self._cache.put(key, thumb)
            self.thumbnail_ready.emit(thumb)

        def failed(exc: BaseException) -> None:
            settle()
            self.thumbnail_ready.emit(Thumbnail(request, problem=f"{request.path}: {exc}"))

        self._app.tasks.submit(job, done, failed)
        return None

    @property
    def cached_thumbnails(self) -> int:
        """How many thumbnails the cache holds."""
        return len(self._cache)

    # ---------------------------------------------------------- intents
    def play(self, example: ReferenceExample) -> None:
        """Play an example (from its own recording, with the Playback panel's context)."""
        self._app.playback.play_clip(
            PlayClip(example.recording, example.start, example.end,
                     example.low_freq, example.high_freq)
        )

    # ---------------------------------------------------------- internal
    def _finder_of(self, session: ReviewSession | None) -> ReferenceFinder | None:
        if session is None:
            return None
        if self._finder is None or self._finder.session is not session:
            self._finder = ReferenceFinder(session)
        return self._finder

    def _on_selection(self, _id: object) -> None:
        self.refresh()

    def _on_session(self, session: ReviewSession | None) -> None:
        old = self._session
        if old is not None:
            old.status_changed.disconnect(self._on_verdicts)
            old.boxes_changed.disconnect(self._on_boxes)
            old.detections_added.disconnect(self._on_added)
            old.cleared.disconnect(self._on_changed)
        self._session = session
        if session is not None:
            session.status_changed.connect(self._on_verdicts)
            session.boxes_changed.connect(self._on_boxes)
            session.detections_added.connect(self._on_added)
            session.cleared.connect(self._on_changed)
        self._finder = None
        self.refresh()

    def _on_verdicts(self, ids: list[int]) -> None:
        if self._finder is not None:
            self._finder.update(ids)
        self.refresh()

    def _on_boxes(self, _ids: list[str]) -> None:
        self.refresh()  # boxes are read at every listing

    def _on_added(self, detections: object) -> None:
        """New detections (a run's batch) may carry remembered verdicts: read only them."""
        ids = getattr(detections, "ids", None)
        if ids is None or self._finder is None:
            self._on_changed()
            return
        self._finder.update(ids)
        self.refresh()

    def _on_changed(self, *_args: object) -> None:
        """The detections were dropped: the verified calls are read again."""
        if self._finder is not None:
            self._finder.invalidate()
        self.refresh()

"""Give the verdicts shown in the README's species and precision screenshots.

The verdicts are a reviewer's reading of birds_10s.wav (a recording from
Pennsylvania with North American warblers): the warblers the data notes name
in each window are accepted; species that do not occur in North America are rejected; the rest are left open, as in a review still under way. Run by
make_screenshots.sh.
"""

from __future__ import annotations

import sys

from audioclass_gui.project import ReviewProject
from audioclass_gui.project.identity import make_reviewer, save_reviewer
from audioclass_gui.review import Status

#: (window start, scientific name) heard in the recording.
PRESENT = {
    (0.0, "Setophaga castanea"),
    (3.0, "Leiothlypis peregrina"),
    (6.0, "Setophaga fusca"),
}
#: Neotropical species BirdNET suggests here; they do not occur in Pennsylvania.
NOT_HERE = {
    "Crypturellus soui",  # Little Tinamou
    "Dromococcyx phasianellus",  # Pheasant Cuckoo
}


def verdict(start: float, name: str) -> Status:
    """Accept what is there, reject what cannot be, leave the rest open."""
    if (start, name) in PRESENT:
        return Status.ACCEPTED
    if name in NOT_HERE:
        return Status.REJECTED
    return Status.UNREVIEWED


def main(folder: str) -> None:
    save_reviewer(make_reviewer("Screenshot reviewer"))
    project = ReviewProject.open(folder)
    try:
        session = project.session
        groups: dict[Status, list[int]] = {}
        for d in session.detections():
            groups.setdefault(verdict(d.start, d.scientific_name), []).append(d.id)
        for status, ids in groups.items():
            if status != Status.UNREVIEWED:
                session.set_status(ids, status)
        counts = {status.value: len(ids) for status, ids in groups.items()}
        print(f"review_for_screenshots: {counts}", file=sys.stderr)
    finally:
        project.close()


if __name__ == "__main__":
    main(sys.argv[1])

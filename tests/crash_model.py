"""A model that kills the process running it once, for worker-crash tests.

Process pools import it by module path (``tests.crash_model``); dask workers
get it by value (``cloudpickle.register_pickle_by_value``).
"""

from __future__ import annotations

import os

from audioclass_gui.models.energy import BandEnergyDetector


class CrashOnce(BandEnergyDetector):
    """The energy detector, except that the first window it sees in the whole
    test kills its process (``os._exit``, as a segfault or an out-of-memory
    kill would). The pid of the process that died is written to ``marker``."""

    def __init__(self, marker: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.marker = marker

    def process_array(self, array):
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return super().process_array(array)
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        os._exit(13)

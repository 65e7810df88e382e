"""RunSettings: validation, species lists, provenance round trip, wrapping."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from soundevent import data, io, terms

from audioclass_gui.audio.info import read_info, to_recording
from audioclass_gui.formats import model_run_from_predictions
from audioclass_gui.models import (
    BandEnergyDetector,
    ClipClassificationModel,
    RunSettings,
    WrappedModel,
    build_class_filter,
    common_names,
    create_model,
    iter_predictions,
    read_common_names,
    read_species_list,
    wrap_model,
)
from audioclass_gui.models.filters import resolve_location, week_48
from tests.conftest import write_calls


def test_defaults_and_validation() -> None:
    s = RunSettings()
    assert (s.threshold, s.top_k, s.overlap_seconds, s.channel, s.species_list) == (
        None,
        None,
        0.0,
        None,
        None,
    )
    assert s.location_threshold == 0.03
    with pytest.raises(ValueError, match="both latitude and longitude"):
        RunSettings(latitude=10.0)
    with pytest.raises(ValueError, match="week must be 1-48 or -1"):
        RunSettings(latitude=1.0, longitude=2.0, week=49)
    with pytest.raises(ValueError, match="end .* must be after start"):
        RunSettings(start=5.0, end=2.0)
    with pytest.raises(ValueError, match="sensitivity"):
        RunSettings(sensitivity=3.0)
    with pytest.raises(ValueError, match="top_k"):
        RunSettings(top_k=0)
    # lists become tuples, so the settings stay hashable and frozen
    s = RunSettings(species_list=["Setophaga fusca"])
    assert s.species_list == ("Setophaga fusca",)
    assert hash(s) == hash(RunSettings(species_list=("Setophaga fusca",)))


def test_read_species_list_formats(tmp_path: Path) -> None:
    path = tmp_path / "species.txt"
    path.write_text(
        "# my site\n"
        "Setophaga fusca_Blackburnian Warbler\n"
        "\n"
        "  Leiothlypis   peregrina  \n"
        "Setophaga fusca\n"
        "Dog_Dog\n",
        encoding="utf-8",
    )
    assert read_species_list(path) == (
        "Setophaga fusca",
        "Leiothlypis peregrina",
        "Dog",
    )
    settings = RunSettings().with_species_file(path)
    assert settings.species_list_name == "species.txt"


@pytest.mark.parametrize(
    ("text", "line"),
    [("Setophaga fusca\nblackburnian warbler\n", 2), ("12,34\n", 1)],
)
def test_read_species_list_names_the_bad_line(
    tmp_path: Path, text: str, line: int
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        ValueError, match=rf"bad\.txt, line {line}: .* not a scientific name"
    ):
        read_species_list(path)


def test_read_species_list_empty_or_missing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="empty.txt: the species list is empty"):
        read_species_list(empty)
    with pytest.raises(ValueError, match="missing.txt: cannot read"):
        read_species_list(tmp_path / "missing.txt")


def test_week_and_location_resolution(calls_wav: Path) -> None:
    import datetime as dt

    assert week_48(dt.date(2023, 1, 1)) == 1
    assert week_48(dt.date(2023, 12, 31)) == 48
    assert week_48(dt.date(2023, 5, 15)) == 18
    rec = to_recording(read_info(calls_wav)).model_copy(
        update={"latitude": 40.4, "longitude": -80.0, "date": dt.date(2023, 5, 15)}
    )
    where = resolve_location(RunSettings(latitude=-30.0, longitude=150.0), rec)
    assert (where.latitude, where.longitude, where.week, where.source) == (
        40.4,
        -80.0,
        18,
        "recording",
    )
    where = resolve_location(
        RunSettings(
            latitude=-30.0, longitude=150.0, week=5, use_recording_location=False
        ),
        rec,
    )
    assert (where.latitude, where.week, where.source) == (-30.0, 5, "settings")
    assert resolve_location(RunSettings(), to_recording(read_info(calls_wav))) is None


def test_provenance_round_trips_through_a_saved_model_run(
    tmp_path: Path, calls_wav: Path
) -> None:
    model = BandEnergyDetector()
    settings = RunSettings(
        threshold=0.3,
        top_k=2,
        overlap_seconds=0.5,
        channel=0,
        start=1.0,
        end=11.0,
        species_list=(model.tags[0].value,),
        species_list_name="band.txt",
        latitude=40.4,
        longitude=-80.0,
        week=20,
        language="de",
        batch_size=4,
        num_threads=1,
    )
    rec = to_recording(read_info(calls_wav))
    predictions = [
        p for step in iter_predictions(model, rec, settings) for p in step.predictions
    ]
    provenance = settings.to_provenance(model, rec)
    json.dumps(provenance)  # JSON-able as it is
    assert provenance["model_info"]["name"] == model.name
    assert provenance["model_version"] == model.version
    assert provenance["effective"]["hop_seconds"] == pytest.approx(0.5)
    # the energy detector has no location model: recorded, not applied
    assert provenance["filters"]["location"]["applied"] is False
    assert provenance["filters"]["species_list"]["matched"] == 1

    run = model_run_from_predictions(
        predictions, name=model.name, provenance=provenance
    )
    path = tmp_path / "run.json"
    io.save(run, path)
    loaded = io.load(path, type="model_run")
    assert loaded.model.version == model.version
    back = RunSettings.from_provenance(json.loads(loaded.description))
    assert back == settings
    assert RunSettings.from_provenance(
        {"settings": {"top_k": 3, "future": 1}}
    ) == RunSettings(top_k=3)
    with pytest.raises(ValueError, match="no run settings"):
        RunSettings.from_provenance({"model": "x"})


class DuckModel:
    """Follows the interface by shape only (like an audioclass model)."""

    name = "Duck"
    samplerate = 16_000
    input_samples = 16_000
    num_classes = 3
    version = "7"

    def __init__(self) -> None:
        self.tags = [
            data.Tag(term=terms.scientific_name, value=v)
            for v in ("Anas platyrhynchos", "Aythya fuligula", "Mergus merganser")
        ]
        self.calls = 0

    def process_array(self, array: np.ndarray):
        self.calls += 1
        rms = np.sqrt(np.mean(np.asarray(array, np.float64) ** 2, axis=1))
        level = np.clip(rms * 10, 0, 1)
        probs = np.stack([level, 1 - level, np.full_like(level, 0.5)], axis=1)
        return probs, None  # a plain pair, no features

    def common_name(self, tag: data.Tag) -> str | None:
        return {"Anas platyrhynchos": "Mallard"}.get(tag.value)


def test_wrap_model_runs_a_duck_typed_model(calls_wav: Path) -> None:
    duck = DuckModel()
    assert not isinstance(duck, ClipClassificationModel)
    model = wrap_model(duck)
    assert isinstance(model, WrappedModel)
    assert wrap_model(model) is model
    assert (model.name, model.version, model.samplerate) == ("Duck", "7", 16_000)
    rec = to_recording(read_info(calls_wav))  # 12 s at 32 kHz: resampled to 16 kHz
    settings = RunSettings(threshold=0.4, top_k=1, overlap_seconds=0.5)
    preds = [p for s in iter_predictions(model, rec, settings) for p in s.predictions]
    assert duck.calls > 0
    assert len(preds) == 23  # 1 s windows every 0.5 s over 12 s
    assert all(len(p.tags) == 1 for p in preds)  # top-1 of the classes >= 0.4
    assert preds[3].clip.start_time == pytest.approx(1.5)
    assert common_names(model)["Anas platyrhynchos"] == "Mallard"
    assert "sensitivity" not in dir(model) and not hasattr(model, "sensitivity")


def test_wrap_model_rejects_what_is_not_a_model() -> None:
    class Half:
        name = "half"
        samplerate = 8000

    with pytest.raises(
        TypeError, match="lacks input_samples, num_classes, tags, process_array"
    ):
        wrap_model(Half())


def test_species_list_matches_no_class_is_an_error(calls_wav: Path) -> None:
    model = BandEnergyDetector()
    with pytest.raises(ValueError, match="none of the 1 species in birds.txt"):
        build_class_filter(
            model,
            RunSettings(
                species_list=("Setophaga fusca",), species_list_name="birds.txt"
            ),
        )


def test_common_names_from_a_generated_label_file(tmp_path: Path, monkeypatch) -> None:
    model = wrap_model(DuckModel())
    labels = tmp_path / "ducks_de.txt"
    labels.write_text(
        "Anas platyrhynchos_Stockente\nAythya fuligula_Reiherente\nNot here_Nix\n",
        encoding="utf-8",
    )
    names = common_names(model, RunSettings(labels_file=str(labels)))
    assert names == {"Anas platyrhynchos": "Stockente", "Aythya fuligula": "Reiherente"}
    assert read_common_names(labels)["Not here"] == "Nix"
    # by language code, from the labels folder named by the environment
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / "labels_fr.txt").write_text(
        "Anas platyrhynchos_Canard colvert\n", encoding="utf-8"
    )
    monkeypatch.setenv("AUDIOCLASS_GUI_LABELS_DIR", str(folder))
    names = common_names(model, RunSettings(language="fr"))
    assert names["Anas platyrhynchos"] == "Canard colvert"
    with pytest.raises(
        ValueError, match="no 'es' label file for Duck; looked in: .*labels"
    ):
        common_names(model, RunSettings(language="es"))
    bad = tmp_path / "bad.txt"
    bad.write_text("Anas platyrhynchos Stockente\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.txt, line 1"):
        common_names(model, RunSettings(labels_file=str(bad)))


def test_create_model_passes_construction_settings() -> None:
    model = create_model("energy", RunSettings(batch_size=3, num_threads=2))
    assert model.batch_size == 3  # the energy detector takes no num_threads


def test_legacy_keywords_still_work(tmp_path: Path) -> None:
    path = write_calls(tmp_path / "two.wav", channels=2)
    model = BandEnergyDetector()
    rec = to_recording(read_info(path))
    old = [
        p
        for s in iter_predictions(model, rec, start=2.0, end=8.0, channel=1)
        for p in s.predictions
    ]
    new = [
        p
        for s in iter_predictions(
            model, rec, RunSettings(start=2.0, end=8.0, channel=1)
        )
        for p in s.predictions
    ]
    assert [p.clip.start_time for p in old] == [p.clip.start_time for p in new]
    assert [p.clip.start_time for p in old] == pytest.approx([2, 3, 4, 5, 6, 7])


DUCK_PLUGIN = '''
"""A plugin whose model only follows the interface by shape."""

import numpy as np
from soundevent import data

TERM = data.Term(name="duck:loud", label="Loud", definition="Loud or not.")


class DuckLoudness:
    name = "Duck loudness"
    samplerate = 8000
    input_samples = 4000
    num_classes = 1
    confidence_threshold = 0.5

    def __init__(self, **options):
        self.options = options
        self.tags = [data.Tag(term=TERM, value="loud")]

    def process_array(self, array):
        rms = np.sqrt(np.mean(array.astype(np.float64) ** 2, axis=1))
        return (rms > 0.1).astype(np.float32)[:, None], None


def make(**options):
    """A duck-typed loudness model."""
    return DuckLoudness(**options)
'''


def test_plugin_returning_a_duck_typed_model_is_wrapped_and_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.plugin_dist import make_distribution

    root = tmp_path / "site"
    root.mkdir()
    make_distribution(
        root, "duck-plugin", "duck_plugin", DUCK_PLUGIN, "duck = duck_plugin:make"
    )
    monkeypatch.syspath_prepend(str(root))
    rate = 16000
    x = np.zeros(2 * rate, np.float32)
    x[rate // 2 : rate] = 0.5
    path = tmp_path / "loud.wav"
    sf.write(path, x, rate)
    settings = RunSettings(batch_size=2, overlap_seconds=0.25, threshold=0.5)
    model = create_model("duck", settings)
    assert isinstance(model, WrappedModel)
    assert model.inner.options == {"batch_size": 2}  # construction fields it takes
    preds = _collect(model, to_recording(read_info(path)), settings)
    assert [p.clip.start_time for p in preds] == pytest.approx(
        [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5]
    )
    assert [bool(p.tags) for p in preds] == [
        False,
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def _collect(model, recording, settings):
    return [
        p
        for step in iter_predictions(model, recording, settings)
        for p in step.predictions
    ]

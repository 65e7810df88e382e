"""Playback building blocks without a device: ring, marks, filters, resampler, feeder."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import sosfilt, sosfilt_zi, sosfreqz

from audioclass_gui.audio.feeder import RING_SECONDS, SpanFeeder, ring_for
from audioclass_gui.audio.info import read_info
from audioclass_gui.audio.playback_dsp import (
    BlockFilter,
    PlaybackOptions,
    StreamResampler,
    design_filter,
    linear_gain,
    settle_seconds,
    virtual_rate,
)
from audioclass_gui.audio.reader import read_window
from audioclass_gui.audio.ring import Marks, Ring

# --- ring --------------------------------------------------------------------


def test_ring_passes_frames_through_in_order_across_wraps() -> None:
    rng = np.random.default_rng(1)
    source = rng.uniform(-1, 1, 10_000).astype(np.float32)
    ring = Ring(capacity=700, keep=100)
    out, pos = [], 0
    while pos < source.size or ring.read < ring.written:
        n = min(int(rng.integers(1, 400)), ring.space(), source.size - pos)
        if n > 0:
            ring.write(source[pos : pos + n])
            pos += n
        if pos == source.size:
            ring.finish()
        block = np.full((int(rng.integers(1, 300)), 2), np.nan, np.float32)
        before = ring.read
        done = ring.fill(block, block.shape[0])
        got = ring.read - before
        assert not block[got:].any()  # zero-filled after what it had
        out.append(block[:got])
        if done:
            break
    got = np.concatenate(out)
    assert got.shape[1] == 2  # mono broadcast to both channels
    np.testing.assert_array_equal(got[:, 0], source)
    np.testing.assert_array_equal(got[:, 1], source)
    assert ring.reached_end


def test_ring_counts_underruns_and_keeps_frames_for_rewind() -> None:
    ring = Ring(capacity=100, keep=30)
    assert ring.space() == 100
    ring.write(np.arange(60, dtype=np.float32))
    out = np.zeros((50, 1), np.float32)
    assert ring.fill(out, 50) is False
    # 10 frames left unread, 30 kept behind the read position: 60 free.
    assert ring.space() == 100 - (60 - 20)
    with pytest.raises(ValueError):
        ring.write(np.zeros(ring.space() + 1, np.float32))
    out = np.full((20, 1), 7.0, np.float32)
    assert ring.fill(out, 20) is False
    assert ring.underrun_frames == 10 and not out[10:].any()
    assert ring.rewind(25) == 25 and ring.read == 35
    out = np.zeros((5, 1), np.float32)
    ring.fill(out, 5)
    np.testing.assert_array_equal(out[:, 0], np.arange(35, 40))
    assert ring.rewind(1000) == 30  # never more than it keeps


def test_marks_find_the_pass_a_frame_belongs_to() -> None:
    marks = Marks(size=4)
    assert marks.lookup(0) is None
    for k in range(10):
        marks.add(k * 100, 0)
    assert marks.lookup(950) == (900, 0)
    assert marks.lookup(701) == (700, 0)
    assert marks.lookup(100) is None  # overwritten long ago


# --- filters, gain, resampler ------------------------------------------------


def test_band_filter_keeps_the_band_and_cuts_outside() -> None:
    sos = design_filter(32000, (4000.0, 8000.0))
    w, h = sosfreqz(sos, worN=[1000, 2000, 6000, 12000, 15000], fs=32000)
    db = 20 * np.log10(np.abs(h))
    assert abs(db[2]) < 0.5  # 6 kHz, in the band
    assert db[0] < -60 and db[1] < -30 and db[3] < -20 and db[4] < -40
    assert design_filter(32000) is None
    assert design_filter(32000, (0.0, 16000.0)) is None  # the whole band: nothing to do
    low_only = design_filter(32000, (0.0, 3000.0))
    hp = design_filter(32000, None, 200.0)
    _, h = sosfreqz(low_only, worN=[500, 9000], fs=32000)
    assert abs(h[0]) > 0.99 and abs(h[1]) < 0.01
    _, h = sosfreqz(hp, worN=[50, 2000], fs=32000)
    assert abs(h[0]) < 0.01 and abs(h[1]) > 0.99
    both = design_filter(32000, (1000.0, 4000.0), 200.0)
    assert (
        both.shape[0] == design_filter(32000, (1000.0, 4000.0)).shape[0] + hp.shape[0]
    )


def test_block_filter_joins_blocks_without_clicks() -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal(20_000).astype(np.float32)
    sos = design_filter(32000, (500.0, 3000.0), 100.0)
    whole, _ = sosfilt(sos, x.astype(np.float64), zi=sosfilt_zi(sos) * x[0])
    flt = BlockFilter(sos)
    cuts = [0, 1, 7, 1000, 1001, 5000, 12_345, 20_000]
    blocks = [flt.process(x[a:b]) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
    np.testing.assert_allclose(np.concatenate(blocks), whole, atol=1e-6)


def test_gain_speed_and_settling_rules() -> None:
    assert linear_gain(0.0) == 1.0
    assert linear_gain(20.0) == pytest.approx(10.0)
    assert linear_gain(0.0, peak=0.5) == pytest.approx(10 ** (-1 / 20) / 0.5)
    assert linear_gain(6.0, peak=0.0) == pytest.approx(
        10 ** (6 / 20)
    )  # silence stays silent
    assert virtual_rate(32000, 0.5) == 16000
    assert virtual_rate(44100, 0.05) == 2205
    # Already expanded: speed 1 is the stored rate, other speeds go from there.
    assert virtual_rate(38400, 1.0, time_expansion=10.0) == 38400
    assert virtual_rate(38400, 0.5, time_expansion=10.0) == 19200
    assert settle_seconds(None, None) == 0.0
    assert settle_seconds((1000.0, 2000.0), None) == pytest.approx(0.008)
    assert settle_seconds(None, 10.0) == 0.5


@pytest.mark.parametrize(
    "kwargs",
    [
        {"speed": 0.01},
        {"speed": 2.5},
        {"band": (3000, 1000)},
        {"band": (-1, 10)},
        {"highpass": -5.0},
        {"gain_db": 60.0},
        {"output_rate": 0},
    ],
)
def test_options_reject_nonsense(kwargs) -> None:
    with pytest.raises(ValueError):
        PlaybackOptions(**kwargs)


def test_stream_resampler_keeps_time_and_pitch() -> None:
    sr_in, sr_out = 800, 44100
    t = np.arange(8000) / sr_in
    x = (0.5 * np.sin(2 * np.pi * 50 * t)).astype(np.float32)
    rs = StreamResampler(sr_in, sr_out)
    out = np.concatenate(
        [rs.process(x[i : i + 37]) for i in range(0, x.size, 37)]
        + [rs.process(np.zeros(0, np.float32), last=True)]
    )
    assert out.size == 8000 * sr_out // sr_in
    spectrum = np.abs(np.fft.rfft(out[sr_out : 9 * sr_out]))
    assert np.fft.rfftfreq(8 * sr_out, 1 / sr_out)[
        np.argmax(spectrum)
    ] == pytest.approx(50, abs=0.2)
    # Output sample k is input time k / sr_out: compare away from the ends.
    expected = 0.5 * np.sin(2 * np.pi * 50 * np.arange(out.size) / sr_out)
    np.testing.assert_allclose(out[4000:-4000], expected[4000:-4000], atol=2e-3)


# --- the feeder --------------------------------------------------------------


def _drain(ring: Ring, block: int = 1024, timeout: float = 20.0) -> np.ndarray:
    """Consume a ring like an audio callback would, until it ends."""
    out = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        buf = np.zeros((block, 1), np.float32)
        before = ring.read
        done = ring.fill(buf, block)
        out.append(buf[: ring.read - before])
        if done:
            return np.concatenate(out)[:, 0]
        if ring.read == before:
            time.sleep(0.0005)
    raise AssertionError("the feeder did not finish")


def _feeder(info, first, last, options, tape=None, out=None, **kw) -> SpanFeeder:
    tape = tape or info.samplerate
    out = out or tape
    ready = threading.Event()
    ring = kw.pop("ring", None) or ring_for(out)
    feeder = SpanFeeder(
        info,
        start_frame=first,
        end_frame=last,
        channel=kw.pop("channel", None),
        options=options,
        tape_rate=tape,
        out_rate=out,
        ring=ring,
        marks=Marks(),
        on_ready=ready.set,
    )
    feeder.ready = ready
    return feeder


@pytest.fixture
def noisy_wav(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    sr = 16000
    t = np.arange(sr * 8) / sr
    x = (
        0.2 * np.sin(2 * np.pi * 3000 * t)
        + 0.2 * np.sin(2 * np.pi * 300 * t)
        + 0.02 * rng.standard_normal(t.size)
    )
    stereo = np.stack([x, 0.5 * x], axis=1).astype(np.float32)
    path = tmp_path / "noisy.wav"
    sf.write(path, stereo, sr, subtype="PCM_16")
    return path


def test_feeder_streams_exactly_the_samples_of_the_span(noisy_wav: Path) -> None:
    info = read_info(noisy_wav)
    first, last = 12_345, 12_345 + 5 * 16000  # longer than the ring
    feeder = _feeder(info, first, last, PlaybackOptions())
    assert feeder.ring.capacity < (last - first)
    feeder.start()
    got = _drain(feeder.ring)
    feeder.join()
    assert feeder.error is None and feeder.ready.is_set()
    np.testing.assert_array_equal(
        got, read_window(noisy_wav, first / 16000, last / 16000)
    )
    feeder = _feeder(info, first, last, PlaybackOptions(), channel=1)
    feeder.start()
    np.testing.assert_array_equal(
        _drain(feeder.ring),
        read_window(noisy_wav, first / 16000, last / 16000, channel=1),
    )


def test_feeder_filters_like_one_pass_over_the_span(noisy_wav: Path) -> None:
    info = read_info(noisy_wav)
    opts = PlaybackOptions(band=(2000.0, 5000.0), gain_db=6.0)
    first, last = 16000, 16000 * 6
    feeder = _feeder(info, first, last, opts)
    feeder.start()
    got = _drain(feeder.ring)
    lead = round(settle_seconds(opts.band, None) * 16000)
    x = read_window(noisy_wav, (first - lead) / 16000, last / 16000).astype(np.float64)
    sos = design_filter(16000, opts.band)
    ref, _ = sosfilt(sos, x, zi=sosfilt_zi(sos) * x[0])
    ref = np.clip(ref[lead:] * 10 ** (6 / 20), -1, 1)
    np.testing.assert_allclose(got, ref, atol=1e-5)
    # The 300 Hz tone is gone, the 3 kHz one is kept (x2 by the gain).
    spectrum = np.abs(np.fft.rfft(got)) / got.size * 2
    freqs = np.fft.rfftfreq(got.size, 1 / 16000)
    at = lambda f: spectrum[np.argmin(np.abs(freqs - f))]  # noqa: E731
    assert at(3000) == pytest.approx(0.2 * 0.75 * 2, rel=0.05)  # mono mix of 1 and 0.5
    assert at(300) < 1e-4


def test_feeder_normalises_to_minus_one_dbfs(noisy_wav: Path) -> None:
    info = read_info(noisy_wav)
    feeder = _feeder(info, 0, 16000 * 2, PlaybackOptions(normalise=True))
    feeder.start()
    got = _drain(feeder.ring)
    assert np.max(np.abs(got)) == pytest.approx(10 ** (-1 / 20), rel=1e-4)


def test_feeder_loops_and_marks_each_pass(noisy_wav: Path) -> None:
    info = read_info(noisy_wav)
    span = 4000
    feeder = _feeder(info, 8000, 8000 + span, PlaybackOptions(loop=True))
    feeder.start()
    assert feeder.ready.wait(5)
    buf = np.zeros((span * 3 + 10, 1), np.float32)
    got = 0
    while got < buf.shape[0]:
        n = feeder.ring.fill(buf[got:], buf.shape[0] - got)
        assert n is False
        got = feeder.ring.read
    feeder.cancelled = True
    feeder.join(2)
    assert not feeder.is_alive()
    once = read_window(noisy_wav, 0.5, 0.75)
    np.testing.assert_array_equal(buf[: 3 * span, 0], np.tile(once, 3))
    assert feeder.marks.lookup(span * 2 + 5) == (span * 2, 0)


def test_feeder_resamples_for_the_device_and_marks_output_frames(
    noisy_wav: Path,
) -> None:
    info = read_info(noisy_wav)
    # Half speed played on a 48 kHz device: tape 8 kHz -> 48 kHz, 6 output frames per frame.
    feeder = _feeder(
        info, 0, 16000, PlaybackOptions(speed=0.5, loop=False), tape=8000, out=48000
    )
    feeder.start()
    got = _drain(feeder.ring)
    assert got.size == 16000 * 6
    spectrum = np.abs(np.fft.rfft(got)) / got.size * 2
    freqs = np.fft.rfftfreq(got.size, 1 / 48000)
    peaks = sorted(freqs[np.argsort(spectrum)[-2:]])
    assert peaks == [150.0, 1500.0]  # 300 Hz and 3 kHz an octave lower
    assert spectrum[freqs == 1500.0][0] == pytest.approx(0.15, rel=0.02)
    assert feeder.marks.lookup(100) == (0, 0)


def test_feeder_reports_an_unreadable_file(noisy_wav: Path, tmp_path: Path) -> None:
    info = read_info(noisy_wav)
    feeder = _feeder(info, 0, 16000, PlaybackOptions(), channel=5)
    feeder.start()
    feeder.join(5)
    assert feeder.error is not None and "channel 6 does not exist" in feeder.error
    assert feeder.ring.eof and feeder.ready.is_set()
    gone = tmp_path / "gone.wav"
    sf.write(gone, np.zeros(16000, np.float32), 16000)
    info = read_info(gone)
    gone.unlink()
    feeder = _feeder(info, 0, 16000, PlaybackOptions())
    feeder.start()
    feeder.join(5)
    assert feeder.error is not None and str(gone) in feeder.error


def test_ring_memory_does_not_grow_with_the_span() -> None:
    # The ring is sized by the output rate alone (about RING_SECONDS of audio).
    for rate in (8000, 48000, 384000):
        ring = ring_for(rate)
        assert ring.buffer.nbytes <= (RING_SECONDS + 1.0) * rate * 4


def test_feeder_stops_when_cancelled(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    sf.write(path, np.full(16000 * 60, 0.1, np.float32), 16000, subtype="PCM_16")
    info = read_info(path)
    feeder = _feeder(info, 0, info.frames, PlaybackOptions())
    feeder.start()
    assert feeder.ready.wait(5)  # the ring is full and nobody reads it
    time.sleep(0.05)
    assert feeder.is_alive() and feeder.ring.written <= feeder.ring.capacity
    feeder.cancelled = True
    feeder.join(2)
    assert not feeder.is_alive()

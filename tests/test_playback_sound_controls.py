"""The playback bar's sound controls, built alone: each edit is reported by name."""

from __future__ import annotations

from audioclass_gui.qt.playback.playback_settings import (
    CHANNEL_AS_DISPLAYED,
    CHANNEL_MIX,
    PlaybackSettings,
)
from audioclass_gui.qt.playback.playback_sound import SPEED_STEPS, SoundControls


def test_sound_controls_show_settings_and_report_edits(qtbot) -> None:
    sound = SoundControls()
    for _label, item in sound.rows():
        if hasattr(item, "show"):
            qtbot.addWidget(item)
    edits: list[tuple[str, object, bool]] = []
    sound.edited.connect(lambda *edit: edits.append(edit))
    settings = PlaybackSettings(speed=0.5, band_mode="custom", band_low=2000.0, channel=3)
    sound.show_settings(settings)
    assert sound.speed_spin.value() == 0.5 and sound.low_spin.value() == 2.0
    assert not sound.band_row.isHidden() and sound.low_spin.isEnabled()
    # The saved channel is offered (and chosen) before a recording says how many it has.
    assert sound.channel_combo.currentData() == 3 and not sound.channel_combo.isEnabled()
    edits.clear()

    sound.gain_spin.setValue(6.0)
    sound.context_spin.setValue(2.0)
    sound.band_combo.setCurrentIndex(sound.band_combo.findData("full"))
    assert edits == [("gain_db", 6.0, True), ("context", 2.0, False), ("band_mode", "full", True)]
    sound.enable_band(False)
    assert sound.band_row.isHidden()

    sound.step_speed(+1, 0.5)
    assert sound.speed_spin.value() == SPEED_STEPS[SPEED_STEPS.index(0.5) + 1]
    sound.step_speed(-1, 0.05)
    assert sound.speed_spin.value() == sound.speed_spin.minimum()

    edits.clear()
    sound.set_channels(2, CHANNEL_MIX)  # a stereo recording opened: nothing is edited
    assert edits == [] and sound.channel_combo.isEnabled()
    assert [sound.channel_combo.itemData(i) for i in range(sound.channel_combo.count())] == [
        CHANNEL_AS_DISPLAYED,
        CHANNEL_MIX,
        1,
        2,
    ]
    assert sound.channel_combo.currentData() == CHANNEL_MIX

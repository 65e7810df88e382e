"""The spectrogram: its view, tiles, levels, navigation, settings panel, timeline strip and axes."""

"""Playback: the controller, the Playback panel and what joins them to the views."""

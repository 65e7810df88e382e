"""Reviewing detections: the table, the overlays and boxes on the spectrogram, the species panel and picker, the review's controller and actions."""

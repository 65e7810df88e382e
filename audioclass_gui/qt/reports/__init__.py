"""Reports on a review: precision per species, verification samples and their report, per-species thresholds, activity per day and hour."""

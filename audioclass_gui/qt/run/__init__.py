"""Running models: the Model panel and its options, the inference and batch workers, runs over recordings and saving them."""

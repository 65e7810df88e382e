"""The window's learning feature: embeddings, Find similar, train, run, least sure (issue 14)."""

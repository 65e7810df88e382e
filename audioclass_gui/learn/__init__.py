"""Learning from the reviewer: classifiers trained on verdicts and embeddings.

No Qt here. The steps, each in its own module:

- :mod:`~audioclass_gui.learn.examples`: verdicts and boxes -> examples;
- :mod:`~audioclass_gui.learn.training_set`: examples + embeddings ->
  labelled vectors and the summary shown before training;
- :mod:`~audioclass_gui.learn.classifier`: logistic regression per species
  and its cross-validated precision and recall;
- :mod:`~audioclass_gui.learn.train`: both, with provenance;
- :mod:`~audioclass_gui.learn.model_file`: the saved file (no pickle);
- :mod:`~audioclass_gui.learn.trained_model`: the classifier as a model;
- :mod:`~audioclass_gui.learn.birdnet_analyzer`: BirdNET-Analyzer's custom
  classifiers as models;
- :mod:`~audioclass_gui.learn.uncertainty`: the active-learning queue.
"""

from audioclass_gui.learn.birdnet_analyzer import BirdNETAnalyzerClassifier
from audioclass_gui.learn.classifier import (
    CrossValidation,
    LinearHead,
    TooFewExamplesError,
    cross_validate,
    fit_head,
)
from audioclass_gui.learn.examples import (
    Example,
    ExampleSet,
    collect_examples,
    species_choices,
)
from audioclass_gui.learn.model_file import (
    ClassifierFile,
    ModelFileError,
    read_classifier,
    write_classifier,
)
from audioclass_gui.learn.train import train_classifier
from audioclass_gui.learn.trained_model import TrainedClassifier
from audioclass_gui.learn.training_set import (
    EmbeddingSource,
    SpeciesCounts,
    TrainingSet,
    TrainingSummary,
    join_embeddings,
)
from audioclass_gui.learn.uncertainty import UncertainQueue, uncertain_queue

__all__ = [
    "BirdNETAnalyzerClassifier",
    "ClassifierFile",
    "CrossValidation",
    "EmbeddingSource",
    "Example",
    "ExampleSet",
    "LinearHead",
    "ModelFileError",
    "SpeciesCounts",
    "TooFewExamplesError",
    "TrainedClassifier",
    "TrainingSet",
    "TrainingSummary",
    "UncertainQueue",
    "cross_validate",
    "collect_examples",
    "fit_head",
    "join_embeddings",
    "read_classifier",
    "species_choices",
    "train_classifier",
    "uncertain_queue",
    "write_classifier",
]

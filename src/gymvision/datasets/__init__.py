"""Data-set tools: read (YOLO / class folders), split + de-duplicate, auto-label, evaluate, explain.

The web app's "explain" uses :func:`explain_image` (``ExplainResult``: heat map, PNG, attributions).
"""

from .explain import Attribution, ExplainResult, explain_image
from .layout import Dataset, DatasetError, Sample, read_dataset

__all__ = ["Attribution", "Dataset", "DatasetError", "ExplainResult", "Sample", "explain_image",
           "read_dataset"]

"""studio.pipeline: the one-click path (script -> storyboard -> clips -> timeline -> final
cut), carried forward by job events, one project at a time."""

from studio.pipeline.runner import Pipeline, sentence

__all__ = ["Pipeline", "sentence"]

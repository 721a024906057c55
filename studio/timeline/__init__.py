"""studio.timeline: the editable cut (clips, transitions, cards, music, logo, subtitles,
the AI label) as validated JSON data, and its OpenTimelineIO round-trip."""

from studio.timeline.model import (
    AILabel,
    Card,
    Clip,
    Logo,
    MusicTrack,
    Subtitle,
    SubtitleStyle,
    Timeline,
    Transition,
)

__all__ = ["AILabel", "Card", "Clip", "Logo", "MusicTrack", "Subtitle", "SubtitleStyle", "Timeline", "Transition"]

"""studio.timeline: OpenTimelineIO round-trip. `write_otio` exports a Timeline as .otio (a
video track of clips and transitions with title/end cards as generator clips, an audio track
for the music, subtitles as markers) so an editor can finish the cut; `read_otio` imports
what we export, reading the structure (so trims and reorders made in an editor survive) and
taking what OTIO has no place for (logo, label, style, preset) from the timeline metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import opentimelineio as otio

from studio.timeline.model import Card, Clip, MusicTrack, Subtitle, Timeline, Transition

RATE = 30.0
_DISSOLVE = otio.schema.TransitionTypes.SMPTE_Dissolve


def _rt(seconds: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(seconds * RATE, RATE)


def _range(start: float, duration: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(start), _rt(duration))


def _url(path: str) -> str:
    return Path(path).expanduser().resolve().as_uri()


def _card_clip(card: Card, role: str) -> otio.schema.Clip:
    ref = otio.schema.GeneratorReference(generator_kind="SolidColor", parameters={"color": card.background},
                                         available_range=_range(0, card.duration_s))
    return otio.schema.Clip(name=f"{role}: {card.text[:40]}", media_reference=ref, source_range=_range(0, card.duration_s),
                            metadata={"shotline": {"role": role, "card": card.to_dict()}})


def to_otio(timeline: Timeline, lengths: list[float] | None = None) -> otio.schema.Timeline:
    """Build the OTIO object; `lengths` (timeline seconds per clip) default to probing the sources."""
    if lengths is None:
        from studio.export.probe import check_video

        lengths = [c.length(check_video(c.source, f"clip {i + 1}").duration_s) for i, c in enumerate(timeline.clips)]
    rest = {k: v for k, v in timeline.to_dict().items() if k in ("logo", "subtitle_style", "label", "preset", "model", "version")}
    out = otio.schema.Timeline(name="Shotline cut", metadata={"shotline": rest})
    video = otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video)
    if timeline.title:
        video.append(_card_clip(timeline.title, "title"))
    starts: list[float] = []
    t = timeline.title.duration_s if timeline.title else 0.0
    for i, (clip, length) in enumerate(zip(timeline.clips, lengths, strict=True)):
        if i > 0:
            tr = timeline.transitions[i - 1]
            if tr.kind != "cut":
                video.append(otio.schema.Transition(
                    name=tr.kind, transition_type=_DISSOLVE if tr.kind == "crossfade" else otio.schema.TransitionTypes.Custom,
                    in_offset=_rt(tr.duration_s / 2), out_offset=_rt(tr.duration_s / 2),
                    metadata={"shotline": tr.to_dict()}))
            t -= tr.duration_s
        starts.append(t)
        src_len = length * clip.speed
        ref = otio.schema.ExternalReference(target_url=_url(clip.source))
        item = otio.schema.Clip(name=Path(clip.source).name, media_reference=ref, source_range=_range(clip.in_s, src_len),
                                metadata={"shotline": {"role": "clip"}})
        if clip.speed != 1:
            item.effects.append(otio.schema.LinearTimeWarp(time_scalar=clip.speed))
        video.append(item)
        t += length
    if timeline.end_card:
        video.append(_card_clip(timeline.end_card, "end_card"))
    for clip, start in zip(timeline.clips, starts, strict=True):
        for sub in clip.subtitles:
            video.markers.append(otio.schema.Marker(name=sub.text, marked_range=_range(start + sub.start_s / clip.speed,
                                                                                      (sub.end_s - sub.start_s) / clip.speed),
                                                    metadata={"shotline": {"subtitle": sub.text}}))
    for sub in timeline.subtitles:
        video.markers.append(otio.schema.Marker(name=sub.text, marked_range=_range(sub.start_s, sub.end_s - sub.start_s),
                                                metadata={"shotline": {"subtitle": sub.text}}))
    out.tracks.append(video)
    audio = otio.schema.Track(name="Music", kind=otio.schema.TrackKind.Audio)
    cursor = 0.0
    for m in sorted(timeline.music, key=lambda m: m.offset_s):
        if m.offset_s > cursor:
            audio.append(otio.schema.Gap(source_range=_range(0, m.offset_s - cursor)))
        duration = (m.trim_out_s - m.trim_in_s) if m.trim_out_s is not None else max(0.0, t - m.offset_s)
        audio.append(otio.schema.Clip(name=Path(m.source).name, media_reference=otio.schema.ExternalReference(target_url=_url(m.source)),
                                      source_range=_range(m.trim_in_s, duration), metadata={"shotline": m.to_dict()}))
        cursor = max(cursor, m.offset_s) + duration
    out.tracks.append(audio)
    return out


def write_otio(timeline: Timeline, path: Path, lengths: list[float] | None = None) -> None:
    if path.suffix.lower() != ".otio":
        raise ValueError(f"OTIO file {path.name!r} does not end in .otio; give a name like cut.otio.")
    otio.adapters.write_to_file(to_otio(timeline, lengths), str(path))


def _plain(value: Any) -> Any:
    """OTIO's AnyDictionary / AnyVector as plain dicts and lists."""
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "AnyVector":
        return [_plain(v) for v in value]
    return value


def _path_of(ref: Any) -> str:
    url = getattr(ref, "target_url", "") or ""
    if url.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return unquote(urlparse(url).path)
    return url


def read_otio(path: Path | str) -> Timeline:
    """Import an .otio written by `write_otio` (and edited, within reason, elsewhere)."""
    try:
        tl = otio.adapters.read_from_file(str(path))
    except Exception as err:  # noqa: BLE001 - OTIO raises many kinds; the user needs one sentence
        raise ValueError(f"OTIO file {Path(path).name!r} cannot be read: {str(err)[:120]}.") from None
    meta = _plain(tl.metadata.get("shotline", {}))
    videos = [t for t in tl.tracks if t.kind == otio.schema.TrackKind.Video]
    if not videos:
        raise ValueError(f"OTIO file {Path(path).name!r} has no video track; a Shotline timeline needs one.")
    clips: list[Clip] = []
    transitions: list[Transition] = []
    pending: Transition | None = None
    title = end_card = None
    for item in videos[0]:
        info = _plain(item.metadata.get("shotline", {})) if hasattr(item, "metadata") else {}
        if isinstance(item, otio.schema.Transition):
            data = info or {"kind": "crossfade", "duration_s": (item.in_offset + item.out_offset).to_seconds()}
            pending = Transition.from_dict(dict(data), "transition")
        elif isinstance(item, otio.schema.Clip):
            if info.get("role") in ("title", "end_card"):
                card = Card.from_dict(dict(info["card"]), info["role"])
                title, end_card = (card, end_card) if info["role"] == "title" else (title, card)
                continue
            speed = next((e.time_scalar for e in item.effects if isinstance(e, otio.schema.LinearTimeWarp)), 1.0)
            rng = item.source_range
            start = rng.start_time.to_seconds()
            if clips:
                transitions.append(pending or Transition())
            pending = None
            clips.append(Clip(source=_path_of(item.media_reference), in_s=round(start, 6),
                              out_s=round(start + rng.duration.to_seconds(), 6), speed=speed))
    subtitles = [Subtitle(round(m.marked_range.start_time.to_seconds(), 6),
                          round(m.marked_range.end_time_exclusive().to_seconds(), 6), m.metadata.get("shotline", {}).get("subtitle", m.name))
                 for m in videos[0].markers]
    music = []
    for track in tl.tracks:
        if track.kind == otio.schema.TrackKind.Audio:
            for item in track:
                if isinstance(item, otio.schema.Clip):
                    data = _plain(item.metadata.get("shotline", {})) or {"source": _path_of(item.media_reference)}
                    data["source"] = _path_of(item.media_reference)
                    music.append(MusicTrack.from_dict(data, "music"))
    return Timeline(clips=clips, transitions=transitions, title=title, end_card=end_card, music=music, subtitles=subtitles, **meta)

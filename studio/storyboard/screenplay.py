"""studio.storyboard: screenplay elements (from a Fountain or Final Draft script) -> beats.
A scene heading starts a scene; each action paragraph is one shot; each character's
speech belongs to the action shot before it (a storyboard artist's panel per beat) as its
subtitles with the speaker, or, opening a scene, is a shot of the speaker speaking;
parentheticals are stage directions, never subtitles. Title page, transitions, sections,
synopses, notes and page breaks are no shots."""

from __future__ import annotations

from studio.storyboard.fountain import Element, speech_kind
from studio.storyboard.split import Beat, has_words

NO_SHOT = {"title_page", "transition", "section", "synopsis", "note", "page_break"}  # centered text is action


def to_beats(elements: list[Element]) -> list[Beat]:
    beats: list[Beat] = []
    pending: list[str] = []
    scene, heading, block = 0, "", 0
    camera = ""
    scene_beats = 0

    def add(beat: Beat) -> Beat:
        nonlocal scene_beats
        if pending:
            beat.source = "\n".join([*pending, beat.source])
            pending.clear()
        beats.append(beat)
        scene_beats += 1
        return beat

    for el in elements:
        if el.kind == "heading":
            scene += 1
            heading, scene_beats, camera = el.text, 0, ""
            block += 1
            pending.append(el.source)
        elif el.kind == "shot":  # FDX "Shot" paragraph (CLOSE ON, ANGLE ON): the camera of the next shot
            camera = f"{camera} {el.text}".strip()
            pending.append(el.source)
        elif el.kind in ("action", "lyrics") and has_words(el.text):
            block += 1
            if el.kind == "lyrics" and beats:
                beats[-1].dialogue.append({"speaker": "", "text": el.text, "kind": "subtitle"})
                beats[-1].source += "\n" + el.source
                continue
            add(Beat(text=el.text, source=el.source, scene=max(1, scene), block=block, heading=heading,
                     camera_hint=camera))
            camera = ""
        elif el.kind == "dialogue":
            said = " ".join(t for k, t in el.lines if k == "line").strip()
            if not has_words(said):
                pending.append(el.source)
                continue
            kind = speech_kind(el.extension)
            speaker = el.speaker.title() if el.speaker.isupper() else el.speaker
            if len(speaker) > 40:  # a cue of thirty words is a joke, not a name a prompt should carry
                speaker = " ".join(speaker.split()[:3]) + "…"
            line = {"speaker": speaker, "text": said, "kind": "voiceover" if kind == "voiceover" else "dialogue"}
            last = beats[-1] if beats and scene_beats else None
            if last is not None:
                last.dialogue.append(line)  # said during the action shot before it
                last.source += "\n" + "\n".join([*pending, el.source])
                pending.clear()
                continue
            block += 1
            add(Beat(text="", source=el.source, scene=max(1, scene), block=block, heading=heading,
                     speaker=speaker if kind == "dialogue" else "", spoken=True, dialogue=[line], camera_hint=camera))
            camera = ""
        else:
            if el.kind not in NO_SHOT and has_words(el.text):
                block += 1
                add(Beat(text=el.text, source=el.source, scene=max(1, scene), block=block, heading=heading))
            elif beats and not pending and scene_beats:
                beats[-1].source += "\n" + el.source
            else:
                pending.append(el.source)
    if pending:
        if beats:
            beats[-1].source += "\n" + "\n".join(pending)
        elif has_words(heading):
            beats.append(Beat(text=heading, source="\n".join(pending), scene=max(1, scene), heading=heading))
    return beats

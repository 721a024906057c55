"""studio.export: renders as job kinds on the one queue. `render` (an export) and
`preview` (a quick low-resolution GIF) run on a worker like any clip: the timeline travels
in the job's parameters, its files (clips, music, logo) in the queue's storage beside the
job (`input:<job>`), so a worker on another machine needs no shared disk. The worker
sends back the finished file, its sidecars and the OTIO; the studio side
(`studio.export.renders.store_render`) files them and records the export."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

RENDER_KINDS = ("render", "preview")
_PARAMS = {"timeline", "preset", "timeline_id", "preview"}


def timeline_sources(data: dict[str, Any]) -> list[str]:
    """Every file a timeline document names, once each, in order."""
    found = [c["source"] for c in data.get("clips") or []] + [m["source"] for m in data.get("music") or []]
    if data.get("logo"):
        found.append(data["logo"]["source"])
    return list(dict.fromkeys(found))


def _with_sources(data: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    out = dict(data)
    out["clips"] = [{**c, "source": mapping.get(c["source"], c["source"])} for c in data.get("clips") or []]
    out["music"] = [{**m, "source": mapping.get(m["source"], m["source"])} for m in data.get("music") or []]
    if data.get("logo"):
        out["logo"] = {**data["logo"], "source": mapping.get(data["logo"]["source"], data["logo"]["source"])}
    return out


def input_name(index: int, source: str) -> str:
    """The name a timeline's `index`-th file travels under (its suffix kept for ffmpeg)."""
    return f"in{index:04d}{Path(source).suffix.lower()}"


def validate_render(params: dict[str, Any]) -> dict[str, Any]:
    """A render job's parameters: a valid timeline document and a known export preset."""
    from studio.export.presets import get_preset
    from studio.timeline import Timeline

    unknown = sorted(set(params) - _PARAMS)
    if unknown:
        raise ValueError(f"render parameter(s) {unknown} are not known; accepted: {sorted(_PARAMS)}.")
    if not isinstance(params.get("timeline"), dict):
        raise ValueError("render parameter 'timeline' is missing: a timeline document is needed.")
    Timeline.from_dict(params["timeline"])
    get_preset(str(params.get("preset") or ""))
    return dict(params)


def run_render(params: dict[str, Any], ctx: Any) -> Any:
    """Render the job's timeline on this worker (RunContext -> Outcome)."""
    from engine import GenerationCancelled, StepEvent
    from studio.export.presets import get_preset
    from studio.export.run import ExportCancelled, render
    from studio.jobs.kinds import Outcome
    from studio.jobs.queue import unframe
    from studio.timeline import Timeline
    from studio.timeline.otio import write_otio

    work = ctx.tmp_dir / f"render-{ctx.run_id}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        blob = ctx.worker.backend.get_bytes(f"input:{ctx.job_id}")
        files = unframe(blob)[1] if blob else {}
        mapping = {}
        for i, source in enumerate(timeline_sources(params["timeline"])):
            name = input_name(i, source)
            if name in files:
                (work / name).write_bytes(files[name])
                mapping[source] = str(work / name)
            elif not Path(source).is_file():  # no copy came (a render queued before m008): only a shared disk has it
                raise ValueError(f"The file {Path(source).name!r} of this timeline did not reach the worker.")
        timeline = Timeline.from_dict(_with_sources(params["timeline"], mapping))
        preset = get_preset(params["preset"])
        out = work / f"cut{preset.suffix}"
        start = time.monotonic()
        last = [-1]

        def on_progress(percent: float) -> None:
            step = int(percent)
            if step > last[0]:
                last[0] = step
                elapsed = time.monotonic() - start
                ctx.on_event(StepEvent(step=step, total=100, elapsed_s=elapsed,
                                       eta_s=elapsed / max(percent, 1.0) * (100 - percent)))

        try:
            result = render(timeline, out, preset=preset.name, on_progress=on_progress, cancel=ctx.cancel)
        except ExportCancelled:
            raise GenerationCancelled(max(last[0], 0), 100) from None
        sent = {"output": out.read_bytes()}
        for key, path in result.sidecars.items():
            sent[f"sidecar.{key}"] = Path(path).read_bytes()
        metadata: dict[str, Any] = {"preset": result.preset, "suffix": preset.suffix, "container": preset.container,
                                    "duration_s": result.duration_s, "content_id": result.content_id,
                                    "fingerprint": list(result.fingerprint), "model": timeline.model,
                                    "sidecars": {key: Path(path).suffix for key, path in result.sidecars.items()}}
        if not params.get("preview"):
            from studio.export.probe import check_video

            lengths = [c.length(check_video(c.source, f"clip {i + 1}").duration_s) for i, c in enumerate(timeline.clips)]
            # the OTIO names the studio's own files, not this worker's copies
            write_otio(Timeline.from_dict(params["timeline"]), work / "cut.otio", lengths)
            sent["otio"] = (work / "cut.otio").read_bytes()
            from studio.provenance.verify import verify

            metadata["verify"] = verify(out).summary()
        return Outcome(metadata=metadata, files=sent)
    finally:
        import shutil

        shutil.rmtree(work, ignore_errors=True)

"""studio.jobs: the images a generation job conditions on travel with it through the
queue's storage, like its results come back, so a worker on another machine needs no
shared disk. The studio side packs a job's start/end/reference images into one framed
blob under `input:<job_id>` (the key every job's input files use) before its work order is queued (`ship`); the worker unpacks
them into its run folder and points the request at those copies (`receive`). The key is
dropped with the job's other keys when it ends (QueueBackend.forget)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.jobs.queue import frame, unframe

FIELDS = ("image", "last_image", "reference_images")


def _paths(params: dict[str, Any]) -> list[tuple[str, int, str]]:
    out = []
    for field in FIELDS:
        value = params.get(field)
        if not value:
            continue
        for i, path in enumerate(value if isinstance(value, list | tuple) else [value]):
            out.append((field, i, str(path)))
    return out


def ship(backend: Any, job_id: str, params: dict[str, Any]) -> None:
    """Put the job's images into the queue's storage (nothing when it has none)."""
    entries = _paths(params)
    if not entries:
        return
    files, header = {}, []
    for n, (field, i, path) in enumerate(entries):
        name = f"{n}-{Path(path).name}"
        files[name] = Path(path).read_bytes()
        header.append({"field": field, "index": i, "name": name})
    backend.put_bytes(f"input:{job_id}", frame({"images": header}, files))


def receive(backend: Any, job_id: str, params: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The job's parameters with its image paths pointing at copies in `folder`, taken
    from the queue's storage; unchanged when nothing was shipped (an older job)."""
    blob = backend.get_bytes(f"input:{job_id}")
    if blob is None:
        return params
    header, files = unframe(blob)
    if "images" not in header:  # another kind's input files
        return params
    params = {**params, "reference_images": list(params.get("reference_images") or [])}
    target = folder / f"inputs-{job_id}"
    target.mkdir(parents=True, exist_ok=True)
    for entry in header["images"]:
        name = entry["name"]
        path = target / name.split("-", 1)[1]
        if path.exists():  # two references with the same file name
            path = target / name
        path.write_bytes(files[name])
        if entry["field"] == "reference_images":
            params["reference_images"][entry["index"]] = str(path)
        else:
            params[entry["field"]] = str(path)
    return params

"""studio.jobs: a worker owns its machine. It reports, in a heartbeat of its own, which
models' weights it has (in its own SHOTLINE_MODELS_DIR and Hugging Face cache, never the
studio's), which it can build on first use (the tiny model), its device and its free
memory; and the `download` job kind fetches a model's weights onto the worker that runs it.
The studio chooses models from these reports (`studio.jobs.fleet`), not from its own disk."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

MACHINE_REPORT_S = 10.0  # how often an idle worker tells the studio about its machine


def free_memory(device: str | None) -> tuple[int | None, int | None]:
    """(free, total) bytes of the device a worker runs on: the GPU's for cuda:N, else the host's."""
    if device and device.startswith("cuda"):
        try:
            import torch

            free, total = torch.cuda.mem_get_info(torch.device(device))
            return int(free), int(total)
        except Exception:  # noqa: BLE001 - a driver that cannot answer reports nothing, not an error
            return None, None
    try:
        import psutil

        vm = psutil.virtual_memory()
        return int(vm.available), int(vm.total)
    except ImportError:
        try:
            page = os.sysconf("SC_PAGE_SIZE")
            return os.sysconf("SC_AVPHYS_PAGES") * page, os.sysconf("SC_PHYS_PAGES") * page
        except (ValueError, OSError, AttributeError):
            return None, None


def machine_report(worker_id: str, device: str | None) -> dict[str, Any]:
    """The `worker` event a worker publishes about its machine."""
    from engine import list_cards, weights_status

    cards = list_cards()
    free, total = free_memory(device)
    return {"type": "worker", "worker": worker_id, "host": socket.gethostname(), "pid": os.getpid(),
            "device": device or "cpu", "free_memory_bytes": free, "total_memory_bytes": total,
            "models": [c.id for c in cards if weights_status(c.id) == "local"],
            "buildable": [c.id for c in cards if c.is_local_only], "sent": time.time()}


def validate_download(params: dict[str, Any]) -> dict[str, Any]:
    from engine import get_card

    unknown = sorted(set(params) - {"model"})
    if unknown:
        raise ValueError(f"download parameter(s) {unknown} are not known; accepted: ['model'].")
    return {"model": get_card(str(params.get("model") or "")).id}


def run_download(params: dict[str, Any], ctx: Any) -> Any:
    """Fetch a model's weights into this worker's own cache, with byte progress as steps."""
    from engine import LoadingEvent, StepEvent, download
    from studio.jobs.kinds import Outcome

    start = time.monotonic()

    def on_event(event: Any) -> None:
        if ctx.cancel.cancelled:
            from engine import GenerationCancelled

            raise GenerationCancelled(0, 0)
        if isinstance(event, LoadingEvent) and event.total_bytes:
            elapsed = time.monotonic() - start
            done = 1000 * event.downloaded_bytes // event.total_bytes
            ctx.on_event(StepEvent(step=int(done), total=1000, elapsed_s=elapsed,
                                   eta_s=elapsed / max(done, 1) * (1000 - done)))
        ctx.on_event(event)

    path = download(params["model"], on_event=on_event)
    ctx.worker.report_machine()
    return Outcome(metadata={"model": params["model"], "path": str(path), "worker": ctx.worker.worker_id})

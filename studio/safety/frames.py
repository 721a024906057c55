"""studio.safety: frame-level checks on sampled output frames. `FrameChecker` is the
interface (one method, `check_frame`); `NudeNetChecker` is the optional backend, which
imports nudenet lazily (AGPL-3.0: the optional extra `nudenet`, never a default
dependency) and says so in one sentence where it is not installed."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import UserError

EXPOSED_LABELS = ("FEMALE_BREAST_EXPOSED", "FEMALE_GENITALIA_EXPOSED", "MALE_GENITALIA_EXPOSED",
                  "BUTTOCKS_EXPOSED", "ANUS_EXPOSED")


class FrameCheckerUnavailable(UserError, RuntimeError):
    """The backend's package is not installed; the message says how to add it."""


@dataclass(frozen=True)
class FrameFinding:
    frame: int  # index in the video
    label: str
    score: float
    box: tuple[int, ...] = ()


@dataclass
class FrameReport:
    checker: str
    frames_checked: list[int] = field(default_factory=list)
    findings: list[FrameFinding] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return bool(self.findings)

    @property
    def message(self) -> str:
        if not self.findings:
            return f"{len(self.frames_checked)} sampled frame(s) passed the {self.checker} check."
        worst = max(self.findings, key=lambda f: f.score)
        return (f"Blocked by the {self.checker} frame check: frame {worst.frame} shows {worst.label} "
                f"(score {worst.score:.2f}).")

    def to_dict(self) -> dict[str, Any]:
        return {"checker": self.checker, "frames_checked": self.frames_checked, "blocked": self.blocked,
                "message": self.message, "findings": [asdict(f) for f in self.findings]}


class FrameChecker(ABC):
    """Looks at one RGB frame (H x W x 3, uint8) and returns what it finds that should block it."""

    name = "frame"

    @abstractmethod
    def check_frame(self, frame: np.ndarray, index: int) -> list[FrameFinding]:
        """Findings for this frame; an empty list means it passed."""


def sample_indices(total: int, samples: int = 8) -> list[int]:
    """`samples` frame indices spread evenly over `total` frames, first and last included."""
    if total <= 0:
        return []
    if samples <= 1:
        return [total // 2]
    if total <= samples:
        return list(range(total))
    return sorted({round(i * (total - 1) / (samples - 1)) for i in range(samples)})


def _as_rgb(frame: Any) -> np.ndarray:
    array = np.asarray(frame.convert("RGB") if hasattr(frame, "convert") else frame)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"A frame must be H x W x 3 RGB, not shape {array.shape}.")
    if array.dtype != np.uint8:
        array = np.clip(array * (255 if array.max() <= 1.0 else 1), 0, 255).astype(np.uint8)
    return array


def check_frames(frames: Sequence[Any], checker: FrameChecker, samples: int = 8) -> FrameReport:
    """Run `checker` on `samples` frames spread over `frames` (PIL images or arrays)."""
    report = FrameReport(checker.name)
    for index in sample_indices(len(frames), samples):
        report.frames_checked.append(index)
        report.findings.extend(checker.check_frame(_as_rgb(frames[index]), index))
    return report


def read_frames(video: str | Path) -> list[np.ndarray]:
    """Every frame of a video file as RGB arrays (the engine's decoder)."""
    from engine import read_frames as decode

    path = Path(video)
    if not path.is_file():
        raise ValueError(f"Video {str(path)!r} does not exist.")
    return list(decode(path))


def check_video(video: str | Path, checker: FrameChecker, samples: int = 8) -> FrameReport:
    return check_frames(read_frames(video), checker, samples)


class NudeNetChecker(FrameChecker):
    """NudeNet's detector; a frame is blocked when an exposed-body label scores at or above `threshold`."""

    name = "NudeNet"

    def __init__(self, threshold: float = 0.5, labels: Iterable[str] = EXPOSED_LABELS) -> None:
        if not 0 < threshold <= 1:
            raise ValueError(f"threshold is {threshold}; accepted: above 0, at most 1.")
        try:
            from nudenet import NudeDetector
        except ImportError:
            raise FrameCheckerUnavailable(
                "NudeNet is not installed; it is an optional AGPL-3.0 extra: pip install 'shotline[nudenet]'.") from None
        self.threshold = threshold
        self.labels = frozenset(labels)
        self._detector = NudeDetector()

    def check_frame(self, frame: np.ndarray, index: int) -> list[FrameFinding]:
        bgr = np.ascontiguousarray(frame[..., ::-1])  # NudeNet reads arrays the way OpenCV does
        found = []
        for det in self._detector.detect(bgr):
            if det.get("class") in self.labels and float(det.get("score", 0)) >= self.threshold:
                found.append(FrameFinding(index, det["class"], float(det["score"]), tuple(int(v) for v in det.get("box", ()))))
        return found

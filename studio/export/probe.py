"""studio.export: what a media file is, read without ffprobe (the stderr of `ffmpeg -i`
plus a one-frame decode), and the checks that turn a bad input into one sentence."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

MAX_LOGO_PIXELS = 40_000_000  # a decompression bomb is refused before ffmpeg or Pillow decodes it
_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})")
_FPS = re.compile(r"(\d+(?:\.\d+)?) fps")
_AUDIO = re.compile(r"Stream #\d+:\d+.*?: Audio: (\w+)")


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    duration_s: float
    width: int = 0
    height: int = 0
    fps: float = 0.0
    video_codec: str = ""
    audio_codec: str = ""
    metadata: dict[str, str] | None = None

    @property
    def has_video(self) -> bool:
        return bool(self.video_codec)

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)


def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def input_url(path: Path) -> str:
    """An absolute `file:` URL, so a name with ':' is never read as a protocol."""
    return "file:" + str(Path(path).resolve())


def _stderr_of(path: Path, decode: list[str]) -> tuple[int, str]:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-protocol_whitelist", "file", "-i", input_url(path), *decode]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=120)
    return proc.returncode, proc.stderr


def _metadata(stderr: str) -> dict[str, str]:
    """The container metadata block of `ffmpeg -i` (before the first stream)."""
    meta: dict[str, str] = {}
    block = stderr.split("Metadata:", 1)[1] if "Metadata:" in stderr else ""
    for line in block.splitlines()[1:]:
        if not line.startswith("    ") or "Duration:" in line or "Stream #" in line:
            break
        key, _, value = line.strip().partition(":")
        meta[key.strip()] = value.strip()
    return meta


def probe(path: Path | str, what: str = "media") -> MediaInfo:
    """Read duration, size, frame rate and codecs; raise ValueError with one sentence when unusable."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{what} {str(path)!r} does not exist; give the path of a file that does.")
    if path.stat().st_size == 0:
        raise ValueError(f"{what} {path.name!r} is an empty file; give a real media file.")
    rc, err = _stderr_of(path, ["-frames:v", "1", "-f", "null", "-"])
    video, audio = _VIDEO.search(err), _AUDIO.search(err)
    if rc != 0 or not (video or audio):
        reason = "it is damaged (truncated or corrupted)" if ("moov atom not found" in err or "Invalid data" in err and path.suffix.lower() in (".mp4", ".mov", ".m4a")) else "ffmpeg cannot read it as audio or video"
        raise ValueError(f"{what} {path.name!r} is not usable media: {reason}.")
    if video and re.search(r"frame=\s*0\b", err) and "Output file is empty" in err:
        raise ValueError(f"{what} {path.name!r} has a video stream but no frame could be decoded: it is damaged.")
    m = _DURATION.search(err)
    duration = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else 0.0
    fps = _FPS.search(err[video.start():].split("\n", 1)[0]) if video else None
    return MediaInfo(path=path, duration_s=duration, width=int(video.group(2)) if video else 0,
                     height=int(video.group(3)) if video else 0, fps=float(fps.group(1)) if fps else 0.0,
                     video_codec=video.group(1) if video else "", audio_codec=audio.group(1) if audio else "",
                     metadata=_metadata(err))


def check_video(path: Path | str, what: str = "clip") -> MediaInfo:
    info = probe(path, what)
    if not info.has_video or info.video_codec in ("png", "mjpeg") and info.duration_s <= 0.05:
        raise ValueError(f"{what} {Path(path).name!r} has no video; give a video file such as an MP4.")
    if info.duration_s <= 0:
        raise ValueError(f"{what} {Path(path).name!r} lasts 0 seconds; give a video with at least one frame.")
    return info


def check_audio(path: Path | str, what: str = "music") -> MediaInfo:
    info = probe(path, what)
    if not info.has_audio:
        raise ValueError(f"{what} {Path(path).name!r} has no sound; give an audio file such as MP3, WAV or M4A.")
    if info.duration_s <= 0.01:
        raise ValueError(f"{what} {Path(path).name!r} lasts 0 seconds; give audio that plays for a while.")
    return info


def check_image(path: Path | str, what: str = "logo") -> tuple[int, int]:
    """Size of an image, read from its header with Pillow; refuses bombs and non-images."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{what} {str(path)!r} does not exist; give the path of a PNG or JPEG image.")
    try:
        with Image.open(path) as img:  # reads the header only
            width, height = img.size
            if width * height > MAX_LOGO_PIXELS:
                raise ValueError(f"{what} {path.name!r} is {width}x{height} pixels; at most "
                                 f"{MAX_LOGO_PIXELS // 1_000_000} megapixels are accepted (a smaller image is plenty).")
            img.verify()
    except Image.DecompressionBombError:
        raise ValueError(f"{what} {path.name!r} is far too large (a decompression bomb); at most "
                         f"{MAX_LOGO_PIXELS // 1_000_000} megapixels are accepted.") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise ValueError(f"{what} {path.name!r} is not an image Shotline can read (PNG, JPEG or WebP): {type(err).__name__}.") from None
    return width, height

"""studio.export: what a media file is (engine.media: FFmpeg's libraries through PyAV,
structured, with one frame decoded) and the checks that turn a bad input into one sentence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

from engine.media import MediaUnreadable, probe_media

MAX_LOGO_PIXELS = 40_000_000  # a decompression bomb is refused before ffmpeg or Pillow decodes it


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


def probe(path: Path | str, what: str = "media") -> MediaInfo:
    """Read duration, size, frame rate, codecs and container tags; raise ValueError with one sentence when unusable."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{what} {str(path)!r} does not exist; give the path of a file that does.")
    if path.stat().st_size == 0:
        raise ValueError(f"{what} {path.name!r} is an empty file; give a real media file.")
    try:
        facts = probe_media(path)
    except MediaUnreadable as err:
        raise ValueError(f"{what} {err}") from None
    video, audio = facts.video, facts.audio
    if video and not facts.first_frame_decoded:
        raise ValueError(f"{what} {path.name!r} has a video stream but no frame could be decoded: it is damaged.")
    return MediaInfo(path=path, duration_s=facts.duration_s, width=video.width if video else 0,
                     height=video.height if video else 0, fps=video.fps if video else 0.0,
                     video_codec=video.codec if video else "", audio_codec=audio.codec if audio else "",
                     metadata=facts.tags)


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

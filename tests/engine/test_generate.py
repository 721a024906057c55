"""engine.generate on the real tiny model: output, determinism, events, previews,
metadata, warm reuse and cancellation."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from engine import (
    CancelledEvent,
    CancelToken,
    DecodingEvent,
    FinishedEvent,
    GenerationCancelled,
    GenerationRequest,
    StepEvent,
    read_frames,
    read_metadata,
)


def test_clip_is_a_9_frame_64px_16fps_h264_mp4(seed7_clip):
    result, _events, folder = seed7_clip
    assert result.video_path == str(folder / "clip.mp4")
    frames = read_frames(result.video_path)
    assert frames.shape == (9, 64, 64, 3)
    assert (result.width, result.height, result.num_frames, result.fps) == (64, 64, 9, 16)
    import subprocess

    import imageio_ffmpeg

    info = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", result.video_path],
                          capture_output=True, text=True, errors="replace").stderr
    assert "h264" in info and "16 fps" in info


def test_same_seed_same_frames_other_seed_differs(seed7_clip, warm_engine, tmp_path):
    result, _events, _folder = seed7_clip
    again = warm_engine.generate(GenerationRequest(prompt="a red car drives through a city", seed=7,
                                                   output_path=str(tmp_path / "again.mp4")))
    other = warm_engine.generate(GenerationRequest(prompt="a red car drives through a city", seed=8,
                                                   output_path=str(tmp_path / "other.mp4")))
    first = read_frames(result.video_path)
    assert np.array_equal(first, read_frames(again.video_path))
    assert not np.array_equal(first, read_frames(other.video_path))


def test_events_in_order_with_preview_files(seed7_clip):
    _result, events, folder = seed7_clip
    types = [e.type for e in events]
    assert types[-2:] == ["decoding", "finished"]
    steps = [e for e in events if isinstance(e, StepEvent)]
    assert [e.step for e in steps] == [1, 2, 3, 4] and all(e.total == 4 for e in steps)
    assert steps[-1].eta_s == 0 and all(e.elapsed_s > 0 for e in steps)
    for e in steps:
        assert isinstance(e.preview, Image.Image)
        assert e.preview_path and e.preview_path.startswith(str(folder / "previews"))
        with Image.open(e.preview_path) as img:
            assert img.format == "PNG" and img.size == e.preview.size
        # several latent frames side by side: wider than tall
        assert e.preview.width > e.preview.height
    # previews follow the denoising: successive x0 estimates are not all the same picture
    arrays = [np.asarray(e.preview) for e in steps]
    assert any(not np.array_equal(arrays[0], a) for a in arrays[1:])


def test_metadata_in_result_and_mp4_tags(seed7_clip):
    result, events, _folder = seed7_clip
    tags = read_metadata(result.video_path)
    assert tags == result.metadata
    for key, value in {"prompt": "a red car drives through a city", "seed": 7, "model": "tiny", "steps": 4,
                       "guidance": 5.0, "flow_shift": 3.0}.items():
        assert tags[key] == value
    assert tags["negative_prompt"].startswith("色调艳丽")
    assert tags["engine_version"]
    finished = [e for e in events if isinstance(e, FinishedEvent)]
    assert finished[0].result == result


def test_pipeline_stays_warm_between_calls(warm_engine, tmp_path):
    warm_engine.generate(GenerationRequest(prompt="warm", steps=1, preview_every=0, output_path=str(tmp_path / "a.mp4")))
    pipe = warm_engine._pipe
    events = []
    warm_engine.generate(GenerationRequest(prompt="warm", steps=1, flow_shift=5.0, preview_every=0,
                                           output_path=str(tmp_path / "b.mp4")), on_event=events.append)
    assert warm_engine._pipe is pipe
    assert warm_engine.loaded_key == ("tiny", "cpu", "cpu", False)
    assert not [e for e in events if e.type == "loading"]
    assert read_metadata(tmp_path / "b.mp4")["flow_shift"] == 5.0


def test_cancel_mid_run_decodes_nothing_writes_nothing_and_next_call_works(warm_engine, tmp_path, monkeypatch):
    warm_engine.generate(GenerationRequest(prompt="load", steps=1, preview_every=0, output_path=str(tmp_path / "w.mp4")))
    vae = warm_engine._pipe.vae
    decodes = []
    real_decode = vae.decode

    def counting_decode(*args, **kwargs):  # a spy: the real decode still runs
        decodes.append(1)
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(vae, "decode", counting_decode)
    token = CancelToken()
    events = []

    def on_event(event):
        events.append(event)
        if isinstance(event, StepEvent) and event.step == 2:
            token.cancel()

    out = tmp_path / "cancelled.mp4"
    with pytest.raises(GenerationCancelled) as info:
        warm_engine.generate(GenerationRequest(prompt="stop me", steps=5, output_path=str(out)),
                             on_event=on_event, cancel=token)
    # events arrive on the engine's event thread, so the loop may finish one more step
    # before it sees the cancel; it never reaches the decode
    stopped = info.value.step
    assert 2 <= stopped < 5 and info.value.total == 5
    assert decodes == []
    assert not out.exists() and list(tmp_path.glob("*cancelled*")) == []
    assert isinstance(events[-1], CancelledEvent) and events[-1].step == stopped
    assert not any(isinstance(e, (DecodingEvent, FinishedEvent)) for e in events)
    assert [e.step for e in events if isinstance(e, StepEvent)] == list(range(1, stopped + 1))

    result = warm_engine.generate(GenerationRequest(prompt="stop me", steps=5, output_path=str(out)))
    assert decodes == [1]
    assert read_frames(result.video_path).shape == (9, 64, 64, 3)


def test_cancel_before_start_loads_nothing(tmp_path):
    from engine import Engine

    token = CancelToken()
    token.cancel()
    engine = Engine()
    events = []
    with pytest.raises(GenerationCancelled):
        engine.generate(GenerationRequest(prompt="x", output_path=str(tmp_path / "c.mp4")), on_event=events.append,
                        cancel=token)
    assert engine.loaded_key is None
    assert [e.type for e in events] == ["cancelled"]


def test_module_level_generate_default_output(tiny_model_dir):
    import os

    from engine import generate

    result = generate(GenerationRequest(prompt="a cat", steps=1, preview_every=0))
    try:
        assert read_frames(result.video_path).shape[0] == 9
    finally:
        os.unlink(result.video_path)


def test_a_failing_event_consumer_stops_the_run_and_its_error_surfaces(warm_engine, tmp_path):
    class ConsumerBug(Exception):
        pass

    def on_event(event):
        if isinstance(event, StepEvent) and event.step == 1:
            raise ConsumerBug("boom")

    out = tmp_path / "x.mp4"
    with pytest.raises(ConsumerBug):
        warm_engine.generate(GenerationRequest(prompt="x", steps=4, output_path=str(out)), on_event=on_event)
    assert not out.exists()


def test_preview_files_exist_when_their_event_arrives(warm_engine, tmp_path):
    import os

    seen = []
    warm_engine.generate(GenerationRequest(prompt="x", steps=3, output_path=str(tmp_path / "p.mp4")),
                         on_event=lambda e: seen.append(os.path.getsize(e.preview_path)) if e.type == "step" else None,
                         preview_dir=tmp_path / "prev")
    assert len(seen) == 3 and all(size > 0 for size in seen)

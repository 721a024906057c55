"""The data folder: everything under SHOTLINE_HOME, media named by UUID."""

import pytest

from studio import paths


def test_home_follows_the_environment(shotline_home):
    assert paths.home() == shotline_home.resolve()


def test_new_media_paths_are_uuid_named_inside_home():
    p = paths.new_media_path("clips", ".mp4")
    assert paths.is_inside_home(p)
    assert p.parent.name == p.stem and len(p.stem) == 32


@pytest.mark.parametrize("suffix", ["../x", ".mp4/../../etc", "mp4", ".a.b"])
def test_suffixes_cannot_escape(suffix):
    with pytest.raises(ValueError, match="suffix"):
        paths.new_media_path("clips", suffix)


def test_unknown_media_kind_is_refused():
    with pytest.raises(ValueError, match="media kind 'secrets'"):
        paths.media_dir("secrets")

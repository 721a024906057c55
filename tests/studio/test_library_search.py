"""Library search: FTS5 over jieba tokens (Chinese and English), ranked, filtered,
clips reusable across projects."""

from __future__ import annotations

import pytest

from studio.db import open_database
from studio.db.records import create_project, get_or_create_user, rename_project
from studio.library import add_clip, get_clip, query_tokens, reuse_clip, search


@pytest.fixture
def lib():
    db = open_database()
    user = get_or_create_user(db)
    spring = create_project(db, "春天的故事", user)
    fox = create_project(db, "Fox documentary", user)
    clips = {
        "cat": add_clip(db, "/c/cat.mp4", "tiny", prompt="一只小猫在草地上跳舞，金色的阳光", characters=["小明"],
                        tags=["猫", "dance"], style="Anime", project_id=spring, created_at=1000.0),
        "fox": add_clip(db, "/c/fox.mp4", "wan2.1-t2v-1.3b", prompt="A red fox runs through fresh snow at dawn",
                        characters=["Fox"], tags=["winter"], style="Film", project_id=fox, created_at=2000.0),
        "fox2": add_clip(db, "/c/fox2.mp4", "tiny", prompt="Snow falls on a quiet forest; a fox sleeps",
                         shot_text="The fox rests.", style="film", project_id=fox, created_at=3000.0),
    }
    return db, spring, fox, clips


def ids(hits):
    return [h.clip_id for h in hits]


def test_chinese_words_characters_and_project_names_are_found(lib):
    db, spring, fox, c = lib
    assert ids(search(db, "小猫")) == [c["cat"]]
    assert ids(search(db, "猫")) == [c["cat"]]  # one character, inside the word 小猫
    assert ids(search(db, "阳光 跳舞")) == [c["cat"]]
    assert ids(search(db, "小明")) == [c["cat"]]  # a character's name
    assert ids(search(db, "春天")) == [c["cat"]]  # the project's name
    assert ids(search(db, "狐狸")) == []


def test_english_is_ranked_prefix_matched_and_all_words_must_match(lib):
    db, spring, fox, c = lib
    hits = search(db, "fox snow")
    assert set(ids(hits)) == {c["fox"], c["fox2"]}
    assert hits[0].score <= hits[1].score  # bm25: lower is better
    assert ids(search(db, "fox dawn")) == [c["fox"]]
    assert ids(search(db, "fox daw")) == [c["fox"]]  # search as you type
    assert ids(search(db, "rests")) == [c["fox2"]]  # shot text
    assert ids(search(db, 'fox "; DROP TABLE clips; --')) == []  # punctuation is not syntax


def test_filters_by_project_style_model_character_and_date(lib):
    db, spring, fox, c = lib
    assert ids(search(db, project_id=fox)) == [c["fox2"], c["fox"]]  # newest first without a query
    assert set(ids(search(db, "snow", style="FILM"))) == {c["fox"], c["fox2"]}  # style ignores case
    assert ids(search(db, "snow", style="Anime")) == []
    assert ids(search(db, model="tiny", project_id=fox)) == [c["fox2"]]
    assert ids(search(db, character="fox")) == [c["fox"]]
    assert ids(search(db, since=1500, until=2500)) == [c["fox"]]
    with pytest.raises(ValueError, match="limit 0 is not accepted"):
        search(db, "fox", limit=0)


def test_filters_are_exact_even_where_the_index_narrows_by_words(lib):
    db, spring, fox, c = lib
    noir = add_clip(db, "/c/noir.mp4", "tiny", prompt="a fox in the rain", style="Film Noir",
                    characters=["王小明"], project_id=fox)
    assert noir not in ids(search(db, "fox", style="Film"))
    assert ids(search(db, "fox", style="film noir")) == [noir]
    assert set(ids(search(db, "小明"))) == {c["cat"], noir}  # a word inside a name, by its characters
    assert ids(search(db, character="小明")) == [c["cat"]]  # a filter names the whole character
    assert ids(search(db, "rain", character="王小明", model="tiny", project_id=fox)) == [noir]
    assert ids(search(db, "rain", model="wan2.1-t2v-1.3b")) == []


def test_a_clip_reused_in_another_project_is_found_there_and_by_its_name(lib):
    db, spring, fox, c = lib
    reuse_clip(db, c["fox"], spring)
    reuse_clip(db, c["fox"], spring)  # idempotent
    assert set(ids(search(db, project_id=spring))) == {c["cat"], c["fox"]}
    assert set(ids(search(db, "春天"))) == {c["cat"], c["fox"]}
    rename_project(db, fox, "Arctic wildlife")
    assert set(ids(search(db, "arctic"))) == {c["fox"], c["fox2"]}
    assert ids(search(db, "documentary")) == []
    assert get_clip(db, c["fox"])["characters"] == ["Fox"]


def test_one_clip_per_job(lib):
    db, spring, fox, c = lib
    first = add_clip(db, "/c/a.mp4", "tiny", prompt="x", job_id="job-1")
    assert first and add_clip(db, "/c/b.mp4", "tiny", prompt="x", job_id="job-1") is None
    assert db.execute("SELECT COUNT(*) FROM clips WHERE job_id='job-1'").fetchone()[0] == 1


def test_query_expression_quotes_every_word():
    assert query_tokens("") == ""
    assert query_tokens("小猫 fox") == '("小猫" OR "小 猫") AND "fox"*'
    assert query_tokens('" OR *') == '"or"*'  # quotes and operators are only words


def test_search_keeps_jiebas_dictionary_cache_inside_shotline_home(tmp_path):
    """A fresh process that only searches (no storyboard first) writes nothing to the temp folder."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    home, tmp = tmp_path / "home", tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "SHOTLINE_HOME": str(home), "TMPDIR": str(tmp),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", "from studio.library.search import tokenize; print(tokenize('穿旗袍的女人'))"],
                         capture_output=True, text=True, env=env, check=True, timeout=120).stdout
    assert "旗袍" in out
    assert list(tmp.iterdir()) == []
    assert (home / "cache" / "jieba.cache").is_file()

"""benchmarks: library search over 100,000 clips (goal: p95 < 50 ms).

Builds a library of N synthetic clips (English and Chinese prompts from a small
vocabulary, styles, characters, tags, 50 projects; indexed through the real
`add_clip`, jieba included), then runs a fixed mix of queries (English words, prefixes,
Chinese words, single characters, filters, an empty query with a filter) and prints
p50/p95 per query kind and overall, with the ratio to the goal.

    python benchmarks/library_search.py [--clips 100000] [--db PATH (kept and reused)]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SUBJECTS = ["a red fox", "an old fisherman", "a little girl", "a robot", "a white horse", "two dancers", "a street cat",
            "一只小猫", "一位老人", "一个小女孩", "一匹白马", "两个舞者", "一只狐狸", "宇航员"]
ACTIONS = ["runs through", "walks along", "dances in", "sleeps beside", "looks at", "flies over",
           "在奔跑", "在跳舞", "在散步", "在睡觉", "凝视着", "飞过"]
PLACES = ["fresh snow", "a neon city street", "a quiet forest", "the ocean at dawn", "a desert canyon", "a rooftop",
          "雪地", "霓虹城市的街道", "安静的森林", "黎明的大海", "沙漠峡谷", "屋顶上"]
LOOKS = ["golden hour", "cinematic lighting", "soft focus", "handheld camera", "wide shot", "金色的阳光", "电影感光线",
         "柔焦", "手持镜头", "远景"]
STYLES = ["Anime", "Film", "Watercolor", "Documentary", "Noir", "水墨"]
CHARACTERS = ["Ana", "Ben", "小明", "小红", "Captain Li", "Mia"]
TAGS = ["winter", "night", "animal", "city", "夏天", "夜晚", "动物"]
QUERIES = {
    "english word": ["fox", "forest", "robot", "ocean", "dancers"],
    "english words": ["fox snow", "girl rooftop", "horse desert canyon", "cinematic city"],
    "prefix": ["fore", "danc", "neo"],
    "chinese word": ["小猫", "森林", "宇航员", "跳舞", "阳光"],
    "chinese char": ["猫", "雪", "马"],
    "mixed": ["小猫 rooftop", "fox 雪地"],
    "filtered": ["fox|style=Film", "森林|character=小明", "city|model=tiny"],
    "filter only": ["|style=Noir", "|character=Ana"],
}


def build(db_path: Path, n: int) -> None:
    from studio.db import open_database
    from studio.db.migrations import transaction
    from studio.db.records import create_project, get_or_create_user
    from studio.library import add_clip

    db = open_database(db_path)
    rng = random.Random(2026)
    user = get_or_create_user(db)
    projects = [create_project(db, f"Project {i} {'春夏秋冬'[i % 4]}天", user) for i in range(50)]
    t = time.perf_counter()
    now = time.time()
    for start in range(0, n, 2000):
        with transaction(db):
            for i in range(start, min(start + 2000, n)):
                prompt = f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)} {rng.choice(PLACES)}, {rng.choice(LOOKS)}"
                add_clip(db, f"/lib/{i}.mp4", rng.choice(["tiny", "wan2.1-t2v-1.3b", "wan2.2-ti2v-5b"]),
                         prompt=prompt, style=rng.choice(STYLES), characters=rng.sample(CHARACTERS, 2),
                         tags=rng.sample(TAGS, 2), project_id=rng.choice(projects),
                         created_at=now - rng.random() * 86400 * 365)
    print(f"built {n} clips in {time.perf_counter() - t:.1f} s ({db_path.stat().st_size / 1e6:.0f} MB)")
    db.close()


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def baseline(db, text: str, **filters: str) -> list:
    """The first design, for comparison: join every match to clips, then rank and filter."""
    from studio.library.search import _WEIGHTS, query_tokens

    where, params = ["clip_search MATCH ?"], [query_tokens(text)]
    for key, column in (("style", "c.style = ? COLLATE NOCASE"), ("model", "c.model = ?")):
        if key in filters:
            where.append(column)
            params.append(filters[key])
    if "character" in filters:
        where.append("EXISTS (SELECT 1 FROM json_each(c.characters) WHERE lower(value) = lower(?))")
        params.append(filters["character"])
    sql = (f"SELECT c.id, bm25(clip_search, {_WEIGHTS}) AS s FROM clip_search JOIN clips c ON c.n = clip_search.rowid"
           f" WHERE {' AND '.join(where)} ORDER BY s LIMIT 50")
    return db.execute(sql, params).fetchall()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", type=int, default=100_000)
    ap.add_argument("--db", default=None)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ.setdefault("SHOTLINE_HOME", tempfile.mkdtemp(prefix="shotline-bench-"))
    db_path = Path(args.db or Path(tempfile.gettempdir()) / f"shotline-search-{args.clips}.db")
    if not db_path.exists():
        build(db_path, args.clips)
    from studio.db import open_database
    from studio.library import search

    db = open_database(db_path)
    count = db.execute("SELECT COUNT(*) FROM clips").fetchone()[0]
    search(db, "warm up")
    all_ms: list[float] = []
    all_cpu: list[float] = []
    base_ms: list[float] = []
    print(f"library: {count} clips; {args.repeat} runs of each query; limit 50 (wall ms; CPU ms of this process;"
          " baseline = the first design, every FTS match joined to clips before ranking, run alternately)")
    for kind, queries in QUERIES.items():
        times, cpu, hits = [], [], 0
        for _ in range(args.repeat):
            for q in queries:
                text, _, filt = q.partition("|")
                kwargs = dict(f.split("=", 1) for f in filt.split(",")) if filt else {}
                t, c = time.perf_counter(), time.process_time()
                found = search(db, text, **kwargs)
                cpu.append((time.process_time() - c) * 1000)
                times.append((time.perf_counter() - t) * 1000)
                hits += len(found)
                if text:
                    t = time.perf_counter()
                    baseline(db, text, **kwargs)
                    base_ms.append((time.perf_counter() - t) * 1000)
        all_ms += times
        all_cpu += cpu
        print(f"  {kind:<14} p50={statistics.median(times):7.2f} ms  p95={p95(times):7.2f} ms  "
              f"cpu p95={p95(cpu):7.2f} ms  (avg hits {hits / len(times):.0f})")
    print(f"overall        p50={statistics.median(all_ms):7.2f} ms  p95={p95(all_ms):7.2f} ms  goal<50 ms  "
          f"ratio p95/goal={p95(all_ms) / 50:.2f}")
    print(f"overall CPU    p50={statistics.median(all_cpu):7.2f} ms  p95={p95(all_cpu):7.2f} ms  goal<50 ms  "
          f"ratio p95/goal={p95(all_cpu) / 50:.2f}")
    print(f"baseline (text queries)  p50={statistics.median(base_ms):7.2f} ms  p95={p95(base_ms):7.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

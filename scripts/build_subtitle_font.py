"""scripts: rebuild the shipped subtitle font (assets/fonts/NotoSansSC-Shotline-Subset.otf).

Source: Debian's fonts-noto-cjk (`apt-get download fonts-noto-cjk`, then `dpkg-deb -x`),
NotoSansCJK-Regular.ttc, the Simplified Chinese face. Kept: all 6,763 hanzi of GB2312
(levels 1 and 2, which cover everyday simplified Chinese), ASCII, Latin-1, general and
CJK punctuation, full-width forms. Needs fontTools (`pip install fonttools`); run once,
commit the result. Licence: SIL OFL 1.1 (assets/fonts/OFL.txt).

Usage: python scripts/build_subtitle_font.py PATH/TO/NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

OUT = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "NotoSansSC-Shotline-Subset.otf"


def gb2312_hanzi() -> list[str]:
    chars = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def main(ttc: str) -> None:
    fonts = TTCollection(ttc).fonts
    face = next(f for f in fonts if "SC" in f["name"].getDebugName(1))
    text = "".join(gb2312_hanzi())
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2E80, 0x2EFF)]
    unicodes = {ord(c) for c in text} | {u for a, b in ranges for u in range(a, b + 1)}
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.hinting = False
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(face)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    face.save(OUT)
    print(f"{OUT}: {OUT.stat().st_size / 1e6:.2f} MB, {len(unicodes)} code points ({len(text)} hanzi)")


if __name__ == "__main__":
    main(sys.argv[1])

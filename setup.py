"""Packaging: the code packages (engine, studio, shotline) and the shipped data.

presets/ and assets/ stay at the top of the repository, where people edit them; the wheel
carries them inside the `shotline` package as `shotline/presets` and `shotline/assets`,
where `shotline.data` finds them through importlib.resources. Everything else is in
pyproject.toml."""

from pathlib import Path

from setuptools import find_namespace_packages, setup

HERE = Path(__file__).resolve().parent
# every folder of presets/ and assets/ becomes a data-only package under shotline/
DATA = {f"shotline.{top}" + "".join(f".{part}" for part in folder.relative_to(HERE / top).parts): folder.relative_to(HERE).as_posix()
        for top in ("presets", "assets")
        for folder in sorted([HERE / top, *(HERE / top).rglob("*")]) if folder.is_dir() and folder.name != "__pycache__"}

setup(
    # namespace packages too: a room's folder may hold modules without an __init__.py (studio/ui does)
    packages=[*find_namespace_packages(include=["engine", "engine.*", "studio", "studio.*", "shotline", "shotline.*"],
                                       exclude=["*.__pycache__"]), *DATA],
    package_dir=DATA,
    package_data={name: ["*"] for name in DATA},
)

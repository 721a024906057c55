"""engine: typed edges. Data that crosses into Shotline (model cards, presets, policy files,
job parameters, timelines) is described by pydantic models; this module turns pydantic's
validation errors into the house's one sentence: where (the file), the key, the value,
and what is accepted. The engine's cards and the studio's presets share it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

KINDS = {"string_type": "str", "int_type": "int", "int_from_float": "int", "float_type": "int or float",
         "dict_type": "dict", "model_type": "dict", "list_type": "list", "bool_type": "bool", "none_required": "null",
         "dataclass_type": "dict", "tuple_type": "list"}
RANGES = {"greater_than": "above {gt}", "greater_than_equal": "{ge} or more", "less_than": "below {lt}",
          "less_than_equal": "at most {le}", "string_too_short": "at least {min_length} character(s)",
          "string_too_long": "at most {max_length} characters", "too_short": "at least {min_length} item(s)",
          "too_long": "at most {max_length} items", "finite_number": "a finite number",
          "string_pattern_mismatch": "text matching {pattern}"}


class Refused(ValueError):
    """Raised by a validator: `key` (dotted, relative to the model) has `value`; `accepted` says what would do."""

    def __init__(self, key: str, value: Any, accepted: str, verb: str = "is"):
        self.key, self.value, self.accepted, self.verb = key, value, accepted, verb
        super().__init__(f"key '{key}' {verb} {value!r}; {accepted}")


class FileModel(BaseModel):
    """A data file's shape: strict types (no "5" for 5, no true for 1), no unknown keys."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)


def _chain(loc: tuple[Any, ...]) -> str:
    return ": ".join(f"key '{part}'" if isinstance(part, str) else f"item {part}" for part in loc)


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _accepted(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> str | None:
    """The `accepted` text a field declares (Field(json_schema_extra={"accepted": ...})), following loc."""
    field = None
    for part in loc:
        if not isinstance(part, str) or model is None:
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        inner = field.annotation
        model = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
    extra = field.json_schema_extra if field is not None else None
    return extra.get("accepted") if isinstance(extra, dict) else None


def file_sentence(err: ValidationError, where: str, model: type[BaseModel] | None = None) -> str:
    """The first problem of `err` as one sentence about the file `where`."""
    errors = err.errors(include_url=False)
    extra = [e for e in errors if e["type"] == "extra_forbidden"]
    if extra and not any(e["type"] == "missing" for e in errors):
        parent = extra[0]["loc"][:-1]
        names = sorted(str(e["loc"][-1]) for e in extra if e["loc"][:-1] == parent)
        allowed = sorted(_fields_at(model, parent))
        prefix = f"{where}: {_chain(parent)}: " if parent else f"{where}: "
        return f"{prefix}unknown key(s) {names}" + (f"; accepted: {allowed}." if allowed else ".")
    first = next((e for e in errors if e["type"] == "missing"), errors[0])
    kind, loc, value = first["type"], tuple(first["loc"]), first.get("input")
    ctx = first.get("ctx") or {}
    if kind == "missing":
        return f"{where}: {_chain(loc)} is missing."
    if kind == "value_error" and isinstance(ctx.get("error"), Refused):
        refused: Refused = ctx["error"]
        key = ".".join(p for p in (_dotted(loc), refused.key) if p)
        return f"{where}: key '{key}' {refused.verb} {refused.value!r}; {refused.accepted}."
    if kind in KINDS:
        return f"{where}: {_chain(loc)} has {value!r}; expected {KINDS[kind]}."
    if kind == "literal_error":
        options = ", ".join(str(o).strip("'") for o in str(ctx.get("expected", "")).replace(" or ", ", ").split(", "))
        return f"{where}: key '{_dotted(loc)}' is {value!r}; accepted: {options}."
    accepted = _accepted(model, loc) or (RANGES[kind].format(**ctx) if kind in RANGES else first["msg"].lower())
    if kind == "value_error":
        accepted = str(ctx.get("error", first["msg"]))
    return f"{where}: key '{_dotted(loc)}' is {value!r}; accepted: {accepted}."


def _fields_at(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> list[str]:
    for part in loc:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return []
        inner = model.model_fields[part].annotation
        model = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
    return list(model.model_fields) if model is not None else []


def model_of(cls: type, *, name: str | None = None) -> type[BaseModel]:
    """A strict pydantic model with the fields, types and defaults of the dataclass `cls`
    (nested dataclasses too), so a record such as GenerationRequest is checked at an edge
    without a second list of its fields to keep in step."""
    import dataclasses
    import typing

    from pydantic import create_model

    hints = typing.get_type_hints(cls)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        kind = _json_shape(hints[f.name])
        if f.default is not dataclasses.MISSING:
            fields[f.name] = (kind, f.default)
        elif f.default_factory is not dataclasses.MISSING:
            fields[f.name] = (kind, None) if dataclasses.is_dataclass(hints[f.name]) else (kind, f.default_factory())
        else:
            fields[f.name] = (kind, ...)
    return create_model(name or cls.__name__, __config__=ConfigDict(strict=True, extra="forbid", allow_inf_nan=False),
                        **fields)


def _json_shape(kind: Any) -> Any:
    """The JSON form of an annotation: a nested dataclass becomes its model, tuple[X, ...] a list."""
    import dataclasses
    import types
    import typing

    if dataclasses.is_dataclass(kind):
        return model_of(kind)
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return list[_json_shape(args[0])]  # type: ignore[misc]
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_json_shape(a) for a in args)]  # noqa: UP007 - built from a tuple
    return kind


def field_sentence(err: ValidationError, model: type[BaseModel] | None = None) -> tuple[str, Any, str]:
    """(field, value, what is accepted) for the first problem of `err`, for InvalidRequest-style sentences."""
    first = err.errors(include_url=False)[0]
    kind, loc, value, ctx = first["type"], tuple(first["loc"]), first.get("input"), first.get("ctx") or {}
    name = _dotted(loc)
    if kind == "missing":
        return name, None, "it is required"
    if kind == "extra_forbidden":
        known = _fields_at(model, loc[:-1])
        return name, value, "not a known field" + (f"; known: {', '.join(sorted(known))}" if known else "")
    declared = _accepted(model, loc)
    if declared and kind not in KINDS:
        return name, value, declared
    if kind in KINDS:
        return name, value, {"str": "text", "int": "a whole number", "int or float": "a number", "dict": "an object",
                             "list": "a list", "bool": "true or false"}.get(KINDS[kind], KINDS[kind])
    if kind == "literal_error":
        return name, value, "one of " + str(ctx.get("expected", "")).replace("'", "")
    if kind in RANGES:
        return name, value, RANGES[kind].format(**ctx)
    return name, value, first["msg"].lower()

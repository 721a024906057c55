"""engine: the errors the engine raises. Each message is one sentence for a user.

`UserError` is the base of every error, in the engine and the studio, whose message
is a sentence fit to show a user as it is (no traceback, no class name): the CLI and
the browser recognise those by this class, never by name.

The studio decides retry policy from the class: `InvalidRequest` and
`WeightsUnavailable` are permanent, `OutOfMemory` is transient (retry with a
lower memory mode), `GenerationCancelled` is not an error at all.
"""

from __future__ import annotations


class UserError(Exception):
    """An error whose `str()` is one sentence for the user (the field, the value, what is accepted)."""


class EngineError(UserError):
    """Base class of the engine's errors; `str(err)` is a sentence fit to show a user."""


class InvalidRequest(EngineError, ValueError):
    """A request field is out of range; raised before any model work starts."""

    def __init__(self, field: str, value: object, accepted: str):
        self.field, self.value, self.accepted = field, value, accepted
        super().__init__(f"{field} {value!r} is not accepted: {accepted}.")


class WeightsUnavailable(EngineError):
    """The model's weights are not local and cannot be fetched (offline, or no network)."""


class OutOfMemory(EngineError):
    """The device ran out of memory; a lower memory mode may succeed."""

    def __init__(self, message: str, memory_mode: str):
        self.memory_mode = memory_mode
        super().__init__(message)


class GenerationCancelled(EngineError):
    """The caller's cancel token was set; no VAE decode ran and no file was written."""

    def __init__(self, step: int, total: int):
        self.step, self.total = step, total
        super().__init__(f"Cancelled at step {step} of {total}.")

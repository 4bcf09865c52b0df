"""The two kinds of error a user meets: bad input, and a broken invariant inside a run."""

from __future__ import annotations


class HighroadError(Exception):
    """Base of every error highroad raises on purpose."""


class ScenarioError(HighroadError, ValueError):
    """Bad input: names the file, the key path and what is allowed (CLI exit code 2)."""

    def __init__(self, source: str, key: str, problem: str, allowed: str = "") -> None:
        self.source, self.key, self.problem, self.allowed = source, key, problem, allowed
        where = f"{source}: key '{key}'" if key else source
        text = f"{where}: {problem}"
        if allowed:
            text += f"; allowed: {allowed}"
        super().__init__(text)


class InvariantError(HighroadError, RuntimeError):
    """A run broke an identity or produced NaN/inf: names step, region and quantity."""

    def __init__(self, step: int, region: str, quantity: str, detail: str) -> None:
        self.step, self.region, self.quantity, self.detail = step, region, quantity, detail
        super().__init__(f"step {step}, region {region}: {quantity}: {detail}")

    def __reduce__(self) -> tuple:
        # Rebuilt from its four fields when it crosses a process boundary (a pool's worker).
        return (type(self), (self.step, self.region, self.quantity, self.detail))

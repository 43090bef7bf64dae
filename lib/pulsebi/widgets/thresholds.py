"""Good / warn / bad thresholds per metric, read from one YAML file (lib/pulsebi/thresholds.yaml).

    status("closing_rate", 0.31)   # → "warn"
    better("resolution_hours")     # → "lower": a rising resolution time is bad

`use_thresholds(path)` points the process at another file (a deployment's own, or a test's).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulsebi.errors import ConfigError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "thresholds.yaml"
DIRECTIONS = ("higher", "lower", "none")


@dataclass(frozen=True)
class Rule:
    better: str | None  # "higher", "lower" or None (no direction)
    good: float | None = None
    warn: float | None = None

    def judge(self, value: float) -> str | None:
        if self.good is None or self.better is None:
            return None
        if self._meets(value, self.good):
            return "good"
        if self.warn is not None and self._meets(value, self.warn):
            return "warn"
        return "bad"

    def _meets(self, value: float, bound: float) -> bool:
        return value >= bound if self.better == "higher" else value <= bound


def load_thresholds(path: Path | str | None = None) -> dict[str, Rule]:
    """Parse and check a thresholds file; errors name the file, the metric and the fix."""
    import yaml

    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"thresholds file {path} cannot be read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"thresholds file {path} is not valid YAML: {exc}") from None
    metrics = raw.get("metrics") if isinstance(raw, dict) else None
    if not isinstance(metrics, dict):
        raise ConfigError(f"thresholds file {path} needs a top-level 'metrics:' mapping")
    return {str(metric): _rule(path, str(metric), entry) for metric, entry in metrics.items()}


def _rule(path: Path, metric: str, entry: Any) -> Rule:
    where = f"thresholds file {path}, metric {metric!r}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: give a mapping like {{better: higher, good: 1, warn: 0.5}}")
    unknown = set(entry) - {"better", "good", "warn"}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    better = entry.get("better")
    better = "none" if better is None else str(better)
    if better not in DIRECTIONS:
        raise ConfigError(f"{where}: better must be one of {', '.join(DIRECTIONS)}")
    good, warn = _number(where, entry, "good"), _number(where, entry, "warn")
    if warn is not None and good is None:
        raise ConfigError(f"{where}: warn needs a good threshold too")
    if good is not None and better == "none":
        raise ConfigError(f"{where}: thresholds need better: higher or lower")
    if good is not None and warn is not None:
        ordered = warn <= good if better == "higher" else warn >= good
        if not ordered:
            raise ConfigError(f"{where}: warn ({warn}) lies beyond good ({good}) for {better}")
    return Rule(None if better == "none" else better, good, warn)


def _number(where: str, entry: dict[str, Any], key: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ConfigError(f"{where}: {key} must be a number, not {value!r}")
    return float(value)


_lock = threading.Lock()
_path: Path | None = None
_rules: dict[str, Rule] | None = None


def use_thresholds(path: Path | str | None) -> None:
    """Read thresholds from `path` from now on (None: the packaged default file)."""
    global _path, _rules
    rules = load_thresholds(path)
    with _lock:
        _path, _rules = (Path(path) if path is not None else None), rules


def thresholds() -> dict[str, Rule]:
    """The process's rules (the file is read on first use)."""
    global _rules
    with _lock:
        if _rules is None:
            _rules = load_thresholds(_path)
        return _rules


def rule(metric_id: str | None) -> Rule | None:
    return None if metric_id is None else thresholds().get(metric_id)


def better(metric_id: str | None) -> str | None:
    """'higher', 'lower' or None: which way `metric_id` improves (None if not configured)."""
    found = rule(metric_id)
    return found.better if found else None


def status(metric_id: str | None, value: Any) -> str | None:
    """'good', 'warn' or 'bad' for `value` of `metric_id`; None without thresholds or value."""
    found = rule(metric_id)
    if found is None or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number):
        return None
    return found.judge(number)

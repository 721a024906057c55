"""studio.safety: the prompt safety policy (categories of zh + en terms as data in
presets/safety/, plus files a company adds) and the frame-level checker interface for
sampled output frames (optional NudeNet backend)."""

from studio.safety.policy import SafetyPolicy, SafetyResult, check, default_policy, load_policy

__all__ = ["SafetyPolicy", "SafetyResult", "check", "default_policy", "load_policy"]

"""Form feedback: per-rep coaching cues gated on landmark visibility and camera view."""

from .evaluate import FormResult, compare_within_set, evaluate_rep, evaluate_reps, merge_advice
from .rules import RULES, Rule, rules_for
from .view import View, estimate_view

__all__ = ["RULES", "FormResult", "Rule", "View", "compare_within_set", "estimate_view", "evaluate_rep",
           "evaluate_reps", "merge_advice", "rules_for"]

"""reps."""

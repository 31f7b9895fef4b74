"""AutoGeTS experiments: shared context, the retraining trial, and the Ray Tune runner."""

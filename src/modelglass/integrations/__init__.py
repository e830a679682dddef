"""Where people already train: TensorBoard logs in and out (more callbacks to come)."""

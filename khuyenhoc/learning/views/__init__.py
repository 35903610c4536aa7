"""Pages of the learning area; thin: every change goes through ``services``."""

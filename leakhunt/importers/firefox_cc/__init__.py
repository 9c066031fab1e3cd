"""Firefox cycle-collector logs (``cc-edges.*.log``)."""

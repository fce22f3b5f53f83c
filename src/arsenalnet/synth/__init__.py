"""The national synthetic industrial base, calibrated to published statistics."""

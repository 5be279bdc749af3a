"""The quarterly cycle: rolling a report forward (`roll`) and the figures still to type."""

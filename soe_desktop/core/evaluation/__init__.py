"""Page and table metrics against human labels, reports and plots."""

"""SoE Desktop: find the Schedule of Events table in clinical trial protocols."""

__version__ = "0.1.0"

"""Labelers: heuristic teacher, Gemini teacher, local student; the selective filter."""

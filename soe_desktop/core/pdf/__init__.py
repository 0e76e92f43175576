"""PDF ingest, page text, candidate detection, rotation, grouping, representations."""

"""Findings: the causes of management loss read from the daily readings (issue 15)."""

"""Taiqu command line and settings."""

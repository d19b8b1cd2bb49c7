"""Indicators of org units (指标), their targets and the monthly assessment (考核)."""

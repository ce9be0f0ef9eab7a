"""Insights: the service report's periods, its figures in words, and its chart."""

"""Analysis: metrics, observables, summaries and charts."""

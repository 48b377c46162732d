"""Projects pages, by noun: calls, applications, reviews, agreements, totals."""

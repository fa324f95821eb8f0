"""Ownership and use-right grants (赋权): the share of an achievement's ownership, or its
long-term use right, that an institution grants its research team, with the valuation
report, the decision minutes and the public-notice period, kept as one evidence file."""

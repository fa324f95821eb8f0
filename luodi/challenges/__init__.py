"""Challenges (揭榜挂帅): problems that companies, parks, hospitals or staff post with a budget
and a deadline, answered by structured proposals that reviewers move through stages to an
award, which becomes a transformation project."""

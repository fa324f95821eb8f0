"""Expert assessment of achievements (科技成果评价): templates of weighted criteria, invited
reviewers (with or without an account), conflict-of-interest declarations, scores aggregated
with their disagreement, a written summary and the result shown on the achievement."""

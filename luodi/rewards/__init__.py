"""Reward distribution (奖励分配): each institution's rules for sharing transfer income with
its research teams, applied to every income event of the ledger, split among the inventors,
approved and publicly noticed (公示), and exported for payroll."""

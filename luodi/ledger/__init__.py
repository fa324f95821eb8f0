"""The income and expense ledger of technology transfer (成果转化收益台账): what an
institution received and paid for its achievements and agreements, and what it still expects."""

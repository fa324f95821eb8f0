"""After landing (落地之后): what parks and investment-promotion bureaus follow once a
project has landed — milestones to production, committed versus actual figures, policy
subsidies, stall warnings and the KPIs they report upward."""

"""Who may do what: staff accounts, sessions, second factors, log-in limits, tablets."""

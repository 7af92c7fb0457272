"""The doctors' side: decisions on flagged submissions, and the queues they work from."""

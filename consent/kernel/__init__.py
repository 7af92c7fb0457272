"""The base every feature stands on: clock, statuses, storage, schema, chains, audit, tokens."""

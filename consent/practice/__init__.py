"""The practitioners' side: countersigning, signing, treatment records, cooling-off."""

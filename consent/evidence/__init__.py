"""What the clinic can prove: sealed documents, the archive, its checks, backups and FHIR."""

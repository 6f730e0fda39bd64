"""The staff review app (`faxintake web`): the queues, each document's page images beside its fields, corrections,
returns, the Medical Director's decisions and their letters, behind logins with roles. Imported only by the
`web` and `users` commands (FastAPI and the templates are not loaded for the others)."""

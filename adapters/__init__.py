"""Platform adapters: each translates its platform to and from the neutral core."""

"""The bottom layer: the domain's vocabulary, its metrics and periods, reading and writing tables.
It imports none of the project's apps, so that every app can import it."""

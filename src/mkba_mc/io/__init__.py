"""Input and output: schemas, loading, atomic writing and the results writer."""

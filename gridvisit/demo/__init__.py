"""Demo data: a whole generated sub-district for trying the app, tests and benchmarks.
It sits above storage and the domain rules it follows (docs/architecture.md, "Layers
and what each may import")."""

"""Domain layer: enums, rules, validation and services. Never imports Qt."""

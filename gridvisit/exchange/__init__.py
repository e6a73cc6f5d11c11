"""Packages to and from the sub-district, Excel ledgers. Never imports Qt."""

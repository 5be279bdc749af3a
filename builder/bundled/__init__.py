"""The bundled example as package data: its report and data (examples/) and layouts (layouts/).

In a checkout they stay at the repository's top level; pyproject.toml maps them into this
package when a wheel is built, so an installed report-builder carries them here.
"""

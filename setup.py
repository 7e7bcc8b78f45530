# Shim for tools that still call setup.py; pbr reads pyproject.toml/setup.cfg.
import setuptools

setuptools.setup(pbr=True)

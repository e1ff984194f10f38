"""Numerics cases, one module per group of ops or models."""

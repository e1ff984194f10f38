"""The encoder compiler's Python package.

Today it holds pure-Python helpers (safetensors writing); the pybind11
runtime and compiler modules join it with the Python bindings issue.
"""

"""Builds the compiled hot path (flarewatch.query._native and _engine) when Cython and a C
compiler are present; everything else, including the pure-Python fallback, is in pyproject.toml."""

from setuptools import Extension, setup

try:
    from Cython.Build import cythonize
except ImportError:  # building without Cython: the module runs as plain Python
    ext_modules = []
else:
    ext_modules = cythonize(
        [
            Extension("flarewatch.query._native", ["src/flarewatch/query/_native.py"]),
            Extension("flarewatch.query._engine", ["src/flarewatch/query/_engine.pyx"]),
        ],
        compiler_directives={"language_level": 3, "boundscheck": False, "wraparound": False},
        quiet=True,
    )
    # No C compiler: the install goes on and the same code runs as Python. Set here because
    # cythonize builds new Extension objects and drops the flag.
    for extension in ext_modules:
        extension.optional = True

setup(ext_modules=ext_modules)

"""Build hook for the optional native fold (specbuild._native, Rust, see native/).

Everything else is in pyproject.toml. ``optional=True``: without a Rust toolchain, or if the build
fails, pip installs the pure-Python package, which gives the same output, only slower.
"""

from setuptools import setup
from setuptools_rust import Binding, RustExtension

setup(
    rust_extensions=[
        RustExtension("specbuild._native", path="native/Cargo.toml", binding=Binding.PyO3,
                      optional=True, py_limited_api="auto",
                      debug=False,  # editable installs too: a debug build is slower than pure Python
                      cargo_manifest_args=["--locked"]),  # the crates native/Cargo.lock names, no others
    ],
)

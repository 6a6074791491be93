"""briefpack: Japanese-language PDF briefing packs from a shared data layer."""

__version__ = "0.1.0"

__all__ = ["__version__", "load_data"]


def __getattr__(name: str):
    # ``from briefpack import load_data`` loads the analyst's API (and pandas) only when asked:
    # ``import briefpack`` and the command line stay free of pandas.
    if name == "load_data":
        from .frames import load_data

        return load_data
    raise AttributeError(f"module 'briefpack' has no attribute {name!r}")

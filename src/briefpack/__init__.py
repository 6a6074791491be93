"""briefpack: Japanese-language PDF briefing packs from a shared data layer."""

__version__ = "0.1.0"

"""diplosim: simulate and measure TikTok diplomacy."""

__version__ = "0.1.0"

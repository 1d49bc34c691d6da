"""The platform: accounts, videos, friends, exposure pools and the recommender."""

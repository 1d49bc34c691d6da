"""The world: the synthesised population of a scenario (countries, languages, interests and
attitudes from real country data), the topic vocabulary and the shipped country tables."""


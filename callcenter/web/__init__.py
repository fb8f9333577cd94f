"""The supervisor web page (aiohttp): live counts now, the full wallboard later."""

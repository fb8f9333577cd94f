"""The call-center core: the sans-IO switchboard and its asyncio runtime."""

"""Base of every error this project raises on purpose."""


class CallCenterError(Exception):
    """Base error; each package derives its own (AmiError, AcdError, CrmError ...)."""


class ConfigError(CallCenterError):
    """A configuration file or value is wrong; the message names file, key and fix."""

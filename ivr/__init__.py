"""IVR: YAML call flows and the sans-IO session that runs them.

``ivr.loader`` loads and validates flows, ``ivr.session.IvrSession`` runs one call,
``ivr.registry.FlowRegistry`` holds the flows of a server and reloads them safely,
``ivr.scripted`` plays a caller without a phone. See ``docs/IVR.md``.
"""

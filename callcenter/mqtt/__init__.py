"""MQTT: the bus over the network for consoles, wallboards and other processes.

``topics`` is the pure topic scheme, ``bridge`` connects an ``EventBus`` to a broker,
``broker`` runs an embedded broker for single-machine set-ups (see ``docs/BUS.md``).
"""

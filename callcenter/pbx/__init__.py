"""The PBX port and its implementations (simulated, Asterisk)."""

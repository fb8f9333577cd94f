"""The shared vocabulary: ids, domain events and PBX commands."""

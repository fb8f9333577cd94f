"""crm_link."""

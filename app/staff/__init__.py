"""Maintenance staff's pages (blueprint "staff" at /jobs/): My jobs, the issues assigned to them, on a phone."""

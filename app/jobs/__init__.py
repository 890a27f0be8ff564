"""Maintenance staff's pages: My jobs (the issues assigned to them) on a phone."""

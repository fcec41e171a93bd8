"""Scheduled exports: find due periods, build the file, deliver it once per period."""
